// Errors shared by every mpsim library.
//
// UserError is bad input (a file, a flag, a name): the command-line program turns it into a
// message and exit status 2. Anything else that escapes is a programming error. Libraries throw;
// only main() decides how to report.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line:col: message", leaving out what is unknown (line 0 or an empty file).
std::string located(std::string_view file, int line, int column, std::string_view message);

// The names among `candidates` closest to `name` by edit distance, best first: for "did you
// mean" hints. Returns at most `limit` names and none further than about a third of the length.
std::vector<std::string> closest_names(std::string_view name,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

// "a, b, c" for error messages.
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

}  // namespace mpsim
