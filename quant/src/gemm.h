// The one place mpsim's evaluator calls a GEMM (oneDNN's sgemm). Row-major single-precision GEMM,
// C = A * op(B) (+ C when accumulate), run on the calling thread: the engine parallelises over
// micro-batches itself, so the library's own threads stay off (docs/evaluator.md has the
// measurements behind the choice of library).
#pragma once

#include <cstdint>

namespace mpsim::quant_detail {

// A is M x K (lda), B is K x N (ldb) or, with trans_b, N x K; C is M x N (ldc).
void sgemm(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
           const float* b, std::int64_t ldb, bool trans_b, float* c, std::int64_t ldc,
           bool accumulate = false);

}  // namespace mpsim::quant_detail
