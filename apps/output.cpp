#include "apps/output.h"

#include <cmath>
#include <cstdio>

#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "formats/error.h"

namespace mpsim::cli {

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

void check_output_path(const std::string& path, const std::string& option) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target(path);
  if (fs::is_directory(target, ec))
    throw UserError(option + " " + path + ": is a folder; give a file name");
  const fs::file_status st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    // A device or FIFO is written in place: it must be writable itself.
    if (::access(path.c_str(), W_OK) != 0)
      throw UserError(option + " " + path + ": cannot write: " + std::strerror(errno));
    return;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw UserError(option + " " + path + ": cannot write: folder '" + dir.string() +
                    "' does not exist");
  // Checked before the work, not when the results are ready.
  if (::access(dir.c_str(), W_OK) != 0)
    throw UserError(option + " " + path + ": cannot write: folder '" + dir.string() +
                    "' is not writable");
}

namespace {

// Writes to an existing special file (device, FIFO) in place.
void write_in_place(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary);
  if (!f) throw UserError(path + ": cannot write: " + std::strerror(errno));
  f << content;
  f.flush();
  if (!f) throw UserError(path + ": write failed: " + std::strerror(errno));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target(path);
  // A link is followed: the file it names is replaced, the link stays.
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    const fs::path resolved = fs::canonical(target, ec);
    if (!ec) target = resolved;
  }
  const fs::file_status st = fs::status(target, ec);
  if (fs::is_directory(st)) throw UserError(path + ": is a folder; give a file name");
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    write_in_place(target.string(), content);
    return;
  }
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(dir))
    throw UserError(path + ": cannot write: folder '" + dir.string() + "' does not exist");
  // Built by appending: g++ 12 warns falsely (-Wrestrict) on "." + std::string.
  std::string tmp_name = ".";
  tmp_name += target.filename().string();
  tmp_name += ".tmp.";
  tmp_name += std::to_string(getpid());
  const fs::path tmp = dir / tmp_name;
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw UserError(path + ": cannot write: " + std::strerror(errno));
    f << content;
    f.flush();
    if (!f) {
      const int err = errno;
      fs::remove(tmp, ec);
      throw UserError(path + ": write failed: " + std::strerror(err));
    }
    f.close();
    if (!f) {
      const int err = errno;
      fs::remove(tmp, ec);
      throw UserError(path + ": write failed: " + std::strerror(err));
    }
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw UserError(path + ": cannot replace: " + ec.message());
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

}  // namespace mpsim::cli
