// IDX files (the MNIST format), plain or gzip-compressed (private to quant/): the magic and
// the dimensions are read and checked before any data, and the data is read in pieces, only as
// far as asked.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "formats/input_file.h"

namespace mpsim {

class IdxFile {
 public:
  enum class Kind { kImages, kLabels };  // magic 0x00000803 and 0x00000801: unsigned bytes

  // Opens `path` and reads its header; a file that is not an IDX file of `kind`, or whose
  // dimensions overflow or cannot fit in the file, is a UserError naming the path.
  IdxFile(const std::string& path, Kind kind);

  const std::string& path() const { return file_.path(); }
  std::uint64_t count() const { return dims_[0]; }  // images or labels
  std::uint64_t rows() const { return dims_.size() > 1 ? dims_[1] : 1; }
  std::uint64_t cols() const { return dims_.size() > 2 ? dims_[2] : 1; }
  std::uint64_t item_bytes() const { return rows() * cols(); }
  // Whether the counts were checked against the file's size: true for a plain file; a gzip
  // file's decompressed size is known only once it has been read.
  bool size_checked() const { return !compressed_; }

  // Calls `take` on the bytes of the first `items` items, in pieces of whole items; when
  // `items` is count(), also checks that nothing follows them.
  void read(std::uint64_t items,
            const std::function<void(const unsigned char*, std::size_t)>& take);

  [[noreturn]] void fail(const std::string& message) const { file_.fail(message); }

 private:
  std::size_t read_some(unsigned char* out, std::size_t n);
  const char* noun() const;  // "images" or "labels"

  InputFile file_;
  Kind kind_;
  // Closed by gzclose, also when the constructor throws after opening it.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> gz_{nullptr, gzclose};
  bool compressed_ = false;
  std::uint64_t position_ = 0;  // bytes read so far, after decompression
  std::vector<std::uint64_t> dims_;
};

}  // namespace mpsim
