#include "quant/src/gemm.h"

#include <cblas.h>

namespace mpsim::quant_detail {

void sgemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
           const float* b, std::int64_t ldb, bool trans_b, float* c, std::int64_t ldc,
           bool accumulate) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), 1.0f, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), accumulate ? 1.0f : 0.0f, c,
              static_cast<blasint>(ldc));
}

void gemm_single_threaded() {
  openblas_set_num_threads(1);
}

}  // namespace mpsim::quant_detail
