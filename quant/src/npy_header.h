// The header of a NumPy .npy file (format versions 1.0 to 3.0), read and checked against the
// file before any data is (private to quant/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/input_file.h"

namespace mpsim::npy {

// The element types mpsim reads, all little-endian or single bytes.
enum class Dtype { kF4, kF8, kI1, kU1, kB1, kI4, kU4, kI8, kU8 };

std::size_t item_size(Dtype t);
bool is_integer(Dtype t);  // the booleans count: they are 0 and 1

struct Header {
  std::string descr;  // as written, e.g. "<f4"
  Dtype dtype = Dtype::kF4;
  std::vector<std::uint64_t> shape;  // C order
  std::uint64_t data_offset = 0;     // where the data begins in the file
  std::uint64_t data_bytes = 0;      // the product of shape x item size, = what the file holds
};

// Reads the magic, version, header length and header dict of `file` strictly: the keys descr,
// fortran_order (False) and shape, each once, nothing else; an unsupported dtype, a shape whose
// size overflows, or data that is not exactly the rest of the file is a UserError naming the
// file and what was expected.
Header read_header(const InputFile& file);

// "(2, 3)" for messages.
std::string shape_text(const std::vector<std::uint64_t>& shape);

}  // namespace mpsim::npy
