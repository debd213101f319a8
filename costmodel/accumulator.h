// What accumulator a (weight, activation) pair needs (docs/costmodel.md, "Accumulators").
// An integer or fixed-point accumulator is wide enough when it sums `lossless_sum` products
// without loss: the bits of one exact product plus ceil(log2 lossless_sum) of growth, Dotzel et
// al.'s rule (ICML 2024: 2b + log2 256 for b-bit integers; their 17-bit FP4 E2M1 accumulator is
// the same rule over E2M1's product range). A float accumulator is wide enough when every
// product enters it exactly and `lossless_sum` of the largest do not overflow it. OCP MX pairs
// sum each block of 32 in fixed point and need a float accumulator for the scaled block sums.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "costmodel/hardware.h"

namespace mpsim {

// Bits of a two's-complement fixed-point number holding every product of one weight and one
// activation element exactly (sign included): 2b for two b-bit integers, 9 for E2M1 x E2M1,
// 37 for E4M3 x E4M3.
int product_fixed_point_bits(const Format& weight, const Format& activation);

// The width an integer (fixed-point) accumulator needs to sum `lossless_sum` products of `pair`
// without loss.
int lossless_accumulator_bits(const FormatPair& pair, std::int64_t lossless_sum);

// Why `accumulator` is too narrow for `pair` over `lossless_sum` products, or nullopt when it
// is wide enough. The text names the pair, the accumulator and what it would need.
std::optional<std::string> accumulator_shortfall(const FormatPair& pair, const Format& accumulator,
                                                 std::int64_t lossless_sum);

}  // namespace mpsim
