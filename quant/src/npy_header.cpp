#include "quant/src/npy_header.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

namespace mpsim::npy {

namespace {

// numpy itself refuses headers over 10,000 bytes unless told otherwise; 64 KiB (what a
// version 1.0 header can hold at most) bounds what is read as header and still takes any
// header numpy writes.
constexpr std::uint32_t kMaxHeaderBytes = 1 << 16;

struct DtypeName {
  std::string_view descr;
  Dtype type;
};
constexpr DtypeName kDtypes[] = {{"<f4", Dtype::kF4}, {"<f8", Dtype::kF8}, {"|i1", Dtype::kI1},
                                 {"|u1", Dtype::kU1}, {"|b1", Dtype::kB1}, {"<i4", Dtype::kI4},
                                 {"<u4", Dtype::kU4}, {"<i8", Dtype::kI8}, {"<u8", Dtype::kU8}};

std::uint32_t little_endian(const unsigned char* p, int bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v |= std::uint32_t{p[i]} << (8 * i);
  return v;
}

// A byte for a message: printable ASCII as itself, anything else as its value, so binary
// junk never reaches the terminal raw.
std::string shown(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
  return buf;
}

// The header is a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline. Parsed by hand, strictly: what numpy writes, nothing more.
class DictParser {
 public:
  DictParser(std::string_view text, std::uint64_t file_offset, const InputFile& file)
      : text_(text), offset_(file_offset), file_(file) {}

  void parse(Header& h) {
    bool fortran = false, have_descr = false, have_order = false, have_shape = false;
    skip_space();
    expect('{', "'{' opening the header dict");
    for (;;) {
      skip_space();
      if (eat('}')) break;
      const std::size_t key_at = pos_;
      const std::string key = string_literal("a quoted key");
      skip_space();
      expect(':', "':' after the key '" + key + "'");
      skip_space();
      bool* seen = nullptr;
      if (key == "descr") {
        seen = &have_descr;
        h.descr = string_literal("a quoted dtype such as '<f4' for 'descr'");
      } else if (key == "fortran_order") {
        seen = &have_order;
        fortran = boolean();
      } else if (key == "shape") {
        seen = &have_shape;
        h.shape = tuple();
      } else {
        pos_ = key_at;
        fail("the key 'descr', 'fortran_order' or 'shape'");
      }
      if (*seen) {
        pos_ = key_at;
        fail("each key once, not '" + key + "' again");
      }
      *seen = true;
      skip_space();
      if (eat(',')) continue;
      expect('}', "',' or '}' after the value of '" + key + "'");
      break;
    }
    skip_space();
    if (pos_ != text_.size()) fail("only spaces after the header dict");
    if (!have_descr || !have_order || !have_shape)
      file_.fail(".npy header: missing the key '" +
                 std::string(!have_descr   ? "descr"
                             : !have_order ? "fortran_order"
                                           : "shape") +
                 "'");
    if (fortran) file_.fail("Fortran-order arrays are not supported; save with C order");
  }

 private:
  [[noreturn]] void fail(const std::string& expected) const {
    file_.fail(".npy header: expected " + expected + " at byte " + std::to_string(offset_ + pos_) +
               ", found " + (pos_ < text_.size() ? shown(text_[pos_]) : "the header's end"));
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\t' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c, const std::string& what) {
    if (!eat(c)) fail(what);
  }
  // 'text' or "text", printable ASCII without escapes (no key or dtype needs one).
  std::string string_literal(const std::string& what) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) fail(what);
    const char quote = text_[pos_++];
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      const auto u = static_cast<unsigned char>(text_[pos_]);
      if (u < 0x20 || u >= 0x7f || u == '\\') fail("printable characters without escapes");
      s += text_[pos_++];
    }
    expect(quote, "the closing quote");
    return s;
  }
  bool boolean() {
    for (const auto& [word, value] :
         {std::pair{std::string_view("False"), false}, std::pair{std::string_view("True"), true}})
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        return value;
      }
    fail("False or True for 'fortran_order'");
  }
  // (), (5,), (2, 3): non-negative integers (a trailing L, as Python 2 wrote them, allowed).
  std::vector<std::uint64_t> tuple() {
    expect('(', "a tuple of dimensions such as (2, 3) for 'shape'");
    std::vector<std::uint64_t> dims;
    for (;;) {
      skip_space();
      if (eat(')')) break;
      dims.push_back(integer());
      eat('L');
      skip_space();
      if (eat(',')) continue;
      expect(')', "',' or ')' in the shape");
      break;
    }
    return dims;
  }
  std::uint64_t integer() {
    std::uint64_t v = 0;
    const char* begin = text_.data() + pos_;
    const char* end = text_.data() + text_.size();
    const auto r = std::from_chars(begin, end, v);
    if (r.ec == std::errc::result_out_of_range) fail("a dimension below 2^64");
    if (r.ec != std::errc() || *begin == '-' || *begin == '+')
      fail("a dimension (a whole number >= 0)");
    pos_ += static_cast<std::size_t>(r.ptr - begin);
    return v;
  }

  std::string_view text_;
  std::uint64_t offset_;
  const InputFile& file_;
  std::size_t pos_ = 0;
};

