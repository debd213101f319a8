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

}  // namespace mpsim::cli
