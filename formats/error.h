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

// Text from a file (a name, a key, a value) as a message may quote it: bytes below 0x20, 0x7f,
// C1 controls (U+0080 to U+009F) and bytes that are not valid UTF-8 become \xNN, so a binary
// file cannot drive the terminal or garble the message; past `max_chars` characters it is cut
// and ends in "...".
std::string printable(std::string_view text, std::size_t max_chars = 80);
// printable(text) in single quotes: "layer " + quote(name).
std::string quote(std::string_view text);
// A whole message made safe for a terminal the same way, keeping its line breaks and tabs and
// its length: the last guard before a message is printed.
std::string printable_message(std::string_view message);

// A number as a message shows it: %g with `digits` significant digits ("0.5", "6", "1e+308",
// "-inf"), never 300 digits. 15 digits show a double as written; 7 a value stored as a float
// (1e30f is 1.00000002e+30 exactly).
std::string number_text(double v, int digits = 15);

}  // namespace mpsim
