// Text for people: aligned tables, percentages, numbers with thousands separators; shared by the
// reports and the command. CSV quoting is record_text.h's; files written whole or not at all are
// formats/output_file.h's.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "explore/record_text.h"

namespace mpsim {

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

// "12.34 %" of a fraction; "n/a" for NaN.
std::string percent_text(double fraction);

// 1234567 -> "1,234,567"
std::string with_commas(long long v);

}  // namespace mpsim
