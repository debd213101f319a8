// fp32 kernels for the evaluator, one per Layer op. Tensors are row-major in the shapes the
// importer inferred (batch dimension 1); the engine calls a kernel once per sample, except for
// the MAC layers, which take a micro-batch so that one library call serves all of its samples.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "quant/src/dnnl_conv.h"
#include "workloads/network.h"

namespace mpsim::quant_detail {

// Per-thread state of the kernels: oneDNN's convolution primitives, built once per layer and
// micro-batch size.
struct Scratch {
  std::shared_ptr<ConvPrimitives> convolutions = make_conv_primitives();
};

// Convolution of `batch` samples (in: batch x C x H x W consecutive; out likewise), with
// weights [out, in/groups, kh, kw] and an optional bias, by oneDNN (src/dnnl_conv.h).
void conv2d(const Layer& l, const Shape& in_shape, const float* in, std::int64_t batch,
            const float* weight, const float* bias, float* out, Scratch& scratch);

// Linear over the last dim of `rows` rows in total (all samples).
void linear(const Layer& l, std::int64_t rows, std::int64_t k, const float* in, const float* weight,
            const float* bias, float* out);

// Batched matmul with broadcasting for one sample.
void matmul(const Layer& l, const Shape& a_shape, const float* a, const Shape& b_shape,
            const float* b, float* out);

// The other ops, for one sample.
void pool(const Layer& l, const Shape& in_shape, const float* in, float* out);
void global_avg_pool(const Shape& in_shape, const float* in, float* out);
void eltwise(const Layer& l, const Shape& a_shape, const float* a, const Shape& b_shape,
             const float* b, float* out);
void unary(const Layer& l, std::int64_t n, const float* in, float* out);
void batch_norm(const Layer& l, const Shape& in_shape, const float* in, float* out);
void layer_norm(const Layer& l, const Shape& in_shape, const float* in, float* out);
void softmax(const Layer& l, const Shape& in_shape, const float* in, float* out);
void reduce(const Layer& l, const Shape& in_shape, const float* in, float* out);
void concat(const Layer& l, const std::vector<Shape>& in_shapes,
            const std::vector<const float*>& in, float* out);
void transpose(const Layer& l, const Shape& in_shape, const float* in, float* out);
void slice(const Layer& l, const Shape& in_shape, const float* in, float* out);
void gather(const Layer& l, const Shape& in_shape, const float* in, float* out);
void pad(const Layer& l, const Shape& in_shape, const float* in, float* out);

}  // namespace mpsim::quant_detail
