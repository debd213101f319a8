// The number formats: the vocabulary every other part of mpsim speaks.
//
// A Format is a small value (a descriptor), parsed from its name and printed back by the same
// name. One generic conversion routine, parameterised by the descriptor, serves every format.
// Definitions, sources and the conventions chosen are in docs/formats.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim {

enum class FormatKind {
  kSignedInt,    // int2..int32: two's complement, symmetric narrow range by default
  kUnsignedInt,  // uint2..uint32: with a zero point
  kBinary,       // {-1, +1} times a scale
  kTernary,      // {-1, 0, +1} times a scale
  kFloat,        // fp4_e2m1 .. fp32, eXmY
  kMxFloat,      // OCP MX block of 32 floats sharing an E8M0 scale
  kMxInt,        // OCP MX block of 32 int8 sharing an E8M0 scale
};

// "int", "uint", "binary", "ternary", "float", "mx-float", "mx-int".
std::string_view kind_name(FormatKind k);

// How an out-of-range value converts to a float format (OCP OFP8 semantics).
enum class Saturation {
  kSaturate,    // to +-max, infinities included (ONNX Cast saturate=1, PTX .satfinite)
  kNoSaturate,  // to NaN (formats without infinity) or +-infinity; FP6/FP4 saturate regardless
};

namespace detail {

// Where a float format keeps its special values.
enum class Specials : std::uint8_t {
  kNone,     // every code is finite (OCP FP6, FP4)
  kIeee,     // top exponent: infinity (mantissa 0) and NaN (mantissa != 0)
  kNanOnly,  // no infinity; NaN = S.1..1.1..1 only (OCP E4M3, "fn" formats)
};

// Every constant the conversion kernels need, computed once when a name is parsed so the
// per-element paths do no lookups. For MX formats it describes the element.
struct Spec {
  // Floats. Rounding works on the fp32 bit pattern: see formats/src/kernels.h.
  int exp_bits = 0;
  int man_bits = 0;
  int bias = 0;
  Specials specials = Specials::kNone;
  bool identity = false;          // fp32 (e8m23): conversion is the identity
  std::uint32_t round_shift = 0;  // 23 - man_bits
  std::uint32_t round_half = 0;   // 2^(round_shift-1) - 1, 0 when round_shift is 0
  std::uint32_t round_lsb = 0;    // 1 when round_shift > 0: the ties-to-even term
  std::uint32_t round_mask = 0;   // clears the dropped fraction bits
  std::uint32_t max_bits = 0;     // fp32 bits of the largest finite magnitude
  std::uint32_t min_normal_bits = 0;
  float subnormal_magic = 0;  // 2^(emin - man_bits + 23): adding it rounds to the grid
  // Integers (and MX int8 elements): the code range, exact and as fp32 clamp bounds (rounded
  // toward zero where fp32 cannot hold them: formats wider than 24 bits), and the value of code 1.
  std::int64_t int_min = 0;
  std::int64_t int_max = 0;
  float qmin = 0;
  float qmax = 0;
  bool wide = false;  // qmax > 2^22: rounding needs the slower path (see kernels.h)
  float unit = 1;     // 2^-6 for MX int8 elements, 1 otherwise
  // Shared by all.
  double max = 0;
  double min_normal = 0;
  double min_subnormal = 0;
  int element_emax = 0;  // exponent of the element's largest power of two (OCP MX emax_elem)
};

}  // namespace detail

class Format {
 public:
  // Parses a name such as "int8", "fp8_e4m3", "e3m4", "mxfp4_e2m1" (case-insensitive; name()
  // is the lower-case spelling). Throws UserError listing the valid names when `name` is unknown.
  static Format parse(std::string_view name);
  static std::optional<Format> try_parse(std::string_view name);

  const std::string& name() const { return name_; }
  FormatKind kind() const { return kind_; }
  bool is_float() const { return kind_ == FormatKind::kFloat || kind_ == FormatKind::kMxFloat; }
  bool is_integer() const { return !is_float(); }
  bool is_block() const { return block_size_ > 1; }

  int bits() const { return bits_; }                // bits of one element
  int exponent_bits() const { return exp_bits_; }   // 0 for integers
  int mantissa_bits() const { return man_bits_; }   // stored fraction bits; value bits for ints
  int exponent_bias() const { return spec_.bias; }  // 0 for integers
  int block_size() const { return block_size_; }    // 32 for MX, 1 otherwise
  int scale_bits() const { return scale_bits_; }    // 8 (E8M0) for MX, 0 otherwise
  double storage_bits() const;                      // per element, shared scale amortized

  double max() const;            // largest finite magnitude (elements: before any scale)
  double min_normal() const;     // smallest positive normal (floats); the step for integers
  double min_subnormal() const;  // smallest positive value
  bool has_infinity() const;
  bool has_nan() const;
  std::string special_values() const;  // human-readable, e.g. "NaN = S.1111.111; no infinity"

  // Integer formats: the code range used by quantization (narrow range for intN: -qmax..qmax;
  // 0..2^b-1 for uintN; -1..1 for binary and ternary). 0 for floats.
  std::int64_t qmin() const { return spec_.int_min; }
  std::int64_t qmax() const { return spec_.int_max; }

  // Element codes: the low bits() bits of the result. Throws UserError for MX formats as a whole
  // (use element_format() or formats/mx.h) and when NaN is encoded into a format without NaN.
  std::uint32_t encode(float x, Saturation s = Saturation::kSaturate) const;
  float decode(std::uint32_t code) const;
  std::uint64_t code_count() const;  // 2^bits (2^32 for fp32)

  // Round to nearest, ties to even, into this (element) format and back to float. NaN stays NaN
  // even in formats that cannot encode it, so a broken value stays visible. Integer formats use
  // scale 1 (see formats/fake_quant.h for scales and zero points). Throws UserError for MX.
  float quantize(float x, Saturation s = Saturation::kSaturate) const;

  // For MX formats: the element format (e.g. fp4_e2m1 for mxfp4_e2m1; int8 for mxint8, whose
  // elements are int8 codes times 2^-6) and the exponent of the element's largest power of two
  // (emax_elem in the OCP MX spec). For other formats: the format itself, and its emax.
  Format element_format() const;
  int element_emax() const { return spec_.element_emax; }

  // The precomputed descriptor, for the kernels in formats/fake_quant.h and formats/mx.h.
  const detail::Spec& spec() const { return spec_; }

  // Same name, same format. Names of up to 16 characters are compared as two packed words
  // (cost models compare formats in their inner loops); longer ones as strings.
  bool operator==(const Format& o) const {
    return name_key_[0] == o.name_key_[0] && name_key_[1] == o.name_key_[1] &&
           (name_.size() <= sizeof(name_key_) || name_ == o.name_);
  }

 private:
  friend struct FormatBuilder;
  void set_name(std::string name);

  std::string name_;
  std::uint64_t name_key_[2] = {0, 0};  // the name's first 16 bytes, zero-padded
  FormatKind kind_ = FormatKind::kSignedInt;
  int bits_ = 8;
  int exp_bits_ = 0;
  int man_bits_ = 7;
  int block_size_ = 1;
  int scale_bits_ = 0;
  std::string element_name_;  // MX only
  detail::Spec spec_;
};

// The named formats, in the order `mpsim formats` lists them. Format::parse also accepts the
// generic eXmY / eXmYfn forms and int17..int31 / uint17..uint31, which are not listed.
std::vector<Format> named_formats();
std::vector<std::string> format_names();

}  // namespace mpsim
