#include "explore/text_table.h"

#include <cmath>
#include <cstdio>

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "formats/error.h"

namespace mpsim {

namespace {

bool looks_numeric(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) {
                       return std::isdigit(static_cast<unsigned char>(c)) || c == ',' || c == '.' ||
                              c == '-' || c == 'e' || c == '+' || c == '%';
                     }) &&
         (std::isdigit(static_cast<unsigned char>(s.back())) || s.back() == '%');
}

}  // namespace

void TextTable::print(std::ostream& out) const {
  std::vector<std::size_t> width(header_.size(), 0);
  for (std::size_t c = 0; c < header_.size(); ++c)
    width[c] = header_[c].size();
  for (const auto& row : rows_)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].size());

  auto print_row = [&](const std::vector<std::string>& row, bool header) {
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < row.size() ? row[c] : "";
      const bool right = !header && looks_numeric(cell);
      const std::string pad(width[c] - cell.size(), ' ');
      if (c) out << "  ";
      if (right) {
        out << pad << cell;
      } else {
        out << cell;
        if (c + 1 < width.size()) out << pad;
      }
    }
    out << '\n';
  };
  auto print_rule = [&] {
    std::size_t total = 0;
    for (auto w : width)
      total += w;
    total += 2 * (width.empty() ? 0 : width.size() - 1);
    out << std::string(total, '-') << '\n';
  };

  print_row(header_, true);
  print_rule();
  for (const auto& row : rows_) {
    if (row.empty()) {
      print_rule();
    } else {
      print_row(row, false);
    }
  }
}

std::string with_commas(long long v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string percent_text(double fraction) {
  if (std::isnan(fraction)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", 100 * fraction);
  return buf;
}

}  // namespace mpsim
