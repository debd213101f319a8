// The per-element conversion kernels, inline so the span loops in fake_quant.cpp and mx.cpp
// compile to straight-line code. Private to the formats library.
//
// Rounding relies on IEEE fp32 arithmetic in the default rounding mode (round to nearest even);
// the library must not be built with -ffast-math, which would fold (a + c) - c away.
#pragma once

#include <bit>
#include <cstdint>

#include "formats/format.h"

#ifdef __FAST_MATH__
#error "formats/src/kernels.h needs IEEE arithmetic: build the formats library without -ffast-math"
#endif

namespace mpsim::detail {

inline constexpr std::uint32_t kSignBit = 0x80000000u;
inline constexpr std::uint32_t kInfBits = 0x7f800000u;

// Round to nearest even into a float format and back to fp32, with the descriptor's constants
// copied into the object (a by-value kernel keeps them in registers: stores to a float output
// could otherwise alias the descriptor's float fields and force reloads).
//
// Normal results: adding 2^(k-1) - 1 plus the lowest kept bit to the fp32 pattern and clearing
// the k dropped bits rounds the significand to nearest even; a carry moves into the exponent as
// it should. Subnormal results (below 2^emin) sit on a fixed grid of step 2^(emin - M): adding
// c = 2^(emin - M + 23), whose fp32 ulp is that step, makes the fp32 adder round onto the grid.
// Overflow is decided after rounding, as OCP OFP8 and IEEE 754 require. Both paths are computed
// and selected without branches: which one applies is data-dependent and mispredicts badly.
struct FloatKernel {
  std::uint32_t half, lsb, shift, mask, max_bits, min_normal_bits, overflow_bits;
  float magic;
  bool identity;

  FloatKernel(const Spec& s, bool saturate)
      : half(s.round_half),
        lsb(s.round_lsb),
        shift(s.round_shift),
        mask(s.round_mask),
        max_bits(s.max_bits),
        min_normal_bits(s.min_normal_bits),
        overflow_bits(overflow_result(s, saturate)),
        magic(s.subnormal_magic),
        identity(s.identity) {}

  // The magnitude a value above max (or an infinity) becomes.
  static std::uint32_t overflow_result(const Spec& s, bool saturate) {
    if (saturate || s.specials == Specials::kNone) return s.max_bits;
    if (s.specials == Specials::kIeee) return kInfBits;
    return 0x7fc00000u;  // E4M3-style: overflow is NaN
  }

  float operator()(float x) const {
    if (identity) return x;
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
    const std::uint32_t sign = bits & kSignBit;
    const std::uint32_t mag = bits ^ sign;
    const std::uint32_t normal = (mag + half + ((mag >> shift) & lsb)) & mask;
    const float a = std::bit_cast<float>(mag);
    const std::uint32_t subnormal = std::bit_cast<std::uint32_t>((a + magic) - magic);
    // Masks rather than ?: so the compiler keeps both paths (it turns ?: into a branch) and
    // can vectorize. Magnitudes are below 2^31, so signed compares are exact.
    const std::uint32_t is_sub = select_mask(below(mag, min_normal_bits));
    std::uint32_t r = (subnormal & is_sub) | (normal & ~is_sub);
    const std::uint32_t is_over = select_mask(below(max_bits, r));  // infinities land here too
    r = (overflow_bits & is_over) | (r & ~is_over);
    const std::uint32_t is_nan = select_mask(below(kInfBits, mag));  // NaN propagates
    r = (mag & is_nan) | (r & ~is_nan);
    return std::bit_cast<float>(r | sign);
  }

  static bool below(std::uint32_t a, std::uint32_t b) {
    return static_cast<std::int32_t>(a) < static_cast<std::int32_t>(b);
  }
  static std::uint32_t select_mask(bool c) { return 0u - static_cast<std::uint32_t>(c); }
};

// Round half to even for |y| < 2^22: adding 1.5 * 2^23 leaves no fraction bits, so the fp32
// adder rounds; the 1.5 keeps negative values in the same binade. NaN propagates; -0 becomes +0
// (integer grids have no signed zero).
inline float round_half_even_small(float y) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  return (y + kMagic) - kMagic;
}

// Round half to even for any finite y: values of 2^23 and more are already integers. For the
// integer formats wider than 23 bits (accumulators); the narrow ones use the faster form above.
inline float round_half_even_any(float y) {
  constexpr float kTwo23 = 8388608.0f;
  const float a = y < 0 ? -y : y;
  const float r = a < kTwo23 ? (a + kTwo23) - kTwo23 : a;
  return (y < 0 ? -r : r) + 0.0f;  // + 0 turns -0 into +0
}

// clamp that lets NaN through (std::clamp's result for NaN is unspecified in spirit).
inline float clamp_keep_nan(float y, float lo, float hi) {
  return y < lo ? lo : (y > hi ? hi : y);
}

// Integer grid: round(clamp(y, lo, hi)) equals clamp(round(y), lo, hi) for integer bounds, and
// clamping first keeps |y| small enough for round_half_even_small.
inline float quantize_int(float y, float lo, float hi) {
  return round_half_even_small(clamp_keep_nan(y, lo, hi));
}
inline float quantize_int_wide(float y, float lo, float hi) {
  return round_half_even_any(clamp_keep_nan(y, lo, hi));
}

// sign(y) with sign(0) = +1, NaN kept: binary weights are never zero.
inline float quantize_binary(float y) {
  return y != y ? y : (y >= 0.0f ? 1.0f : -1.0f);
}

}  // namespace mpsim::detail
