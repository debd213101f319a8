// The number formats: the vocabulary every other part of mpsim speaks.
//
// A Format is a small value (a descriptor), parsed from its name and printed back by the same
// name. One generic conversion routine, parameterised by the descriptor, serves every format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim {

enum class FormatKind {
  kSignedInt,    // int2..int16: two's complement, symmetric narrow range by default
  kUnsignedInt,  // uint2..uint16: with a zero point
  kBinary,       // {-1, +1} times a scale
  kTernary,      // {-1, 0, +1} times a scale
  kFloat,        // fp4_e2m1 .. fp32, eXmY
  kMxFloat,      // OCP MX block of 32 floats sharing an E8M0 scale
  kMxInt,        // OCP MX block of 32 int8 sharing an E8M0 scale
};

// How an out-of-range value converts to a float format (OCP OFP8 semantics).
enum class Saturation {
  kSaturate,     // to +-max
  kNoSaturate,   // to NaN (formats without infinity) or +-infinity; FP6/FP4 saturate regardless
};

class Format {
 public:
  // Parses a name such as "int8", "fp8_e4m3", "e3m4", "mxfp4_e2m1". Throws UserError listing
  // the valid names when `name` is unknown.
  static Format parse(std::string_view name);
  static std::optional<Format> try_parse(std::string_view name);

  const std::string& name() const { return name_; }
  FormatKind kind() const { return kind_; }
  bool is_float() const { return kind_ == FormatKind::kFloat || kind_ == FormatKind::kMxFloat; }
  bool is_integer() const { return !is_float(); }
  bool is_block() const { return block_size_ > 1; }

  int bits() const { return bits_; }                 // bits of one element
  int exponent_bits() const { return exp_bits_; }    // 0 for integers
  int mantissa_bits() const { return man_bits_; }    // stored fraction bits; value bits for ints
  int block_size() const { return block_size_; }     // 32 for MX, 1 otherwise
  int scale_bits() const { return scale_bits_; }     // 8 (E8M0) for MX, 0 otherwise
  double storage_bits() const;                       // per element, shared scale amortized

  double max() const;            // largest finite magnitude (elements: before any scale)
  double min_normal() const;     // smallest positive normal (floats); 1 for integers
  double min_subnormal() const;  // smallest positive value
  bool has_infinity() const;
  bool has_nan() const;
  std::string special_values() const;  // human-readable, e.g. "NaN = S.1111.111; no infinity"

  // Element codes (not for MX blocks as a whole: use the element format).
  std::uint32_t encode(float x, Saturation s = Saturation::kSaturate) const;
  float decode(std::uint32_t code) const;
  std::uint32_t code_count() const;  // 2^bits

  // Round to nearest, ties to even, into this (element) format and back to float.
  float quantize(float x, Saturation s = Saturation::kSaturate) const;

  // For MX formats: the element format (e.g. fp4_e2m1 for mxfp4_e2m1) and the exponent of the
  // element's largest power of two (emax_elem in the OCP MX spec).
  Format element_format() const;
  int element_emax() const;

  bool operator==(const Format& o) const { return name_ == o.name_; }

 private:
  std::string name_;
  FormatKind kind_ = FormatKind::kSignedInt;
  int bits_ = 8;
  int exp_bits_ = 0;
  int man_bits_ = 7;
  int block_size_ = 1;
  int scale_bits_ = 0;
  // more descriptor fields as needed by the implementation
};

// The named formats, in the order `mpsim formats` lists them.
std::vector<Format> named_formats();
std::vector<std::string> format_names();

}  // namespace mpsim
