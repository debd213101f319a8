#include "quant/src/gemm.h"

#include <oneapi/dnnl/dnnl.h>

#include "formats/error.h"

namespace mpsim::quant_detail {

// oneDNN's sgemm: JIT-compiled for the CPU it runs on (AVX-512 here), row-major. It threads
// with OpenMP; called from inside the engine's own OpenMP region it runs on the calling thread.
// Chosen over OpenBLAS and Eigen by measurement (docs/evaluator.md).
void sgemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
           const float* b, std::int64_t ldb, bool trans_b, float* c, std::int64_t ldc,
           bool accumulate) {
  const dnnl_status_t s = dnnl_sgemm('N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb,
                                     accumulate ? 1.0f : 0.0f, c, ldc);
  if (s != dnnl_success)
    throw UserError("oneDNN sgemm failed (status " + std::to_string(static_cast<int>(s)) + ") on " +
                    std::to_string(m) + "x" + std::to_string(k) + " by " + std::to_string(k) + "x" +
                    std::to_string(n));
}

}  // namespace mpsim::quant_detail