std::optional<Dtype> dtype_named(std::string_view descr) {
  for (const auto& d : kDtypes)
    if (d.descr == descr) return d.type;
  return std::nullopt;
}

}  // namespace

std::size_t item_size(Dtype t) {
  switch (t) {
    case Dtype::kI1:
    case Dtype::kU1:
    case Dtype::kB1:
      return 1;
    case Dtype::kF4:
    case Dtype::kI4:
    case Dtype::kU4:
      return 4;
    case Dtype::kF8:
    case Dtype::kI8:
    case Dtype::kU8:
      return 8;
  }
  return 0;
}

bool is_integer(Dtype t) {
  return t != Dtype::kF4 && t != Dtype::kF8;
}

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Header read_header(const InputFile& f) {
  static constexpr char kMagic[] = "\x93NUMPY";
  unsigned char pre[12];
  if (f.size() < 10)
    f.fail("not a .npy file (" + std::to_string(f.size()) +
           " bytes, no room for the \\x93NUMPY magic and version)");
  f.read_exact_at(0, pre, 10, "the .npy preamble");
  if (std::memcmp(pre, kMagic, 6) != 0) f.fail("not a .npy file (no \\x93NUMPY magic)");
  const int major = pre[6], minor = pre[7];
  if (major < 1 || major > 3 || minor != 0)
    f.fail("unsupported .npy format version " + std::to_string(major) + "." +
           std::to_string(minor) + "; expected 1.0, 2.0 or 3.0");
  // Version 1.0 gives the header's length in 2 bytes, later versions in 4.
  std::uint64_t start = 10;
  std::uint32_t length = little_endian(pre + 8, 2);
  if (major > 1) {
    f.read_exact_at(10, pre + 10, 2, "the .npy preamble");
    length = little_endian(pre + 8, 4);
    start = 12;
  }
  if (length > kMaxHeaderBytes)
    f.fail("the .npy header claims " + std::to_string(length) +
           " bytes; mpsim reads headers of at most " + std::to_string(kMaxHeaderBytes));
  if (start + length > f.size())
    f.fail("truncated .npy header: it claims " + std::to_string(length) + " bytes, the file has " +
           std::to_string(f.size() - start) + " after the preamble");
  std::string text(length, '\0');
  f.read_exact_at(start, text.data(), length, "the .npy header");

  Header h;
  DictParser(text, start, f).parse(h);
  const auto type = dtype_named(h.descr);
  if (!type)
    f.fail("unsupported .npy dtype '" + h.descr +
           "'; expected <f4, <f8, |u1 (values) or <i4, <i8, |u1 (labels)");
  h.dtype = *type;
  h.data_offset = start + length;
  std::uint64_t bytes = item_size(h.dtype);
  for (auto d : h.shape)
    if (__builtin_mul_overflow(bytes, d, &bytes))
      f.fail("the shape " + shape_text(h.shape) + " of " + h.descr +
             " needs more bytes than any file holds (its size overflows 64 bits)");
  h.data_bytes = bytes;
  const std::uint64_t available = f.size() - h.data_offset;
  if (bytes != available)
    f.fail(std::string(bytes > available ? "truncated data: " : "") + "the shape " +
           shape_text(h.shape) + " of " + h.descr + " needs " + std::to_string(bytes) +
           " bytes of data, the file has " + std::to_string(available) + " after its header");
  return h;
}

}  // namespace mpsim::npy
