// Format names: building descriptors, parsing names, the list of named formats.
#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>

#include "formats/error.h"
#include "formats/format.h"

namespace mpsim {

void Format::set_name(std::string name) {
  name_ = std::move(name);
  char packed[sizeof(name_key_)] = {};
  std::copy_n(name_.data(), std::min(name_.size(), sizeof(packed)), packed);
  std::memcpy(name_key_, packed, sizeof(packed));
}

// Builds descriptors; a friend of Format so the fields stay private to everyone else.
struct FormatBuilder {
  static Format float_format(std::string name, int e, int m, detail::Specials specials) {
    Format f;
    f.set_name(std::move(name));
    f.kind_ = FormatKind::kFloat;
    f.bits_ = 1 + e + m;
    f.exp_bits_ = e;
    f.man_bits_ = m;
    f.block_size_ = 1;
    f.scale_bits_ = 0;

    detail::Spec& s = f.spec_;
    s.exp_bits = e;
    s.man_bits = m;
    s.bias = (1 << (e - 1)) - 1;
    s.specials = specials;
    s.identity = e == 8 && m == 23 && specials == detail::Specials::kIeee;
    const int emin = 1 - s.bias;
    const int top = (1 << e) - 1;  // the all-ones exponent field
    // The largest finite code: IEEE reserves the whole top binade; E4M3-style formats only its
    // all-ones mantissa; FP6/FP4 use every code.
    int max_exp = top - s.bias;
    double max_significand = 2.0 - std::ldexp(1.0, -m);
    if (specials == detail::Specials::kIeee) max_exp -= 1;
    if (specials == detail::Specials::kNanOnly) max_significand = 2.0 - std::ldexp(1.0, 1 - m);
    s.max = std::ldexp(max_significand, max_exp);
    s.min_normal = std::ldexp(1.0, emin);
    s.min_subnormal = std::ldexp(1.0, emin - m);
    s.element_emax = max_exp;

    s.round_shift = static_cast<std::uint32_t>(23 - m);
    s.round_half = s.round_shift ? (1u << (s.round_shift - 1)) - 1 : 0u;
    s.round_lsb = s.round_shift ? 1u : 0u;
    s.round_mask = ~((1u << s.round_shift) - 1u);
    s.max_bits = std::bit_cast<std::uint32_t>(static_cast<float>(s.max));
    s.min_normal_bits = std::bit_cast<std::uint32_t>(static_cast<float>(s.min_normal));
    s.subnormal_magic = std::ldexp(1.0f, emin - m + 23);
    return f;
  }

  static Format int_format(std::string name, FormatKind kind, int bits) {
    Format f;
    f.set_name(std::move(name));
    f.kind_ = kind;
    f.bits_ = bits;
    f.exp_bits_ = 0;
    f.block_size_ = 1;
    f.scale_bits_ = 0;
    detail::Spec& s = f.spec_;
    switch (kind) {
      case FormatKind::kUnsignedInt:
        f.man_bits_ = bits;
        s.int_min = 0;
        s.int_max = (std::int64_t{1} << bits) - 1;
        break;
      case FormatKind::kBinary:
        f.man_bits_ = 0;
        s.int_min = -1;
        s.int_max = 1;
        break;
      default:  // signed and ternary: symmetric narrow range
        f.man_bits_ = bits - 1;
        s.int_max = (std::int64_t{1} << (bits - 1)) - 1;
        s.int_min = -s.int_max;
        break;
    }
    s.qmin = toward_zero(s.int_min);
    s.qmax = toward_zero(s.int_max);
    s.wide = s.int_max > (std::int64_t{1} << 22);
    s.max = static_cast<double>(s.int_max);
    s.min_normal = 1;
    s.min_subnormal = 1;
    s.element_emax = std::ilogb(s.max);
    return f;
  }

  // The fp32 nearest to v that is not further from zero: a clamp bound that stays in range.
  static float toward_zero(std::int64_t v) {
    auto f = static_cast<float>(v);
    if (std::fabs(static_cast<double>(f)) > std::fabs(static_cast<double>(v)))
      f = std::nextafter(f, 0.0f);
    return f;
  }

