// Convolutions through oneDNN's convolution primitive (the library's blocked-layout JIT
// kernels), with the activations reordered from and back to the engine's NCHW around each call
// and the weights reordered on every call (they may change between precision maps).
// Primitives are built once per (layer, micro-batch size) and kept per engine thread.
#pragma once

#include <cstdint>
#include <memory>

#include "workloads/network.h"

namespace mpsim::quant_detail {

struct ConvPrimitives;  // per-thread cache, defined in dnnl_conv.cpp

std::shared_ptr<ConvPrimitives> make_conv_primitives();

// `batch` samples of `in_shape` (batch 1 each), consecutive: an NCHW tensor of N = batch.
void dnnl_conv2d(const Layer& l, const Shape& in_shape, const float* in, std::int64_t batch,
                 const float* weight, const float* bias, float* out, ConvPrimitives& cache);

}  // namespace mpsim::quant_detail
