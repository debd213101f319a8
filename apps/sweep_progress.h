// A one-line progress bar for `mpsim sweep`, redrawn in place with '\r'. Meant for a terminal
// only: the caller passes no stream when stderr is a file or a pipe, and the bar stays silent.
#pragma once

#include <cstddef>
#include <iosfwd>

namespace mpsim::cli {

class ProgressBar {
 public:
  // `out` may be null (no bar). `done` points are already complete (resumed).
  ProgressBar(std::ostream* out, std::size_t total, std::size_t done);
  void advance();
  void finish();  // ends the line

 private:
  void draw();
  std::ostream* out_;
  std::size_t total_, done_;
  bool drawn_ = false;
};

// The stream for the bar: `err` when it is the process's stderr and that is a terminal.
std::ostream* progress_stream(std::ostream& err);

}  // namespace mpsim::cli
