// What every fuzz harness shares. A harness feeds one input to one reader the way the command
// does. Bad input must end in mpsim::UserError (the command's exit 2), so the harness swallows
// that and nothing else: any other exception escapes and libFuzzer reports it as a crash, which
// is what the command's "internal error" (exit 1) would be.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/error.h"

namespace mpsim::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Runs `read`, accepting a UserError as the reader's proper answer to bad input.
template <typename F>
int expect_user_errors_only(F&& read) {
  try {
    read();
  } catch (const UserError&) {
  }
  return 0;
}

// Readers that take a path get the input through this file, one per process (libFuzzer's
// -jobs/-fork run harnesses as separate processes), removed when the input is done so a replay
// in the test suite leaves nothing behind. The extension is the one the reader expects.
class ScratchFile {
 public:
  ScratchFile(const std::uint8_t* data, std::size_t size, const char* ext) {
    const char* dir = std::getenv("TMPDIR");
    path_ =
        std::string(dir && *dir ? dir : "/tmp") + "/mpsim_fuzz_" + std::to_string(::getpid()) + ext;
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f) std::abort();  // the harness's own failure, not the reader's
    if (size && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }
  ~ScratchFile() { std::remove(path_.c_str()); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mpsim::fuzz
