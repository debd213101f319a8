#include "formats/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "formats/error.h"

namespace mpsim {

namespace {

// Words for the errors a user can cause by the path they give; others in the C library's.
std::string errno_reason(int err) {
  switch (err) {
    case ENOENT:
      return "no such file";
    case ENOTDIR:
      return "a part of the path is not a folder";
    case ENAMETOOLONG:
      return "the name is too long (a part of the path over 255 bytes, or the whole path over "
             "4095)";
    case ELOOP:
      return "too many levels of symbolic links (the links form a loop?)";
    case EACCES:
      return "permission denied";
    default:
      return std::generic_category().message(err);
  }
}

// What a file that is not a regular one is, for "PATH: is a directory, not a regular file".
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "is a directory";
  if (S_ISCHR(mode)) return "is a character device";
  if (S_ISBLK(mode)) return "is a block device";
  if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "is a socket";
  return "is a special file";
}

// "64 MiB (67108864 bytes)": readable, and exact for whoever wants to compare.
std::string size_words(std::uint64_t bytes) {
  static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 6) {
    v /= 1024;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + " bytes";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g %s", v, units[unit]);
  return std::string(buf) + " (" + std::to_string(bytes) + " bytes)";
}

}  // namespace

std::string input_file_message(std::string_view path, std::string_view what,
                               std::string_view reason) {
  std::string m = std::string(path) + ": " + std::string(reason);
  if (!what.empty()) m += " (reading the " + std::string(what) + ")";
  return m;
}

InputFile::InputFile(std::string path, std::string_view what)
    : path_(std::move(path)), what_(what) {
  if (path_.empty())
    throw UserError("an empty file name" + (what_.empty() ? "" : " for the " + what_));
  // stat first: opening a FIFO for reading would wait for a writer, and a folder opens fine.
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) fail(errno_reason(errno));
  if (!S_ISREG(st.st_mode)) fail(kind_of(st.st_mode) + ", not a regular file");
  // O_NONBLOCK: should the path be swapped for a FIFO after the stat, open must not hang; it
  // has no effect on reading a regular file.
  do {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) fail("cannot open: " + errno_reason(errno));
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    fail("cannot open: " + errno_reason(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    fd_ = -1;
    fail(kind_of(st.st_mode) + ", not a regular file");
  }
  size_ = static_cast<std::uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (fd_ >= 0) ::close(fd_);
}

InputFile::InputFile(InputFile&& other) noexcept
    : path_(std::move(other.path_)),
      what_(std::move(other.what_)),
      fd_(other.fd_),
      size_(other.size_) {
  other.fd_ = -1;
}

void InputFile::fail(const std::string& message) const {
  throw UserError(input_file_message(path_, what_, message));
}

std::size_t InputFile::read_at(std::uint64_t offset, void* out, std::size_t n) const {
  auto* p = static_cast<char*>(out);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, p + done, n - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail("cannot read: " + errno_reason(errno));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  return done;
}

void InputFile::read_exact_at(std::uint64_t offset, void* out, std::size_t n,
                              std::string_view what) const {
  const std::size_t got = read_at(offset, out, n);
  if (got != n)
    fail("the file ends inside " + std::string(what) + " (byte " + std::to_string(offset + got) +
         " of the " + std::to_string(offset + n) + " it needs)");
}

std::string read_text_file(const std::string& path, std::string_view what, std::uint64_t cap) {
  const InputFile f(path, what);
  auto too_big = [&](std::uint64_t size, std::string_view qualifier) {
    f.fail("the file is " + std::string(qualifier) + size_words(size) + ", more than the " +
           size_words(cap) + " a text file may hold");
  };
  if (f.size() > cap) too_big(f.size(), "");
  // Read to the end rather than trusting the size: files in /proc report 0, and a file can
  // grow while it is read; the cap holds either way.
  std::string text;
  text.reserve(static_cast<std::size_t>(f.size()));
  char buf[1 << 16];
  for (;;) {
    const std::size_t got = f.read_at(text.size(), buf, sizeof buf);
    if (got == 0) break;
    if (text.size() + got > cap) too_big(text.size() + got, "at least ");
    text.append(buf, got);
  }
  return text;
}

std::optional<std::string> read_text_file_if_present(const std::string& path, std::string_view what,
                                                     std::uint64_t cap) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) return std::nullopt;
  return read_text_file(path, what, cap);
}

}  // namespace mpsim
