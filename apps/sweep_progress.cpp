#include "apps/sweep_progress.h"

#include <unistd.h>

#include <iostream>
#include <string>

namespace mpsim::cli {

ProgressBar::ProgressBar(std::ostream* out, std::size_t total, std::size_t done)
    : out_(out), total_(total), done_(done) {
  draw();
}

void ProgressBar::advance() {
  ++done_;
  draw();
}

void ProgressBar::finish() {
  if (out_ && drawn_) *out_ << '\n' << std::flush;
  drawn_ = false;
}

void ProgressBar::draw() {
  if (!out_ || total_ == 0) return;
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = done_ * kWidth / total_;
  *out_ << "\rsweep [" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
        << done_ << '/' << total_ << " points" << std::flush;
  drawn_ = true;
}

std::ostream* progress_stream(std::ostream& err) {
  // A captured stream (tests run the CLI in-process) must not get the bar even when the test
  // itself runs in a terminal.
  return &err == &std::cerr && ::isatty(STDERR_FILENO) ? &err : nullptr;
}

}  // namespace mpsim::cli
