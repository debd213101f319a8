#include "explore/sweep_resume.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "explore/text_table.h"
#include "formats/error.h"
#include "formats/input_file.h"
#include "formats/output_file.h"

namespace mpsim {

namespace fs = std::filesystem;

namespace {

template <typename T>
bool parse_whole(std::string_view s, T& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> split_spaces(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto end = std::min(s.find(' ', start), s.size());
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// A record file's text; "" when there is none yet.
std::string read_record(const std::string& path) {
  return read_text_file_if_present(path, "sweep's record of results", kMaxRecordFileBytes)
      .value_or("");
}

}  // namespace

std::string encode_result_line(const std::string& fingerprint, const PointResult& r) {
  return fingerprint + ' ' + std::to_string(r.index) + ' ' + format_number(r.area_mm2) + ' ' +
         format_number(r.energy_pj) + ' ' + format_number(r.leakage_pj) + ' ' +
         format_number(r.latency_s) + ' ' + std::to_string(r.cycles) + '\n';
}

std::optional<DecodedLine> decode_result_line(std::string_view line) {
  const auto f = split_spaces(line);
  if (f.size() != 7 || f[0].empty()) return std::nullopt;
  DecodedLine d;
  d.fingerprint = std::string(f[0]);
  if (!parse_whole(f[1], d.result.index) || !parse_whole(f[2], d.result.area_mm2) ||
      !parse_whole(f[3], d.result.energy_pj) || !parse_whole(f[4], d.result.leakage_pj) ||
      !parse_whole(f[5], d.result.latency_s) || !parse_whole(f[6], d.result.cycles))
    return std::nullopt;
  return d;
}

ResumeStore::ResumeStore(std::string output_path, std::string fingerprint)
    : output_(std::move(output_path)), fingerprint_(std::move(fingerprint)) {}

std::string ResumeStore::part_path(int worker) const {
  return sidecar_path() + "." + std::to_string(worker);
}

std::vector<std::string> ResumeStore::existing_part_paths() const {
  // Any worker count: the interrupted run may have used another --jobs.
  std::vector<std::string> parts;
  const fs::path side(sidecar_path());
  const fs::path dir = side.has_parent_path() ? side.parent_path() : fs::path(".");
  const std::string prefix = side.filename().string() + ".";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const auto suffix = name.substr(prefix.size());
    if (suffix.find_first_not_of("0123456789") == std::string::npos)
      parts.push_back((dir / name).string());
  }
  return parts;
}

ResumeStore::Loaded ResumeStore::load(std::size_t point_count) const {
  std::vector<std::string> files{sidecar_path()};
  for (auto& p : existing_part_paths())
    files.push_back(std::move(p));
  Loaded loaded;
  std::map<std::size_t, PointResult> rows;
  for (const auto& file : files) {
    const std::string text = read_record(file);
    std::size_t start = 0;
    // Only newline-terminated lines count: a line cut short by a kill may still parse.
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      const auto d = decode_result_line(std::string_view(text).substr(start, nl - start));
      start = nl + 1;
      if (!d) continue;
      if (d->fingerprint != fingerprint_) {
        loaded.stale = true;
        continue;
      }
      if (d->result.index < point_count) rows.emplace(d->result.index, d->result);
    }
  }
  std::string kept;
  for (const auto& [index, r] : rows) {
    loaded.rows.push_back(r);
    kept += encode_result_line(fingerprint_, r);
  }
  if (fs::exists(sidecar_path()) || !kept.empty()) write_file_atomically(sidecar_path(), kept);
  for (std::size_t i = 1; i < files.size(); ++i) {
    std::error_code ec;
    fs::remove(files[i], ec);
  }
  return loaded;
}

std::vector<PointResult> ResumeStore::read_parts(int workers) const {
  std::vector<PointResult> out;
  for (int w = 0; w < workers; ++w) {
    const std::string text = read_record(part_path(w));
    std::size_t start = 0;
    for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', start)) {
      const auto d = decode_result_line(std::string_view(text).substr(start, nl - start));
      start = nl + 1;
      if (d && d->fingerprint == fingerprint_) out.push_back(d->result);
    }
  }
  return out;
}

void ResumeStore::remove_all() const {
  std::error_code ec;
  for (const auto& p : existing_part_paths())
    fs::remove(p, ec);
  fs::remove(sidecar_path(), ec);
}

ResultLog::ResultLog(const std::string& path, std::string fingerprint, bool truncate)
    : path_(path), fingerprint_(std::move(fingerprint)) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (truncate ? O_TRUNC : 0),
               0644);
  if (fd_ < 0) throw UserError(path + ": cannot write: " + std::strerror(errno));
}

ResultLog::~ResultLog() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultLog::append(const PointResult& r) {
  const std::string line = encode_result_line(fingerprint_, r);
  std::size_t done = 0;
  while (done < line.size()) {
    const auto n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw UserError(path_ + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace mpsim
