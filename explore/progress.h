// A one-line progress bar for `mpsim sweep` and `mpsim search`, redrawn in place with '\r', with
// the time left at the pace so far. Meant for a terminal only: the caller passes no stream when
// stderr is a file or a pipe, and the bar stays silent.
#pragma once

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <string>

namespace mpsim {

class ProgressBar {
 public:
  // `out` may be null (no bar). `done` items are already complete (resumed).
  ProgressBar(std::ostream* out, std::size_t total, std::size_t done, std::string label = "sweep",
              std::string unit = "points");
  void advance();
  void update(std::size_t done, std::size_t total);  // for totals known only approximately
  void finish();                                     // ends the line

 private:
  void draw();
  std::ostream* out_;
  std::size_t total_, done_, start_done_;
  std::string label_, unit_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool drawn_ = false;
};

// The stream for the bar: `err` when it is the process's stderr and that is a terminal.
std::ostream* progress_stream(std::ostream& err);

}  // namespace mpsim
