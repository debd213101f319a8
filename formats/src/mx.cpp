// OCP MX block quantization with the spec's floor scale rule.
#include "formats/mx.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "formats/error.h"
#include "formats/src/kernels.h"
#include "formats/src/tensor_shape.h"

namespace mpsim {

namespace {

void require_mx(const Format& f) {
  if (!f.is_block())
    throw UserError("mx_quantize: " + f.name() +
                    " is not an MX block format (mxfp8_e4m3, mxfp8_e5m2, mxfp6_e2m3, mxfp6_e3m2, "
                    "mxfp4_e2m1, mxint8)");
}

// 2^k for k in [-127, 127], exact (2^-127 is an fp32 subnormal). Bits, not ldexp: once per block.
float pow2(int k) {
  if (k >= -126) return std::bit_cast<float>(static_cast<std::uint32_t>(k + 127) << 23);
  return std::bit_cast<float>(std::uint32_t{1} << (k + 149));
}

// floor(log2(a)) for a finite a > 0: the exponent field, or ilogb for fp32 subnormals.
int floor_log2(float a) {
  const auto field = static_cast<int>(std::bit_cast<std::uint32_t>(a) >> 23);
  return field ? field - 127 : std::ilogb(a);
}

// Everything a block needs, built once per call.
struct BlockQuantizer {
  detail::FloatKernel element;  // MX float elements
  bool is_int;                  // MX int8 elements
  float qmin, qmax;
  int emax;

  BlockQuantizer(const Format& f, bool saturate)
      : element(f.spec(), saturate),
        is_int(f.kind() == FormatKind::kMxInt),
        qmin(f.spec().qmin),
        qmax(f.spec().qmax),
        emax(f.element_emax()) {}

  // One block of n values read and written with a stride (Stride 0: a run-time stride).
  // Multiplying by 2^-e equals dividing by 2^e (both are the exact quotient, correctly
  // rounded); the products with 2^e are exact because every element value has few significant
  // bits (docs/formats.md).
  template <std::size_t Stride>
  int run(const float* in, float* out, std::size_t n, std::size_t runtime_stride) const {
    const std::size_t stride = Stride ? Stride : runtime_stride;
    // amax on the bit patterns: for magnitudes, integer order is float order, NaN patterns sort
    // above infinity, and an integer max reduction vectorizes (a float one does not, because of
    // NaN ordering).
    std::int32_t amax_bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto m = static_cast<std::int32_t>(std::bit_cast<std::uint32_t>(in[i * stride]) &
                                               ~detail::kSignBit);
      amax_bits = m > amax_bits ? m : amax_bits;
    }
    if (amax_bits >= static_cast<std::int32_t>(detail::kInfBits)) {  // NaN or infinity
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = std::numeric_limits<float>::quiet_NaN();
      return kMxNanExponent;
    }
    const float amax = std::bit_cast<float>(static_cast<std::uint32_t>(amax_bits));
    const int raw = amax > 0 ? floor_log2(amax) - emax : kMxMinExponent;
    const int e = std::clamp(raw, kMxMinExponent, kMxMaxExponent);
    const float down = pow2(-e);
    if (!is_int) {
      const float up = pow2(e);
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = element(in[i * stride] * down) * up;
    } else {
      // INT8 elements carry an implied 2^-6: round v / 2^e * 64 onto -127..127.
      const float up = pow2(e - 6);
      for (std::size_t i = 0; i < n; ++i)
        out[i * stride] = detail::quantize_int(in[i * stride] * down * 64.0f, qmin, qmax) * up;
    }
    return e;
  }
};

}  // namespace

int mx_quantize_block(const Format& f, std::span<const float> block, std::span<float> out,
                      Saturation s) {
  require_mx(f);
  if (block.size() > static_cast<std::size_t>(kMxBlockSize))
    throw std::invalid_argument("mx_quantize_block: " + std::to_string(block.size()) +
                                " values; a block holds at most 32");
  if (out.size() != block.size())
    throw std::invalid_argument("mx_quantize_block: output and block sizes differ");
  return BlockQuantizer(f, s == Saturation::kSaturate)
      .run<1>(block.data(), out.data(), block.size(), 1);
}

std::size_t mx_block_count(std::span<const std::int64_t> shape, int axis) {
  std::size_t size = 1;
  for (std::int64_t d : shape)
    size *= static_cast<std::size_t>(std::max<std::int64_t>(d, 0));
  const detail::AxisSplit split = detail::split_at_axis(shape, axis, size);
  const std::size_t k = kMxBlockSize;
  return split.outer * ((split.axis + k - 1) / k) * split.inner;
}

void mx_quantize(const Format& f, std::span<const float> in, std::span<float> out,
                 std::span<const std::int64_t> shape, int axis, Saturation s,
                 std::span<int> shared_exponents) {
  require_mx(f);
  if (in.size() != out.size())
    throw std::invalid_argument("mx_quantize: output holds " + std::to_string(out.size()) +
                                " values for " + std::to_string(in.size()) + " inputs");
  const detail::AxisSplit split = detail::split_at_axis(shape, axis, in.size());
  const std::size_t k = kMxBlockSize;
  const std::size_t blocks_per_line = (split.axis + k - 1) / k;
  const std::size_t count = split.outer * blocks_per_line * split.inner;
  if (!shared_exponents.empty() && shared_exponents.size() != count)
    throw std::invalid_argument("mx_quantize: room for " + std::to_string(shared_exponents.size()) +
                                " exponents, " + std::to_string(count) + " blocks");
  const BlockQuantizer q(f, s == Saturation::kSaturate);
  const std::size_t line = split.axis * split.inner;  // elements per outer index
  for (std::size_t o = 0; o < split.outer; ++o)
    for (std::size_t b = 0; b < blocks_per_line; ++b) {
      const std::size_t n = std::min(k, split.axis - b * k);
      for (std::size_t j = 0; j < split.inner; ++j) {
        const std::size_t first = o * line + b * k * split.inner + j;
        const int e = split.inner == 1
                          ? q.run<1>(in.data() + first, out.data() + first, n, 1)
                          : q.run<0>(in.data() + first, out.data() + first, n, split.inner);
        if (!shared_exponents.empty())
          shared_exponents[(o * blocks_per_line + b) * split.inner + j] = e;
      }
    }
}

std::vector<float> mx_quantize(const Format& f, std::span<const float> in, Saturation s,
                               std::vector<int>* shared_exponents) {
  std::vector<float> out(in.size());
  const std::int64_t shape[] = {static_cast<std::int64_t>(in.size())};
  std::vector<int> exponents;
  if (shared_exponents) exponents.resize(mx_block_count(shape, 0));
  mx_quantize(f, in, out, shape, 0, s, exponents);
  if (shared_exponents) *shared_exponents = std::move(exponents);
  return out;
}

}  // namespace mpsim
