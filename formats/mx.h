// OCP MX block quantization (OCP Microscaling Formats v1.0): blocks of 32 values share one
// E8M0 scale 2^e, and each element is rounded into the element format.
//
// Scale rule, as in the spec and Microsoft's microxcaling reference ("floor" rule):
//   amax = max |v| over the block;  e = floor(log2(amax)) - emax_elem, clamped to [-127, 127];
//   out = Q(v / 2^e) * 2^e,  Q rounding to nearest even (saturating by default).
// It can clip a block's maximum (FP4: 7 -> 6). An all-zero block gets e = -127 and stays zero.
// A block holding NaN or an infinity gets the NaN scale (E8M0 0xFF, returned as
// kMxNanExponent) and every element of it becomes NaN. Conventions: docs/formats.md.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "formats/format.h"

namespace mpsim {

inline constexpr int kMxBlockSize = 32;
inline constexpr int kMxMinExponent = -127;
inline constexpr int kMxMaxExponent = 127;
inline constexpr int kMxNanExponent = 128;  // E8M0 code 0xFF: the block is NaN

// One block of at most 32 values (a short block behaves as if padded with zeros) into `out`
// (same size; may alias `in`). Returns the shared exponent e (scale 2^e, E8M0 code e + 127).
// Throws UserError when f is not an MX format.
int mx_quantize_block(const Format& f, std::span<const float> block, std::span<float> out,
                      Saturation s = Saturation::kSaturate);

// The number of blocks mx_quantize forms: shape with shape[axis] replaced by ceil(shape[axis]/32).
std::size_t mx_block_count(std::span<const std::int64_t> shape, int axis);

// A row-major tensor in blocks of 32 along `axis` (normally the reduction axis; a negative axis
// counts from the end); a short last block along the axis is padded with zeros. Writes the
// dequantized values to `out` (may alias `in`) and, if `shared_exponents` is not empty
// (mx_block_count entries), each block's exponent in the order of the shape above.
void mx_quantize(const Format& f, std::span<const float> in, std::span<float> out,
                 std::span<const std::int64_t> shape, int axis,
                 Saturation s = Saturation::kSaturate, std::span<int> shared_exponents = {});

// A 1-D span in blocks of 32 consecutive values; optionally returns the exponents.
std::vector<float> mx_quantize(const Format& f, std::span<const float> in,
                               Saturation s = Saturation::kSaturate,
                               std::vector<int>* shared_exponents = nullptr);

}  // namespace mpsim
