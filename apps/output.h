// Output helpers shared by the subcommands: aligned text tables, CSV quoting, and files written
// whole or not at all.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "explore/record_text.h"

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

// CSV fields and rows (explore/record_text.h's, shared with the libraries' own files).
using mpsim::csv_field;
using mpsim::csv_row;

// "12.34 %" of a fraction; "n/a" for NaN.
std::string percent_text(double fraction);

// Writes `content` to `path`. A regular file (or a new one) is written through a temporary file
// in its folder and a rename, so a reader never sees half a file; a symbolic link's target is
// replaced, not the link. A special file (a device such as /dev/null, a FIFO) is written
// directly, never replaced. Every write is checked. Throws UserError naming the path when it
// cannot.
void write_file_atomically(const std::string& path, const std::string& content);

// Refuses an output path before any work is done: a folder, or a file in a folder that does not
// exist. Throws UserError naming the path and the option.
void check_output_path(const std::string& path, const std::string& option = "-o");

// 1234567 -> "1,234,567"
std::string with_commas(long long v);

}  // namespace mpsim::cli
