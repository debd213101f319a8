// Opening input files: the one way every reader opens what a user names.
//
// A path may point anywhere: at a folder, a device (a link to /dev/zero named x.toml), a FIFO
// or a file far larger than its kind ever is. Every reader opens through InputFile, which
// refuses anything but a regular file, turns filesystem errors into messages naming the path
// and the reason, and knows the file's size before a byte is read, so a reader can check
// declared sizes against the real file and a text config is read whole only up to a cap.
// Errors are UserError ("PATH: REASON (reading the WHAT)").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mpsim {

// The largest text config read whole (hardware TOML and SCALE-Sim .cfg, network TOML,
// precision maps, SCALE-Sim topology CSVs). The biggest real one is a topology of a few
// hundred layers, tens of kilobytes; 64 MiB leaves room for generated files a thousand times
// larger while keeping a stray multi-gigabyte file from being pulled into memory.
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{64} << 20;

// The largest record of a resumable run (a sweep's results, a search's evaluations) read
// whole: a line is about 100 bytes and a sweep has at most a million points, so 256 MiB is
// twice what the largest honest record can reach.
inline constexpr std::uint64_t kMaxRecordFileBytes = std::uint64_t{256} << 20;

// A regular file open for reading, its size taken when it was opened.
class InputFile {
 public:
  // Opens `path`, following links. `what` names the file's role in messages ("hardware
  // config", "ONNX model"); it may be empty. Throws UserError when the path does not name a
  // readable regular file.
  InputFile(std::string path, std::string_view what);
  ~InputFile();
  InputFile(InputFile&& other) noexcept;
  InputFile& operator=(InputFile&&) = delete;
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  // The descriptor, for libraries that read one themselves (zlib, protobuf). It stays owned
  // by this object; dup() it to hand it over.
  int descriptor() const { return fd_; }

  // Reads up to `n` bytes at `offset`; returns how many were read (fewer only at the end of
  // the file). A read error is a UserError naming the path.
  std::size_t read_at(std::uint64_t offset, void* out, std::size_t n) const;
  // Reads exactly `n` bytes at `offset`, else a UserError naming the path and `what` ("the
  // .npy header").
  void read_exact_at(std::uint64_t offset, void* out, std::size_t n, std::string_view what) const;

  // A UserError "PATH: message (reading the WHAT)".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string path_;
  std::string what_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

// The whole of a text file of at most `cap` bytes (a larger one is refused, naming its size and
// the cap). `what` names its role as for InputFile.
std::string read_text_file(const std::string& path, std::string_view what,
                           std::uint64_t cap = kMaxTextFileBytes);

// As read_text_file, but nothing (no error) when the path names no file at all, a dangling
// link included: for records a command keeps for itself and may not have written yet.
std::optional<std::string> read_text_file_if_present(const std::string& path, std::string_view what,
                                                     std::uint64_t cap);

// "PATH: REASON (reading the WHAT)": how InputFile words its errors, for readers reporting
// about a file they opened.
std::string input_file_message(std::string_view path, std::string_view what,
                               std::string_view reason);

}  // namespace mpsim
