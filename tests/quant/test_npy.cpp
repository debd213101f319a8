// .npy files: the header parsed strictly, sizes checked against the file before any data is
// read, and only the samples a --limit asks for read.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "formats/error.h"
#include "quant/dataset.h"
#include "tests/test_support.h"

using namespace mpsim;

namespace {

// doctest::Contains takes its own string type, built from a C string.
doctest::Contains contains(const std::string& s) {
  return doctest::Contains(s.c_str());
}

// A .npy file with `header` as its dict text, as is: version `major`.0.
std::string npy_raw(const std::string& header, const std::string& data = "", int major = 1) {
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  const auto n = header.size();
  out += static_cast<char>(n & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  if (major > 1) {
    out += static_cast<char>((n >> 16) & 0xff);
    out += static_cast<char>((n >> 24) & 0xff);
  }
  return out + header + data;
}

std::string dict(const std::string& descr, const std::string& shape,
                 const std::string& order = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + order + ", 'shape': " + shape + ", }\n";
}

// The message load_npy gives for a file holding `bytes`; it must name the file.
std::string npy_error(const std::string& bytes) {
  test::TempDir dir;
  const auto path = dir.file("bad.npy", bytes);
  try {
    load_npy(path);
  } catch (const UserError& e) {
    const std::string m = e.what();
    CHECK_MESSAGE(m.rfind(path + ": ", 0) == 0, m);
    return m.substr(path.size() + 2);
  }
  return "(no error)";
}

// Bytes this process has read through read(2) and pread(2) so far (Linux's /proc/self/io).
std::uint64_t bytes_read_so_far() {
  std::ifstream io("/proc/self/io");
  std::string key;
  std::uint64_t value = 0;
  while (io >> key >> value)
    if (key == "rchar:") return value;
  FAIL("no rchar in /proc/self/io");
  return 0;
}

}  // namespace

TEST_CASE("npy: versions 1.0, 2.0 and 3.0, keys in any order, double quotes") {
  const std::string four(4 * 2, '\0');
  for (int major : {1, 2, 3}) {
    CAPTURE(major);
    CHECK(npy_error(npy_raw(dict("<f4", "(2,)"), four, major)) == "(no error)");
  }
  CHECK(npy_error(npy_raw("{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"<f4\"}",
                          four)) == "(no error)");
}

TEST_CASE("npy: a malformed preamble or header is an error naming the file and what was expected") {
  const std::string f4 = dict("<f4", "(1,)");
  const std::string one(4, '\0');
  CHECK(npy_error("\x93NUM") ==
        "not a .npy file (4 bytes, no room for the \\x93NUMPY magic and "
        "version) (reading the .npy data set)");
  CHECK(npy_error("PK\x03\x04 not numpy at all").find("not a .npy file (no \\x93NUMPY magic)") ==
        0);
  CHECK(npy_error(npy_raw(f4, one, 4))
            .find("unsupported .npy format version 4.0; expected 1.0, "
                  "2.0 or 3.0") == 0);
  // The header claims more bytes than the file holds, or more than any real header.
  std::string cut = npy_raw(f4, one);
  cut.resize(30);
  CHECK(npy_error(cut).find("truncated .npy header: it claims") == 0);
  std::string huge = npy_raw(f4, one, 2);
  huge[10] = '\0';
  huge[11] = '\x10';  // 256 MiB and more
  CHECK(npy_error(huge).find("mpsim reads headers of at most 65536") != std::string::npos);

  // The dict, strictly.
  CHECK(npy_error(npy_raw("['descr', '<f4']\n", one)) ==
        ".npy header: expected '{' opening the header dict at byte 10, found '[' (reading the "
        ".npy data set)");
  CHECK(npy_error(npy_raw("{'descr':", one))
            .find("expected a quoted dtype such as '<f4' for "
                  "'descr' at byte 19, found the header's end") != std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f4", one)).find("expected the closing quote") !=
        std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f4', 'fortran_order': False}", one))
            .find("missing the key 'shape'") != std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f4', 'order': False}", one))
            .find("expected the key 'descr', 'fortran_order' or 'shape'") != std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f4', 'descr': '<f4'}", one))
            .find("expected each key once, not 'descr' again") != std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f4' 'shape': (1,)}", one))
            .find("expected ',' or '}' after the value of 'descr'") != std::string::npos);
  CHECK(npy_error(npy_raw(f4 + "x", one)).find("expected only spaces after the header dict") !=
        std::string::npos);
  CHECK(npy_error(npy_raw(dict("<f4", "(1,)", "maybe"), one))
            .find("expected False or True for 'fortran_order'") != std::string::npos);
  CHECK(npy_error(npy_raw(dict("<f4", "(1,)", "True"), one))
            .find("Fortran-order arrays are not supported") == 0);
  // A shape std::stoll once threw std::invalid_argument on (an internal error).
  CHECK(npy_error(npy_raw(dict("<f4", "(2, x)"), one))
            .find("expected a dimension (a whole number >= 0) at byte") != std::string::npos);
  CHECK(npy_error(npy_raw(dict("<f4", "(-1,)"), one))
            .find("expected a dimension (a whole number >= 0)") != std::string::npos);
  CHECK(npy_error(npy_raw(dict("<f4", "(99999999999999999999999,)"), one))
            .find("expected a dimension below 2^64") != std::string::npos);
  CHECK(npy_error(npy_raw(dict("<f4", "(1 2)"), one)).find("expected ',' or ')' in the shape") !=
        std::string::npos);
  // Control bytes from the file are shown by value, never echoed raw.
  const auto control = npy_error(npy_raw("{\x01}", one));
  CHECK(control.find("found byte 0x01") != std::string::npos);
  CHECK(control.find('\x01') == std::string::npos);
  CHECK(npy_error(npy_raw("{'descr': '<f\x1b'}", one))
            .find("expected printable characters without escapes") != std::string::npos);
  CHECK(npy_error(npy_raw(dict(">f4", "(1,)"), one)).find("unsupported .npy dtype '>f4'") == 0);
}

TEST_CASE("npy: the shape's size is checked against the file, overflow included") {
  CHECK(
      npy_error(npy_raw(dict("<f4", "(4294967296, 4294967296)"), ""))
          .find("the shape (4294967296, 4294967296) of <f4 needs more bytes than any file holds") ==
      0);
  CHECK(npy_error(npy_raw(dict("<f8", "(2, 2)"), std::string(24, '\0')))
            .find("truncated data: the shape (2, 2) of <f8 needs 32 bytes of data, the file has 24 "
                  "after its header") == 0);
  CHECK(npy_error(npy_raw(dict("<f4", "(2,)"), std::string(12, '\0')))
            .find("the shape (2,) of <f4 needs 8 bytes of data, the file has 12") == 0);
  CHECK(npy_error(npy_raw(dict("<f4", "()"), std::string(4, '\0')))
            .find("expected an array whose first axis is samples, found a single value") == 0);
  // No samples: the size of one may then be anything, but not past int64.
  CHECK(npy_error(npy_raw(dict("<f4", "(0, 4294967296, 4294967296)"), ""))
            .find("a sample of the shape (0, 4294967296, 4294967296) has too many elements") == 0);
}

TEST_CASE("npy: labels are integers that fit, one per sample") {
  test::TempDir dir;
  const auto x = dir.file("x.npy", npy_raw(dict("<f4", "(2, 1)"), std::string(8, '\0')));
  const auto f = dir.file("f.npy", npy_raw(dict("<f4", "(2,)"), std::string(8, '\0')));
  CHECK_THROWS_WITH_AS(load_npy(x, f), contains(f + ": labels must be integers, not '<f4'"),
                       UserError);
  std::string big(16, '\0');
  big[13] = 1;  // 2^40 in the second label
  const auto b = dir.file("b.npy", npy_raw(dict("<i8", "(2,)"), big));
  CHECK_THROWS_WITH_AS(load_npy(x, b),
                       contains(b + ": the label of sample 1 is 1099511627776, not a "
                                    "class index (it does not fit an int)"),
                       UserError);
  CHECK(load_npy(x, b, 1).labels == std::vector<int>{0});  // only what --limit needs is read
  const auto wrong = dir.file("w.npy", npy_raw(dict("|u1", "(3,)"), "abc"));
  CHECK_THROWS_WITH_AS(load_npy(x, wrong),
                       contains(wrong +
                                ": expected a 1-D array of 2 labels, one per "
                                "sample of " +
                                x + ", found the shape (3,)"),
                       UserError);
}

TEST_CASE("npy: with a limit only the first samples are read from a 50 MB file") {
  test::TempDir dir;
  // 16,000 samples of 1x28x28 float32 (50,176,000 bytes): the first 10 are ones, the rest a
  // hole of the sparse file (no disk used) in which 0xff bytes (NaNs) mark sample 10.
  constexpr std::uint64_t kSamples = 16000, kSample = 784 * 4;
  std::string first(10 * kSample, '\0');
  for (std::size_t i = 0; i < 10 * 784; ++i) {
    const float one = 1.0f;
    std::memcpy(first.data() + 4 * i, &one, 4);
  }
  const std::string x = dir.file(
      "big.npy", npy_raw(dict("<f4", "(16000, 1, 28, 28)"), first + std::string(kSample, '\xff')));
  const auto header = test::read_file(x).size() - 11 * kSample;
  REQUIRE(::truncate(x.c_str(), static_cast<off_t>(header + kSamples * kSample)) == 0);
  // Labels: 10 good ones, then 200 (no class of a 10-class model) for the rest.
  std::string labels(kSamples, static_cast<char>(200));
  for (int i = 0; i < 10; ++i)
    labels[static_cast<std::size_t>(i)] = static_cast<char>(i);
  const std::string y = dir.file("labels.npy", npy_raw(dict("|u1", "(16000,)"), labels));

  const auto before = bytes_read_so_far();
  const Dataset d = load_npy(x, y, 10);
  const auto read = bytes_read_so_far() - before;
  CHECK(d.size() == 10);
  CHECK(d.values.size() == 10 * 784);
  CHECK(d.values.capacity() == 10 * 784);
  CHECK(d.values.back() == 1.0f);
  CHECK(d.labels == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  // The two headers, ten samples and ten labels: 31,360 bytes and a few hundred, not 50 MB.
  CHECK(read >= 10 * kSample);
  CHECK(read < 10 * kSample + 4096);

  // The command: --limit 10 evaluates; without it the labels past the tenth are refused.
  const auto model = test::source_path("models/fmnist_resnet.onnx");
  const auto ok = test::run_cli({"eval", "--model", model, "--dataset", x, "--labels", y, "--limit",
                                 "10", "--normalize", "none", "--format", "json"});
  REQUIRE_MESSAGE(ok.status == 0, ok.err);
  CHECK(nlohmann::json::parse(ok.out).at("images") == 10);
  const auto all = test::run_cli(
      {"eval", "--model", model, "--dataset", x, "--labels", y, "--normalize", "none"});
  CHECK(all.status == 2);
  CHECK(all.err.find(y + ": the label of sample 10 is 200, outside the model's 10 classes (0 to "
                         "9)") != std::string::npos);
}

TEST_CASE("npy: negative labels are refused when evaluating") {
  test::TempDir dir;
  const auto x = dir.file("x.npy", npy_raw(dict("<f4", "(2, 1, 28, 28)"), std::string(6272, '\0')));
  std::string labels(16, '\0');
  std::memset(labels.data() + 8, 0xff, 8);  // -1
  const auto y = dir.file("y.npy", npy_raw(dict("<i8", "(2,)"), labels));
  const auto r = test::run_cli({"eval", "--model", test::source_path("models/fmnist_resnet.onnx"),
                                "--dataset", x, "--labels", y, "--normalize", "none"});
  CHECK(r.status == 2);
  CHECK(r.err.find(y + ": the label of sample 1 is -1, outside the model's 10 classes (0 to 9)") !=
        std::string::npos);
}

TEST_CASE("npy: a link to /dev/zero, a directory and a FIFO as data or labels") {
  test::TempDir dir;
  const auto model = test::source_path("models/fmnist_resnet.onnx");
  const auto good =
      dir.file("x.npy", npy_raw(dict("<f4", "(1, 1, 28, 28)"), std::string(3136, '\0')));
  const auto zero = dir.path("zero.npy");
  std::filesystem::create_symlink("/dev/zero", zero);
  const auto folder = dir.path("folder.npy");
  std::filesystem::create_directory(folder);
  const auto fifo = dir.path("fifo.npy");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const auto& [path, reason] :
       {std::pair{zero, "is a character device"}, std::pair{folder, "is a directory"},
        std::pair{fifo, "is a FIFO"}}) {
    CAPTURE(path);
    auto r = test::run_cli({"eval", "--model", model, "--dataset", path});
    CHECK(r.status == 2);
    CHECK(r.err.find(path + ": " + reason) != std::string::npos);
    r = test::run_cli({"eval", "--model", model, "--dataset", good, "--labels", path});
    CHECK(r.status == 2);
    CHECK(r.err.find(path + ": " + reason) != std::string::npos);
  }
}
