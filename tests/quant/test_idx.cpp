// IDX files (plain and gzip): magic and dimensions checked before any data, counts against the
// file, images against labels, only what --limit needs read; labels outside the model's
// classes refused when evaluating.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "formats/error.h"
#include "quant/dataset.h"
#include "tests/test_support.h"

using namespace mpsim;

namespace {

// doctest::Contains takes its own string type, built from a C string.
doctest::Contains contains(const std::string& s) {
  return doctest::Contains(s.c_str());
}

std::string big_endian(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// An IDX image file header (magic 0x803) for n images of rows x cols, then `pixels`.
std::string images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols,
                   const std::string& pixels) {
  return big_endian(0x803) + big_endian(n) + big_endian(rows) + big_endian(cols) + pixels;
}

std::string labels(std::uint32_t n, const std::string& values) {
  return big_endian(0x801) + big_endian(n) + values;
}

std::string gzip_file(const test::TempDir& dir, const std::string& name, const std::string& bytes) {
  const auto path = dir.path(name);
  gzFile g = gzopen(path.c_str(), "wb");
  REQUIRE(g != nullptr);
  REQUIRE(gzwrite(g, bytes.data(), static_cast<unsigned>(bytes.size())) ==
          static_cast<int>(bytes.size()));
  REQUIRE(gzclose(g) == Z_OK);
  return path;
}

// The message of reading `path` as images (or labels), after "PATH: ".
template <class Read>
std::string error_of(const std::string& path, Read read) {
  try {
    read();
  } catch (const UserError& e) {
    const std::string m = e.what();
    CHECK_MESSAGE(m.rfind(path + ": ", 0) == 0, m);
    return m.substr(std::min(m.size(), path.size() + 2));
  }
  return "(no error)";
}

std::string image_error(const std::string& path, std::size_t limit = 0) {
  return error_of(path, [&] { read_idx_images(path, limit); });
}

std::string label_error(const std::string& path, std::size_t limit = 0) {
  return error_of(path, [&] { read_idx_labels(path, limit); });
}

}  // namespace

TEST_CASE("idx: the magic and the header are checked before any data") {
  test::TempDir dir;
  CHECK(image_error(dir.file("a", big_endian(0x12345678) + std::string(20, '\0'))) ==
        "not an IDX image file: expected the magic 0x00000803 (unsigned bytes, 3 dimensions), "
        "found 0x12345678 (reading the IDX image file)");
  CHECK(image_error(dir.file("b", std::string("\x00\x08", 2)))
            .find("not an IDX image file: 2 bytes, shorter "
                  "than its magic") == 0);
  CHECK(image_error(dir.file("c", labels(1, "x"))) ==
        "not an IDX image file: its magic 0x00000801 gives 1 dimension; expected the magic "
        "0x00000803 (unsigned bytes, 3 dimensions) (reading the IDX image file)");
  // Labels of 32-bit integers could exceed 255; mpsim reads class indices of one byte.
  CHECK(label_error(dir.file("d", big_endian(0xC01) + big_endian(1) + big_endian(300))) ==
        "an IDX label file of 32-bit integer values (type 0x0C); mpsim reads unsigned bytes: "
        "expected the magic 0x00000801 (unsigned bytes, 1 dimension) (reading the IDX label "
        "file)");
  CHECK(image_error(dir.file("e", big_endian(0x803) + big_endian(1) + big_endian(28)))
            .find("not an IDX image file: it ends inside its 16-byte header") == 0);
  CHECK(image_error(dir.file("f", images(1, 65536, 65536, ""))) ==
        "images of 65536x65536 pixels; mpsim reads images of at most 2^30 pixels (reading the "
        "IDX image file)");
  CHECK(image_error(dir.file("g", images(1, 0, 28, ""))).find("expected at least one pixel") !=
        std::string::npos);
}

TEST_CASE("idx: declared counts are checked against the file before reading") {
  test::TempDir dir;
  // Plain: the size is exact.
  CHECK(image_error(dir.file("short", images(2, 2, 2, "1234567"))) ==
        "declares 2 images of 2x2 bytes (8 bytes after its header), but the file has 7 (reading "
        "the IDX image file)");
  CHECK(label_error(dir.file("long", labels(2, "abc")))
            .find("declares 2 labels (2 bytes after "
                  "its header), but the file has 3") == 0);
  const auto huge = dir.file("huge", images(4294967295u, 28, 28, std::string(784, '\0')));
  CHECK(image_error(huge, 1).find("declares 4294967295 images of 28x28 bytes (3367254359280 "
                                  "bytes after its header), but the file has 784") == 0);
  // Gzip: no more than deflate's 1032:1 could hold, refused before decompressing.
  const auto bomb = gzip_file(dir, "bomb.gz", images(4294967295u, 28, 28, std::string(784, '\0')));
  CHECK(image_error(bomb, 1).find("more than a gzip file of") != std::string::npos);
}

