#include "explore/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

namespace mpsim {

ProgressBar::ProgressBar(std::ostream* out, std::size_t total, std::size_t done, std::string label,
                         std::string unit)
    : out_(out),
      total_(total),
      done_(done),
      start_done_(done),
      label_(std::move(label)),
      unit_(std::move(unit)) {
  draw();
}

void ProgressBar::advance() {
  ++done_;
  draw();
}

void ProgressBar::update(std::size_t done, std::size_t total) {
  done_ = done;
  total_ = total;
  draw();
}

void ProgressBar::finish() {
  if (out_ && drawn_) *out_ << '\n' << std::flush;
  drawn_ = false;
}

void ProgressBar::draw() {
  if (!out_ || total_ == 0) return;
  constexpr std::size_t kWidth = 30;
  const std::size_t filled = std::min(done_, total_) * kWidth / total_;
  *out_ << "\r" << label_ << " [" << std::string(filled, '#') << std::string(kWidth - filled, '.')
        << "] " << done_ << '/' << total_ << ' ' << unit_;
  // Time left at the pace of this run (resumed items took no time).
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (done_ > start_done_ && done_ < total_) {
    const double left =
        secs / static_cast<double>(done_ - start_done_) * static_cast<double>(total_ - done_);
    char eta[32];
    std::snprintf(eta, sizeof eta, ", %d:%02d left", static_cast<int>(left) / 60,
                  static_cast<int>(left) % 60);
    *out_ << eta;
  }
  *out_ << "   " << std::flush;
  drawn_ = true;
}

std::ostream* progress_stream(std::ostream& err) {
  // A captured stream (tests run the CLI in-process) must not get the bar even when the test
  // itself runs in a terminal.
  return &err == &std::cerr && ::isatty(STDERR_FILENO) ? &err : nullptr;
}

}  // namespace mpsim
