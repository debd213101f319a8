#include "formats/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/error.h"

namespace mpsim {

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

}  // namespace mpsim
