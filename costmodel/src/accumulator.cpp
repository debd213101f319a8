// Accumulator requirements (docs/costmodel.md, "Accumulators").
#include "costmodel/accumulator.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mpsim {

namespace {

// The largest magnitude and the smallest step of one element, as the hardware sees its codes:
// a b-bit two's-complement integer reaches 2^(b-1), whatever range the quantizer uses.
struct Range {
  double max = 1;
  double lsb = 1;
};
Range range_of(const Format& f) {
  const Format e = f.is_block() ? f.element_format() : f;
  switch (e.kind()) {
    case FormatKind::kSignedInt:
    case FormatKind::kMxInt:
      return {std::ldexp(1.0, e.bits() - 1), 1};
    case FormatKind::kUnsignedInt:
      return {std::ldexp(1.0, e.bits()) - 1, 1};
    case FormatKind::kBinary:
    case FormatKind::kTernary:
      return {1, 1};
    case FormatKind::kFloat:
    case FormatKind::kMxFloat:
      return {e.max(), e.min_subnormal()};
  }
  return {};
}

int ceil_log2(std::int64_t n) {
  int b = 0;
  while (b < 62 && (std::int64_t{1} << b) < n)
    ++b;
  return b;
}

// Significand bits of one exact product: an integer operand enters with its whole width.
int product_significand_bits(const Format& w, const Format& a) {
  auto sig = [](const Format& f) {
    const Format e = f.is_block() ? f.element_format() : f;
    if (e.kind() == FormatKind::kBinary || e.kind() == FormatKind::kTernary) return 1;
    return e.is_float() ? e.mantissa_bits() + 1 : e.bits();
  };
  return sig(w) + sig(a);
}

std::string number(double v) {
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}

std::string pair_text(const FormatPair& p, const Format& acc) {
  return p.weight.name() + " x " + p.activation.name() + " into " + acc.name();
}

}  // namespace

int product_fixed_point_bits(const Format& weight, const Format& activation) {
  const Range w = range_of(weight);
  const Range a = range_of(activation);
  // Steps of the product between zero and the largest magnitude, plus the sign bit.
  const double steps = (w.max * a.max) / (w.lsb * a.lsb);
  return static_cast<int>(std::ceil(std::log2(steps + 1))) + 1;
}

int lossless_accumulator_bits(const FormatPair& pair, std::int64_t lossless_sum) {
  return product_fixed_point_bits(pair.weight, pair.activation) + ceil_log2(lossless_sum);
}

std::optional<std::string> accumulator_shortfall(const FormatPair& pair, const Format& acc,
                                                 std::int64_t lossless_sum) {
  const bool mx = pair.weight.is_block() || pair.activation.is_block();
  const std::string sum = std::to_string(lossless_sum);
  if (!acc.is_float()) {
    if (mx)
      return pair_text(pair, acc) +
             ": an MX block sum carries two E8M0 scales (2^-127..2^127), which no integer "
             "accumulator holds; accumulate MX pairs in a float format (OCP MX: fp32)";
    const int need = lossless_accumulator_bits(pair, lossless_sum);
    if (acc.bits() >= need) return std::nullopt;
    return pair_text(pair, acc) + ": summing " + sum + " products without loss needs " +
           std::to_string(need) + " bits (a " +
           std::to_string(product_fixed_point_bits(pair.weight, pair.activation)) +
           "-bit product + " + std::to_string(ceil_log2(lossless_sum)) + " bits of growth)";
  }
  if (mx) return std::nullopt;  // block sums are scaled into the float accumulator (OCP MX)
  const int sig = acc.mantissa_bits() + 1;
  const bool integer_pair = !pair.weight.is_float() && !pair.activation.is_float();
  if (integer_pair) {
    // Integers are exact in a float while the sum's magnitude fits its significand.
    const int need = lossless_accumulator_bits(pair, lossless_sum) - 1;
    if (sig >= need) return std::nullopt;
    return pair_text(pair, acc) + ": summing " + sum + " integer products exactly needs a " +
           std::to_string(need) + "-bit significand, " + acc.name() + " has " + std::to_string(sig);
  }
  const int product_sig = product_significand_bits(pair.weight, pair.activation);
  if (sig < product_sig)
    return pair_text(pair, acc) + ": a product has " + std::to_string(product_sig) +
           " significand bits, " + acc.name() + " keeps " + std::to_string(sig) +
           ", so every product is rounded";
  const Range w = range_of(pair.weight);
  const Range a = range_of(pair.activation);
  const double largest = w.max * a.max * static_cast<double>(lossless_sum);
  if (largest > acc.max())
    return pair_text(pair, acc) + ": " + sum + " of the largest products reach " + number(largest) +
           ", beyond " + acc.name() + "'s largest value " + number(acc.max());
  if (w.lsb * a.lsb < acc.min_subnormal())
    return pair_text(pair, acc) + ": the smallest products underflow " + acc.name();
  return std::nullopt;
}

}  // namespace mpsim
