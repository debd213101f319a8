// Output safety: -o never replaces a special file or a link, refuses a folder before any work,
// and a failed write to standard output is an error, not exit status 0.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>

#include "apps/cli.h"
#include "tests/test_support.h"

namespace {

using mpsim::test::run_cli;
namespace fs = std::filesystem;

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A stream buffer that refuses every write, as a full disk does.
class FullBuf : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

}  // namespace

TEST_CASE("cli output: -o into a FIFO writes through it and leaves it a FIFO") {
  const mpsim::test::TempDir dir;
  const std::string fifo = dir.path("out.fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // The reader opens without blocking, then collects until the writer has come and gone (or
  // 20 s pass: a version that renamed over the FIFO would never write into it).
  std::string received;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        received.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 && !received.empty()) {
        break;  // the writer closed after writing
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    ::close(fd);
    done = true;
  });
  const auto r =
      run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "--format", "csv", "-o", fifo});
  reader.join();
  CHECK(r.status == 0);
  CHECK(done);
  CHECK(has(received, "layer,weight_format"));
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}

TEST_CASE("cli output: -o through a link replaces the file it names and keeps the link") {
  const mpsim::test::TempDir dir;
  const std::string target = dir.file("real.csv", "old\n");
  const std::string link = dir.path("link.csv");
  fs::create_symlink(target, link);
  const auto r =
      run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "--format", "csv", "-o", link});
  REQUIRE(r.status == 0);
  CHECK(fs::is_symlink(fs::symlink_status(link)));
  CHECK(has(mpsim::test::read_file(target), "layer,weight_format"));
}

TEST_CASE("cli output: a folder as -o is refused before any work") {
  const mpsim::test::TempDir dir;
  const std::string folder = fs::path(dir.path("x")).parent_path().string();
  for (const char* cmd : {"estimate", "simulate", "costs"}) {
    CAPTURE(cmd);
    const auto r = run_cli({cmd, "--hw", "edge_npu", "-w", "resnet18", "-o", folder});
    CHECK(r.status == 2);
    CHECK(has(r.err, "is a folder"));
    CHECK(r.out.empty());
  }
  const auto sweep = run_cli(
      {"sweep", "--hw", "edge_npu", "-w", "resnet18", "--set", "array.rows=8,16", "-o", folder});
  CHECK(sweep.status == 2);
  CHECK(has(sweep.err, "is a folder"));
  const auto missing = run_cli(
      {"estimate", "--hw", "edge_npu", "-w", "resnet18", "-o", dir.path("no/such/folder/x.csv")});
  CHECK(missing.status == 2);
  CHECK(has(missing.err, "does not exist"));
}

TEST_CASE("cli output: a failed write to standard output is an error") {
  FullBuf full;
  std::ostream out(&full);
  std::ostringstream err;
  out << "a report";
  CHECK(mpsim::cli::finish_output(out, err, 0) == 1);
  CHECK(has(err.str(), "writing standard output failed"));
  // A bad-input status stays what it was; a healthy stream changes nothing.
  CHECK(mpsim::cli::finish_output(out, err, 2) == 2);
  std::ostringstream fine, quiet;
  fine << "ok";
  CHECK(mpsim::cli::finish_output(fine, quiet, 0) == 0);
  CHECK(quiet.str().empty());
}
