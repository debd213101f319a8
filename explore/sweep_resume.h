// Resuming an interrupted `mpsim sweep`: completed points are kept next to the output, one line
// each, tagged with a fingerprint of the command's inputs so that a different command never
// reuses them. `F.csv.partial` holds the rows of earlier runs and of in-process evaluation;
// worker processes append to their own `F.csv.partial.W` files, merged in on the next load.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "explore/sweep_csv.h"

namespace mpsim {

// "<fingerprint> <point> <area> <energy> <latency> <cycles>\n": numbers in format_number's
// lossless form, so a row read back renders the same bytes as the evaluated one.
std::string encode_result_line(const std::string& fingerprint, const PointResult& r);

struct DecodedLine {
  std::string fingerprint;
  PointResult result;
};
// nullopt for a malformed line (e.g. the torn last line of a killed process).
std::optional<DecodedLine> decode_result_line(std::string_view line);

class ResumeStore {
 public:
  ResumeStore(std::string output_path, std::string fingerprint);

  std::string sidecar_path() const { return output_ + ".partial"; }
  std::string part_path(int worker) const;
  const std::string& fingerprint() const { return fingerprint_; }

  struct Loaded {
    std::vector<PointResult> rows;  // completed points with index < point_count, one per index
    bool stale = false;             // rows of another command were found and dropped
  };
  // Reads the sidecar and any part files, then rewrites the sidecar with exactly the rows kept
  // (dropping torn lines, so appends start on a fresh line) and removes the part files.
  Loaded load(std::size_t point_count) const;

  // Removes the sidecar and part files (after the output is written).
  void remove_all() const;

  // Every line of the part files of workers 0..workers-1 with this fingerprint.
  std::vector<PointResult> read_parts(int workers) const;

 private:
  std::vector<std::string> existing_part_paths() const;

  std::string output_;
  std::string fingerprint_;
};

// An append-only file where each result becomes one line written by a single write(2), so a
// killed process leaves at most a torn last line and nothing stays in a user-space buffer.
class ResultLog {
 public:
  ResultLog(const std::string& path, std::string fingerprint, bool truncate);
  ~ResultLog();
  ResultLog(const ResultLog&) = delete;
  ResultLog& operator=(const ResultLog&) = delete;
  void append(const PointResult& r);

 private:
  std::string path_;
  std::string fingerprint_;
  int fd_ = -1;
};

}  // namespace mpsim
