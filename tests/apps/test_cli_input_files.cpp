// Every reader opens its file through formats/input_file.h: a device, a folder, a FIFO, a link
// loop, an over-long name or an oversized text file given to any command is exit status 2 with
// a message naming the path, never a read until memory runs out or an internal error.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/test_support.h"

using mpsim::test::run_cli;
using mpsim::test::source_path;
using mpsim::test::TempDir;
using mpsim::test::with;

namespace {

namespace fs = std::filesystem;

// The command line reading `path` as the kind of file its name says.
struct Reader {
  const char* name;  // the file's name, whose extension picks the reader
  std::vector<std::string> args;
};

std::vector<Reader> readers() {
  return {
      {"hw.toml", {"hw", "show"}},          {"hw.cfg", {"hw", "show"}},
      {"net.toml", {"workload", "show"}},   {"topology.csv", {"workload", "show"}},
      {"model.onnx", {"workload", "show"}}, {"map.toml", {"map", "show", "-w", "resnet18", "-m"}}};
}

// Runs the reader on `path`: exit 2, the path named, and `reason` after it.
void check_refused(const std::vector<std::string>& args, const std::string& path,
                   const std::string& reason) {
  const auto r = run_cli(with(args, {path}));
  CAPTURE(r.err);
  CHECK(r.status == 2);
  CHECK(r.err.find("mpsim: error: " + path + ": " + reason) != std::string::npos);
  CHECK(r.err.find("internal error") == std::string::npos);
}

}  // namespace

TEST_CASE("cli input files: a link to /dev/zero, for each kind of file") {
  TempDir dir;
  for (const auto& reader : readers()) {
    CAPTURE(reader.name);
    const auto path = dir.path(reader.name);
    fs::create_symlink("/dev/zero", path);
    check_refused(reader.args, path, "is a character device, not a regular file");
    fs::remove(path);
  }
}

TEST_CASE("cli input files: a directory, a FIFO, a link loop, an over-long name") {
  TempDir dir;
  for (const auto& reader : readers()) {
    CAPTURE(reader.name);
    const auto folder = dir.path(std::string("d-") + reader.name);
    fs::create_directory(folder);
    check_refused(reader.args, folder, "is a directory, not a regular file");

    const auto fifo = dir.path(std::string("f-") + reader.name);
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    check_refused(reader.args, fifo, "is a FIFO (named pipe), not a regular file");

    const auto loop = dir.path(std::string("l-") + reader.name);
    fs::create_symlink(loop, loop);
    check_refused(reader.args, loop, "too many levels of symbolic links");

    const auto long_name = dir.path(std::string(256, 'n') + reader.name);
    check_refused(reader.args, long_name, "the name is too long");
  }
}

TEST_CASE("cli input files: a text config over 64 MiB is refused before it is read") {
  TempDir dir;
  for (const auto& reader : readers()) {
    const std::string name = reader.name;
    if (name.ends_with(".onnx")) continue;  // binary: protobuf's 2 GiB bound, below
    CAPTURE(name);
    const auto path = dir.file("big-" + name, "");
    REQUIRE(::truncate(path.c_str(), off_t{100} << 20) == 0);  // sparse: no disk used
    check_refused(reader.args, path,
                  "the file is 100 MiB (104857600 bytes), more than the 64 MiB (67108864 bytes) "
                  "a text file may hold");
  }
  const auto onnx = dir.file("big.onnx", "");
  REQUIRE(::truncate(onnx.c_str(), off_t{3} << 30) == 0);
  check_refused({"workload", "show"}, onnx, "the file holds 3221225472 bytes");
}

TEST_CASE("cli input files: a sweep's or a search's record that is a device is refused") {
  TempDir dir;
  const auto out = dir.path("sweep.csv");
  fs::create_symlink("/dev/zero", out + ".partial");
  const auto sweep = run_cli({"sweep", "--hw", "ideal_memory", "--set", "array.rows=8,16", "-w",
                              "resnet18", "--engine", "closed-form", "-o", out});
  CHECK(sweep.status == 2);
  CHECK(sweep.err.find(out + ".partial: is a character device") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  const auto folder = dir.path("search");
  fs::create_directory(folder + ".partial");
  const auto search = run_cli({"search", "--method", "uniform", "--hw", "edge_npu", "--model",
                               source_path("models/fmnist_resnet.onnx"), "--limit", "20",
                               "--validation", "20", "--calib", "20", "--out", folder});
  CHECK(search.status == 2);
  CHECK(search.err.find(folder + ".partial: is a directory") != std::string::npos);
}
