// The `mpsim` command as a function, so tests run it in-process.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mpsim::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

// Runs `mpsim args...` (args excludes the program name). Returns the exit status: 0 on success,
// 2 on bad input (the message, naming the file, line or key, goes to io.err).
int run(const std::vector<std::string>& args, Io io);

// After `run`: flushes `out` and, if any write to it failed (a full disk, a closed pipe, >
// /dev/full), says so on `err` and turns a successful `status` into 1, so lost output never exits
// 0.
int finish_output(std::ostream& out, std::ostream& err, int status);

}  // namespace mpsim::cli
