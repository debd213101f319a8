// Format properties, element codes and scalar conversion.
#include "formats/format.h"

#include <bit>
#include <cmath>
#include <limits>

#include "formats/error.h"
#include "formats/src/kernels.h"

namespace mpsim {

using detail::Specials;

std::string_view kind_name(FormatKind k) {
  switch (k) {
    case FormatKind::kSignedInt:
      return "int";
    case FormatKind::kUnsignedInt:
      return "uint";
    case FormatKind::kBinary:
      return "binary";
    case FormatKind::kTernary:
      return "ternary";
    case FormatKind::kFloat:
      return "float";
    case FormatKind::kMxFloat:
      return "mx-float";
    case FormatKind::kMxInt:
      return "mx-int";
  }
  return "?";
}

double Format::storage_bits() const {
  return bits_ + static_cast<double>(scale_bits_) / block_size_;
}

double Format::max() const {
  return spec_.max;
}
double Format::min_normal() const {
  return spec_.min_normal;
}
double Format::min_subnormal() const {
  return spec_.min_subnormal;
}

bool Format::has_infinity() const {
  return is_float() && spec_.specials == Specials::kIeee;
}

// MX blocks can always hold NaN: the E8M0 scale 0xFF makes the whole block NaN.
bool Format::has_nan() const {
  if (is_block()) return true;
  return is_float() && spec_.specials != Specials::kNone;
}

namespace {

std::string ones(int n) {
  return std::string(static_cast<std::size_t>(n), '1');
}
std::string zeros(int n) {
  return std::string(static_cast<std::size_t>(n), '0');
}

std::string float_specials(const detail::Spec& s) {
  const std::string exp = ones(s.exp_bits);
  switch (s.specials) {
    case Specials::kNone:
      return "none";
    case Specials::kNanOnly:
      return "NaN = S." + exp + "." + ones(s.man_bits) + "; no infinity";
    case Specials::kIeee:
      break;
  }
  if (s.man_bits > 2)
    return "infinity = S." + exp + ".(fraction 0); NaN = S." + exp + ".(fraction != 0)";
  std::string nans;
  for (int m = 1; m < (1 << s.man_bits); ++m) {
    if (!nans.empty()) nans += ',';
    for (int b = s.man_bits - 1; b >= 0; --b)
      nans += ((m >> b) & 1) ? '1' : '0';
  }
  return "infinity = S." + exp + "." + zeros(s.man_bits) + "; NaN = S." + exp + ".{" + nans + "}";
}

}  // namespace

std::string Format::special_values() const {
  switch (kind_) {
    case FormatKind::kFloat:
      return float_specials(spec_);
    case FormatKind::kMxFloat:
      return "scale 0xFF = NaN (whole block); elements: " + float_specials(spec_);
    case FormatKind::kMxInt:
      return "scale 0xFF = NaN (whole block); elements: none";
    case FormatKind::kSignedInt:
      return "none; code " + std::to_string(-(std::int64_t{1} << (bits_ - 1))) +
             " unused (narrow range)";
    case FormatKind::kUnsignedInt:
      return "none; zero point";
    case FormatKind::kBinary:
      return "none; code 0 = -1, 1 = +1";
    case FormatKind::kTernary:
      return "none; code 2 (-2) unused";
  }
  return "none";
}

std::uint64_t Format::code_count() const {
  return std::uint64_t{1} << bits_;
}

namespace {

[[noreturn]] void block_format_error(const std::string& name, std::string_view what) {
  throw UserError(name + " is a block format: " + std::string(what) +
                  " its elements with element_format(), or whole blocks with mx_quantize() "
                  "(formats/mx.h)");
}

std::uint32_t float_nan_code(const detail::Spec& s) {
  const std::uint32_t top = (1u << s.exp_bits) - 1u;
  const std::uint32_t fraction =
      s.specials == Specials::kIeee ? 1u << (s.man_bits - 1) : (1u << s.man_bits) - 1u;
  return (top << s.man_bits) | fraction;
}

// The code of a value already on the format's grid (the output of FloatKernel).
std::uint32_t pack_float(const detail::Spec& s, float r) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(r);
  const std::uint32_t sign = (bits >> 31) << (s.exp_bits + s.man_bits);
  const std::uint32_t mag = bits & ~detail::kSignBit;
  if (mag > detail::kInfBits) return sign | float_nan_code(s);
  if (mag == detail::kInfBits) return sign | (((1u << s.exp_bits) - 1u) << s.man_bits);
  if (mag < s.min_normal_bits) {
    // Subnormal (or zero): the fraction counts steps of min_subnormal. Doubles hold the ratio
    // exactly even where min_subnormal is below fp32's range.
    const double steps = static_cast<double>(std::bit_cast<float>(mag)) / s.min_subnormal;
    return sign | static_cast<std::uint32_t>(steps);
  }
  const std::uint32_t exp = (mag >> 23) - 127u + static_cast<std::uint32_t>(s.bias);
  const std::uint32_t fraction = (mag & 0x7fffffu) >> s.round_shift;
  return sign | (exp << s.man_bits) | fraction;
}

float unpack_float(const detail::Spec& s, std::uint32_t code) {
  const std::uint32_t fraction_mask = (1u << s.man_bits) - 1u;
  const std::uint32_t top = (1u << s.exp_bits) - 1u;
  const bool negative = (code >> (s.exp_bits + s.man_bits)) & 1u;
  const std::uint32_t exp = (code >> s.man_bits) & top;
  const std::uint32_t fraction = code & fraction_mask;
  double v;
  if (exp == top && s.specials == Specials::kIeee) {
    v = fraction ? std::numeric_limits<double>::quiet_NaN()
                 : std::numeric_limits<double>::infinity();
  } else if (exp == top && s.specials == Specials::kNanOnly && fraction == fraction_mask) {
    v = std::numeric_limits<double>::quiet_NaN();
  } else if (exp == 0) {
    v = fraction * s.min_subnormal;
  } else {
    v = std::ldexp(1.0 + std::ldexp(static_cast<double>(fraction), -s.man_bits),
                   static_cast<int>(exp) - s.bias);
  }
  return static_cast<float>(negative ? -v : v);
}

}  // namespace

