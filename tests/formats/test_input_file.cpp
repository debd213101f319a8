// Opening input files (formats/input_file.h): only regular files, filesystem errors as messages
// naming the path, text read whole only up to a cap, binary reads at an offset.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "formats/error.h"
#include "formats/input_file.h"
#include "tests/test_support.h"

using namespace mpsim;

namespace {

// doctest::Contains takes its own string type, built from a C string.
doctest::Contains contains(const std::string& s) {
  return doctest::Contains(s.c_str());
}

namespace fs = std::filesystem;

std::string text_error(const std::string& path, std::uint64_t cap = kMaxTextFileBytes) {
  try {
    read_text_file(path, "hardware config", cap);
  } catch (const UserError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("input file: a regular file is read whole, its size known on opening") {
  test::TempDir dir;
  const auto p = dir.file("a.toml", "x = 1\n");
  CHECK(read_text_file(p, "hardware config") == "x = 1\n");
  const InputFile f(p, "hardware config");
  CHECK(f.size() == 6);
  char buf[3] = {};
  CHECK(f.read_at(4, buf, 3) == 2);  // fewer only at the end
  CHECK(std::string(buf, 2) == "1\n");
  f.read_exact_at(0, buf, 3, "the start");
  CHECK(std::string(buf, 3) == "x =");
  CHECK_THROWS_WITH_AS(f.read_exact_at(4, buf, 3, "the header"),
                       contains(p + ": the file ends inside the header"), UserError);
  // A link to a regular file is followed.
  fs::create_symlink(p, dir.path("link.toml"));
  CHECK(read_text_file(dir.path("link.toml"), "hardware config") == "x = 1\n");
  // Files in /proc report a size of 0 but have text: read to the end, not to the size.
  CHECK(read_text_file("/proc/self/status", "status").find("Name:") != std::string::npos);
}

TEST_CASE("input file: a missing file and an empty name") {
  test::TempDir dir;
  const auto p = dir.path("absent.toml");
  CHECK(text_error(p) == p + ": no such file (reading the hardware config)");
  CHECK(text_error(dir.path("absent/x.toml")).find("no such file") != std::string::npos);
  const auto file = dir.file("plain", "");
  CHECK(text_error(file + "/x.toml") ==
        file + "/x.toml: a part of the path is not a folder " + "(reading the hardware config)");
  CHECK_THROWS_WITH_AS(read_text_file("", "hardware config"),
                       contains("an empty file name for the hardware config"), UserError);
}

TEST_CASE("input file: a directory is refused, not read as an empty file") {
  test::TempDir dir;
  fs::create_directory(dir.path("d.toml"));
  CHECK(text_error(dir.path("d.toml")) ==
        dir.path("d.toml") + ": is a directory, not a regular file (reading the hardware config)");
  CHECK_THROWS_WITH_AS(InputFile(dir.path("d.toml"), ""),
                       contains(dir.path("d.toml") + ": is a directory"), UserError);
}

TEST_CASE("input file: a link to /dev/zero is refused before a byte is read") {
  test::TempDir dir;
  for (const char* name : {"z.toml", "z.cfg", "z.csv", "z.npy", "z.onnx", "z.gz"}) {
    CAPTURE(name);
    const auto p = dir.path(name);
    fs::create_symlink("/dev/zero", p);
    CHECK(text_error(p) ==
          p + ": is a character device, not a regular file (reading the " + "hardware config)");
    CHECK_THROWS_WITH_AS(InputFile(p, "data"), contains(p + ": is a character device"), UserError);
  }
}

TEST_CASE("input file: a FIFO is refused without waiting for a writer") {
  test::TempDir dir;
  const auto p = dir.path("fifo.toml");
  REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
  CHECK(text_error(p) ==
        p + ": is a FIFO (named pipe), not a regular file (reading the hardware config)");
}

TEST_CASE("input file: a path component over 255 bytes") {
  test::TempDir dir;
  const auto p = dir.path(std::string(300, 'a') + ".toml");
  const auto e = text_error(p);
  CHECK(e.rfind(p + ": the name is too long", 0) == 0);
  CHECK(e.find("over 255 bytes") != std::string::npos);
}

TEST_CASE("input file: a symlink loop") {
  test::TempDir dir;
  fs::create_symlink(dir.path("b.toml"), dir.path("a.toml"));
  fs::create_symlink(dir.path("a.toml"), dir.path("b.toml"));
  CHECK(text_error(dir.path("a.toml")) ==
        dir.path("a.toml") +
            ": too many levels of symbolic links (the links form a loop?) (reading the hardware "
            "config)");
}

TEST_CASE("input file: a text file over the cap is refused, naming its size and the cap") {
  test::TempDir dir;
  // Sparse: truncate(2) sets the size without writing (or using) the disk.
  const auto p = dir.file("huge.toml", "");
  REQUIRE(::truncate(p.c_str(), static_cast<off_t>(kMaxTextFileBytes + 1)) == 0);
  CHECK(text_error(p) == p + ": the file is 64 MiB (67108865 bytes), more than the 64 MiB " +
                             "(67108864 bytes) a text file may hold (reading the hardware config)");
  // At the cap exactly it is read.
  const auto small = dir.file("small.toml", "12345");
  CHECK(read_text_file(small, "hardware config", 5) == "12345");
  CHECK(text_error(small, 4) == small + ": the file is 5 bytes, more than the 4 bytes a text " +
                                    "file may hold (reading the hardware config)");
}

TEST_CASE("input file: a record not written yet is no error, anything else at its path is") {
  test::TempDir dir;
  CHECK_FALSE(read_text_file_if_present(dir.path("none"), "record", 100).has_value());
  fs::create_symlink(dir.path("nowhere"), dir.path("dangling"));
  CHECK_FALSE(read_text_file_if_present(dir.path("dangling"), "record", 100).has_value());
  CHECK(read_text_file_if_present(dir.file("r", "a\n"), "record", 100) == "a\n");
  fs::create_symlink("/dev/zero", dir.path("zero"));
  CHECK_THROWS_WITH_AS(read_text_file_if_present(dir.path("zero"), "record", 100),
                       contains(dir.path("zero") + ": is a character device"), UserError);
  fs::create_directory(dir.path("d"));
  CHECK_THROWS_WITH_AS(read_text_file_if_present(dir.path("d"), "record", 100),
                       contains(dir.path("d") + ": is a directory"), UserError);
}
