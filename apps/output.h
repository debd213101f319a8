// Output helpers shared by the subcommands: aligned text tables, CSV quoting, and files written
// whole or not at all.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace mpsim::cli {

// A text table with a header row; numeric-looking cells are right-aligned.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void add_rule() { rows_.emplace_back(); }  // a horizontal line before the next row
  void print(std::ostream& out) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// One CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
std::string csv_field(const std::string& s);
std::string csv_row(const std::vector<std::string>& fields);

// Writes `content` to `path` through a temporary file in the same folder and a rename, so a
// reader never sees half a file. Throws UserError naming the path when it cannot.
void write_file_atomically(const std::string& path, const std::string& content);

// 1234567 -> "1,234,567"
std::string with_commas(long long v);

}  // namespace mpsim::cli