std::uint32_t Format::encode(float x, Saturation sat) const {
  if (is_block()) block_format_error(name_, "encode");
  const bool saturate = sat == Saturation::kSaturate;
  if (std::isnan(x) && !has_nan())
    throw UserError(name_ +
                    " has no NaN encoding; NaN cannot be encoded (quantize() passes it "
                    "through as a float)");
  if (kind_ == FormatKind::kFloat) {
    if (spec_.identity) return std::bit_cast<std::uint32_t>(x);
    return pack_float(spec_, detail::FloatKernel(spec_, saturate)(x));
  }
  const float q = quantize(x, sat);
  if (kind_ == FormatKind::kBinary) return q > 0 ? 1u : 0u;
  const auto mask = static_cast<std::uint32_t>(code_count() - 1);
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(q)) & mask;
}

float Format::decode(std::uint32_t code) const {
  if (is_block()) block_format_error(name_, "decode");
  if (code >= code_count())
    throw UserError("code " + std::to_string(code) + " does not fit " + name_ + " (" +
                    std::to_string(bits_) + " bits)");
  switch (kind_) {
    case FormatKind::kFloat:
      if (spec_.identity) return std::bit_cast<float>(code);
      return unpack_float(spec_, code);
    case FormatKind::kUnsignedInt:
      return static_cast<float>(code);
    case FormatKind::kBinary:
      return code ? 1.0f : -1.0f;
    default: {
      // Two's complement: sign-extend from bits_.
      const auto half = static_cast<std::int64_t>(code_count() / 2);
      const auto v = static_cast<std::int64_t>(code);
      return static_cast<float>(v >= half ? v - 2 * half : v);
    }
  }
}

float Format::quantize(float x, Saturation sat) const {
  switch (kind_) {
    case FormatKind::kFloat:
      return detail::FloatKernel(spec_, sat == Saturation::kSaturate)(x);
    case FormatKind::kBinary:
      return detail::quantize_binary(x);
    case FormatKind::kMxFloat:
    case FormatKind::kMxInt:
      block_format_error(name_, "quantize");
    default:
      return spec_.wide ? detail::quantize_int_wide(x, spec_.qmin, spec_.qmax)
                        : detail::quantize_int(x, spec_.qmin, spec_.qmax);
  }
}

Format Format::element_format() const {
  if (!is_block()) return *this;
  return Format::parse(element_name_);
}

}  // namespace mpsim