  static Format mx_format(std::string name, const Format& element) {
    Format f = element;
    f.element_name_ = element.name_;
    f.set_name(std::move(name));
    f.block_size_ = 32;
    f.scale_bits_ = 8;
    if (element.kind_ == FormatKind::kFloat) {
      f.kind_ = FormatKind::kMxFloat;
    } else {
      // OCP MX INT8: two's complement with an implied scale of 2^-6 (values -2 .. 127/64),
      // clamped symmetrically to +-127/64 like the narrow-range int8 it is built from.
      f.kind_ = FormatKind::kMxInt;
      detail::Spec& s = f.spec_;
      s.unit = 1.0f / 64.0f;
      s.max = static_cast<double>(s.int_max) * s.unit;
      s.min_normal = s.unit;
      s.min_subnormal = s.unit;
      s.element_emax = 0;
    }
    return f;
  }
};

namespace {

using detail::Specials;

struct NamedFloat {
  const char* name;
  int e, m;
  Specials specials;
};

// In the order `mpsim formats` lists them: widest first.
constexpr NamedFloat kNamedFloats[] = {
    {"fp32", 8, 23, Specials::kIeee},       {"bf16", 8, 7, Specials::kIeee},
    {"fp16", 5, 10, Specials::kIeee},       {"fp8_e5m2", 5, 2, Specials::kIeee},
    {"fp8_e4m3", 4, 3, Specials::kNanOnly}, {"fp6_e3m2", 3, 2, Specials::kNone},
    {"fp6_e2m3", 2, 3, Specials::kNone},    {"fp4_e2m1", 2, 1, Specials::kNone},
};

constexpr const char* kMxNames[] = {"mxfp8_e5m2", "mxfp8_e4m3", "mxfp6_e3m2",
                                    "mxfp6_e2m3", "mxfp4_e2m1", "mxint8"};

constexpr int kMinIntBits = 2;
constexpr int kMaxListedIntBits = 16;  // listed: 2..16 and 32 (accumulators)
constexpr int kMaxIntBits = 32;

// Names people type that are not ours, mapped to what they probably meant (hints only: accepting
// them would make a format print back under a different name).
struct Alias {
  const char* typed;
  const char* meant;
};
constexpr Alias kAliases[] = {
    {"float32", "fp32"},     {"float", "fp32"},        {"single", "fp32"},
    {"float16", "fp16"},     {"half", "fp16"},         {"bfloat16", "bf16"},
    {"fp8", "fp8_e4m3"},     {"e4m3fnuz", "fp8_e4m3"}, {"int64", "int32"},
    {"uint64", "uint32"},    {"int1", "binary"},       {"mxfp8", "mxfp8_e4m3"},
    {"mxfp6", "mxfp6_e2m3"}, {"mxfp4", "mxfp4_e2m1"},  {"nvfp4", "mxfp4_e2m1"},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A decimal without sign or leading zeros; nullopt otherwise.
std::optional<int> small_number(std::string_view s) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<Format> named_float(std::string_view name) {
  for (const auto& n : kNamedFloats)
    if (name == n.name) return FormatBuilder::float_format(n.name, n.e, n.m, n.specials);
  return std::nullopt;
}

// eXmY (IEEE-style: the top exponent holds infinity and NaN) or eXmYfn (finite: no infinity,
// NaN = all ones, as OCP E4M3). The limits keep every value exactly representable in fp32.
std::optional<Format> generic_float(const std::string& name, std::string* why) {
  if (name.size() < 4 || name[0] != 'e') return std::nullopt;
  const auto m_pos = name.find('m');
  if (m_pos == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(name).substr(m_pos + 1);
  const bool finite = rest.ends_with("fn");
  if (finite) rest.remove_suffix(2);
  const auto e = small_number(std::string_view(name).substr(1, m_pos - 1));
  const auto m = small_number(rest);
  if (!e || !m) return std::nullopt;
  const int min_e = finite ? 1 : 2;
  const int max_e = finite ? 7 : 8;
  if (*e < min_e || *e > max_e) {
    *why = "'" + name + "' needs " + std::to_string(min_e) + ".." + std::to_string(max_e) +
           " exponent bits" +
           (finite ? " (an eXmYfn format with 8 would exceed fp32's range)"
                   : " (IEEE-style needs 2 so that normal numbers remain)");
    return std::nullopt;
  }
  if (*m < 1 || *m > 23) {
    *why = "'" + name + "' needs 1..23 mantissa bits (fp32 holds 23)";
    return std::nullopt;
  }
  return FormatBuilder::float_format(name, *e, *m, finite ? Specials::kNanOnly : Specials::kIeee);
}

std::optional<Format> int_family(const std::string& name, std::string* why) {
  const bool is_unsigned = name.starts_with("uint");
  if (!is_unsigned && !name.starts_with("int")) return std::nullopt;
  const auto bits = small_number(std::string_view(name).substr(is_unsigned ? 4 : 3));
  if (!bits) return std::nullopt;
  if (*bits < kMinIntBits || *bits > kMaxIntBits) {
    *why = "'" + name + "': integer formats have " + std::to_string(kMinIntBits) + ".." +
           std::to_string(kMaxIntBits) + " bits";
    return std::nullopt;
  }
  return FormatBuilder::int_format(
      name, is_unsigned ? FormatKind::kUnsignedInt : FormatKind::kSignedInt, *bits);
}

std::optional<Format> parse_lower(const std::string& name, std::string* why) {
  if (auto f = named_float(name)) return f;
  if (name == "binary") return FormatBuilder::int_format(name, FormatKind::kBinary, 1);
  if (name == "ternary") return FormatBuilder::int_format(name, FormatKind::kTernary, 2);
  if (name == "mxint8")
    return FormatBuilder::mx_format(name,
                                    FormatBuilder::int_format("int8", FormatKind::kSignedInt, 8));
  if (name.starts_with("mx")) {
    for (const char* mx : kMxNames)
      if (name == mx) return FormatBuilder::mx_format(name, *named_float(name.substr(2)));
    return std::nullopt;
  }
  if (auto f = int_family(name, why)) return f;
  if (!why->empty()) return std::nullopt;
  return generic_float(name, why);
}

std::string valid_names_summary() {
  std::vector<std::string> names;
  for (const auto& n : kNamedFloats)
    names.emplace_back(n.name);
  for (const char* n : kMxNames)
    names.emplace_back(n);
  names.emplace_back("int2..int32");
  names.emplace_back("uint2..uint32");
  names.emplace_back("ternary");
  names.emplace_back("binary");
  return join(names) + ", or a generic float eXmY / eXmYfn (e.g. e3m4, e4m3fn)";
}

std::vector<std::string> hints(const std::string& typed) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& n) {
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  };
  for (const auto& a : kAliases)
    if (typed == a.typed) add(a.meant);
  const auto names = format_names();
  for (const auto& n : names)
    if (n.starts_with(typed + "_")) add(n);
  for (const auto& n : closest_names(typed, names))
    add(n);
  return out;
}

}  // namespace

std::optional<Format> Format::try_parse(std::string_view name) {
  std::string why;
  return parse_lower(lower(name), &why);
}

Format Format::parse(std::string_view name) {
  const std::string key = lower(name);
  std::string why;
  if (auto f = parse_lower(key, &why)) return *f;
  std::string message = why.empty() ? "unknown number format " + quote(name) : "format " + why;
  const auto h = hints(key);
  if (!h.empty()) message += "; did you mean " + join(h, " or ") + "?";
  message += "; valid formats: " + valid_names_summary();
  throw UserError(message);
}

std::vector<Format> named_formats() {
  std::vector<Format> out;
  for (const auto& n : kNamedFloats)
    out.push_back(Format::parse(n.name));
  for (const char* n : kMxNames)
    out.push_back(Format::parse(n));
  for (const std::string family : {"int", "uint"}) {
    out.push_back(Format::parse(family + std::to_string(kMaxIntBits)));
    for (int b = kMaxListedIntBits; b >= kMinIntBits; --b)
      out.push_back(Format::parse(family + std::to_string(b)));
  }
  out.push_back(Format::parse("ternary"));
  out.push_back(Format::parse("binary"));
  return out;
}

std::vector<std::string> format_names() {
  std::vector<std::string> out;
  for (const auto& f : named_formats())
    out.push_back(f.name());
  return out;
}

}  // namespace mpsim
