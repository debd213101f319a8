#include "explore/record_text.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string_view>

#include "formats/input_file.h"

namespace mpsim {

std::string format_number(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;

// FNV-1a 64: `h` updated with the bytes of `s`.
void fnv_mix(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
}

std::string hex16(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string fingerprint(const std::vector<std::string>& inputs) {
  std::uint64_t h = kFnvOffsetBasis;
  for (const auto& in : inputs) {
    fnv_mix(h, std::to_string(in.size()));
    fnv_mix(h, ":");
    fnv_mix(h, in);
  }
  return hex16(h);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    out += csv_field(fields[i]);
  }
  out += '\n';
  return out;
}

std::string content_digest_if_file(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) return {};
  const InputFile f(path, "");
  std::uint64_t h = kFnvOffsetBasis;
  std::vector<char> buf(1 << 20);
  std::uint64_t at = 0;
  // In pieces: a data set or a model may be hundreds of megabytes.
  for (std::size_t got; (got = f.read_at(at, buf.data(), buf.size())) > 0; at += got)
    fnv_mix(h, std::string_view(buf.data(), got));
  return std::to_string(at) + " bytes " + hex16(h);
}

}  // namespace mpsim
