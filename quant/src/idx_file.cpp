#include "quant/src/idx_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <system_error>

#include "formats/error.h"

namespace mpsim {

namespace {

// Deflate never expands data more than 1032-fold, so a gzip file of N bytes holds at most
// about 1032 N bytes: a header claiming more is refused before anything is decompressed.
constexpr std::uint64_t kMaxDeflateRatio = 1032;

// Pixels per image: Shape counts elements in int64 and the evaluator keeps a float per pixel,
// so an image of 2^30 pixels (4 GiB as floats) is far beyond any data set and refused.
constexpr std::uint64_t kMaxImagePixels = std::uint64_t{1} << 30;

// What is decompressed at once.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

std::string hex(std::uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, v);
  return buf;
}

const char* type_name(unsigned char t) {
  switch (t) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "16-bit integer";
    case 0x0C:
      return "32-bit integer";
    case 0x0D:
      return "32-bit float";
    case 0x0E:
      return "64-bit float";
    default:
      return "unknown";
  }
}

}  // namespace

IdxFile::IdxFile(const std::string& path, Kind kind)
    : file_(path, kind == Kind::kImages ? "IDX image file" : "IDX label file"), kind_(kind) {
  // zlib reads through its own descriptor; a duplicate, as gzclose closes it.
  const int fd = ::dup(file_.descriptor());
  if (fd < 0) fail("cannot open: " + std::generic_category().message(errno));
  gz_.reset(gzdopen(fd, "rb"));
  if (!gz_) {
    ::close(fd);
    fail("cannot open: out of memory");
  }
  const int want_dims = kind == Kind::kImages ? 3 : 1;
  const std::uint32_t want_magic = 0x800u | static_cast<std::uint32_t>(want_dims);
  const std::string what = kind == Kind::kImages ? "an IDX image file" : "an IDX label file";
  const std::string expected = "expected the magic " + hex(want_magic, 8) + " (unsigned bytes, " +
                               std::to_string(want_dims) +
                               (want_dims == 1 ? " dimension)" : " dimensions)");
  unsigned char magic[4];
  const std::size_t got = read_some(magic, 4);
  if (got < 4)
    fail("not " + what + ": " + std::to_string(got) + " bytes, shorter than its magic; " +
         expected);
  const std::uint32_t found = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) |
                              (std::uint32_t{magic[2]} << 8) | magic[3];
  if (magic[0] != 0 || magic[1] != 0)
    fail("not " + what + ": " + expected + ", found " + hex(found, 8));
  if (magic[2] != 0x08)
    fail(what + " of " + type_name(magic[2]) + " values (type " + hex(magic[2], 2) +
         "); mpsim reads unsigned bytes: " + expected);
  if (magic[3] != want_dims)
    fail("not " + what + ": its magic " + hex(found, 8) + " gives " + std::to_string(magic[3]) +
         (magic[3] == 1 ? " dimension; " : " dimensions; ") + expected);

  unsigned char dims[12];
  const std::size_t dim_bytes = 4 * static_cast<std::size_t>(want_dims);
  if (read_some(dims, dim_bytes) < dim_bytes)
    fail("not " + what + ": it ends inside its " + std::to_string(4 + dim_bytes) + "-byte header");
  for (int i = 0; i < want_dims; ++i) {
    const unsigned char* p = dims + 4 * i;
    dims_.push_back((std::uint64_t{p[0]} << 24) | (std::uint64_t{p[1]} << 16) |
                    (std::uint64_t{p[2]} << 8) | p[3]);
  }
  if (item_bytes() == 0)
    fail("images of " + std::to_string(rows()) + "x" + std::to_string(cols()) +
         " pixels; expected at least one pixel");
  // Each dimension is below 2^32, so rows x cols fits 64 bits; count x that may not.
  if (item_bytes() > kMaxImagePixels)
    fail("images of " + std::to_string(rows()) + "x" + std::to_string(cols()) +
         " pixels; mpsim reads images of at most 2^30 pixels");
  std::uint64_t data = 0;
  const std::string declared = kind == Kind::kImages ? std::to_string(count()) + " images of " +
                                                           std::to_string(rows()) + "x" +
                                                           std::to_string(cols()) + " bytes"
                                                     : std::to_string(count()) + " labels";
  if (__builtin_mul_overflow(count(), item_bytes(), &data))
    fail("declares " + declared + ", more bytes than any file holds");
  const std::uint64_t header = 4 + dim_bytes;
  compressed_ = gzdirect(gz_.get()) == 0;
  if (!compressed_) {
    if (header + data != file_.size())
      fail("declares " + declared + " (" + std::to_string(data) +
           " bytes after its header), but "
           "the file has " +
           std::to_string(file_.size() - header));
  } else if (data / kMaxDeflateRatio > file_.size()) {
    fail("declares " + declared + " (" + std::to_string(data) +
         " bytes), more than a gzip file of " + std::to_string(file_.size()) + " bytes can hold");
  }
}

const char* IdxFile::noun() const {
  return kind_ == Kind::kImages ? "images" : "labels";
}

std::size_t IdxFile::read_some(unsigned char* out, std::size_t n) {
  std::size_t done = 0;
  while (done < n) {
    const auto ask = static_cast<unsigned>(std::min<std::size_t>(n - done, INT_MAX));
    const int got = gzread(gz_.get(), out + done, ask);
    if (got < 0) {
      int err = 0;
      const char* why = gzerror(gz_.get(), &err);
      fail("cannot decompress: " +
           std::string(err == Z_ERRNO ? std::generic_category().message(errno) : why));
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  position_ += done;
  return done;
}

void IdxFile::read(std::uint64_t items,
                   const std::function<void(const unsigned char*, std::size_t)>& take) {
  const std::uint64_t per_chunk = std::max<std::uint64_t>(1, kChunkBytes / item_bytes());
  std::vector<unsigned char> buf(static_cast<std::size_t>(
      std::min(per_chunk, std::max<std::uint64_t>(items, 1)) * item_bytes()));
  for (std::uint64_t first = 0; first < items; first += per_chunk) {
    const std::uint64_t n = std::min(per_chunk, items - first);
    const auto bytes = static_cast<std::size_t>(n * item_bytes());
    const std::size_t got = read_some(buf.data(), bytes);
    if (got < bytes)
      fail("truncated: it declares " + std::to_string(count()) + " " + noun() +
           ", the data ends after " + std::to_string(first + got / item_bytes()) + " of them");
    take(buf.data(), bytes);
  }
  if (items == count()) {
    unsigned char extra;
    if (read_some(&extra, 1) > 0)
      fail("more data than the " + std::to_string(count()) + " " + noun() + " it declares");
  }
}

}  // namespace mpsim