TEST_CASE("idx: gzip data is read only as far as --limit needs, and checked when read whole") {
  test::TempDir dir;
  // Declares 5 images of 2x2, holds 3.
  const auto cut = gzip_file(dir, "cut.gz", images(5, 2, 2, std::string(12, '\x7f')));
  const Dataset two = read_idx_images(cut, 2);
  CHECK(two.size() == 2);
  CHECK(two.values.size() == 8);
  CHECK(two.values[0] == doctest::Approx(127.0 / 255));
  CHECK(image_error(cut, 4) ==
        "truncated: it declares 5 images, the data ends after 3 of them "
        "(reading the IDX image file)");
  CHECK(image_error(cut) ==
        "truncated: it declares 5 images, the data ends after 3 of them "
        "(reading the IDX image file)");
  // Declares 3 labels, holds 4: read whole, the extra is found.
  const auto extra = gzip_file(dir, "extra.gz", labels(3, "\x01\x02\x03\x04"));
  CHECK(read_idx_labels(extra, 2) == std::vector<int>{1, 2});
  CHECK(label_error(extra) ==
        "more data than the 3 labels it declares (reading the IDX label "
        "file)");
  CHECK(read_idx_labels(gzip_file(dir, "ok.gz", labels(3, std::string("\x00\x09\xff", 3)))) ==
        std::vector<int>{0, 9, 255});
}

TEST_CASE("idx: images and labels must declare the same count, whatever the limit") {
  test::TempDir dir;
  const auto x = gzip_file(dir, "x.gz", images(5, 1, 1, "abcde"));
  const auto y = gzip_file(dir, "y.gz", labels(4, "\x01\x02\x03\x04"));
  CHECK_THROWS_WITH_AS(load_idx(x, y, 2),
                       contains(y + ": declares 4 labels but " + x + " declares 5 images"),
                       UserError);
  const auto z = gzip_file(dir, "z.gz", labels(5, "\x01\x02\x03\x04\x05"));
  const Dataset d = load_idx(x, z, 2);
  CHECK(d.labels == std::vector<int>{1, 2});
  CHECK(d.labels_name == z);
}

TEST_CASE("idx: Fashion-MNIST files that are links to /dev/zero, folders or FIFOs") {
  test::TempDir dir;
  const auto folder = std::filesystem::path(dir.path("x")).parent_path().string();
  const test::ScopedEnv env("MPSIM_FASHION_MNIST_DIR", folder.c_str());
  const auto model = test::source_path("models/fmnist_resnet.onnx");
  const auto images_path = dir.path("t10k-images-idx3-ubyte.gz");
  gzip_file(dir, "t10k-labels-idx1-ubyte.gz", labels(1, "\x01"));
  auto check = [&](const std::string& reason) {
    const auto r = test::run_cli({"eval", "--model", model, "--limit", "1"});
    CHECK(r.status == 2);
    CHECK(r.err.find(images_path + ": " + reason) != std::string::npos);
    std::filesystem::remove(images_path);
  };
  std::filesystem::create_symlink("/dev/zero", images_path);
  check("is a character device");
  std::filesystem::create_directory(images_path);
  check("is a directory");
  REQUIRE(::mkfifo(images_path.c_str(), 0600) == 0);
  check("is a FIFO");
}

TEST_CASE("idx: a label outside the model's classes is refused when evaluating") {
  test::TempDir dir;
  const auto folder = std::filesystem::path(dir.path("x")).parent_path().string();
  const test::ScopedEnv env("MPSIM_FASHION_MNIST_DIR", folder.c_str());
  gzip_file(dir, "t10k-images-idx3-ubyte.gz", images(3, 28, 28, std::string(3 * 784, '\0')));
  const auto labels_path =
      gzip_file(dir, "t10k-labels-idx1-ubyte.gz", labels(3, std::string("\x00\x0a\x01", 3)));
  const auto model = test::source_path("models/fmnist_resnet.onnx");
  const auto bad = test::run_cli({"eval", "--model", model});
  CHECK(bad.status == 2);
  CHECK(bad.err.find(labels_path + ": the label of sample 1 is 10, outside the model's 10 classes "
                                   "(0 to 9)") != std::string::npos);
  // The first sample alone is fine: labels past --limit are not read.
  const auto one = test::run_cli({"eval", "--model", model, "--limit", "1"});
  CHECK_MESSAGE(one.status == 0, one.err);
}
