// NumPy .npy files (format version 1.0-3.0): a magic string, a header dict, raw C-order data.
#include <cstring>
#include <fstream>
#include <sstream>

#include "formats/error.h"
#include "quant/dataset.h"

namespace mpsim {

namespace {

struct NpyArray {
  std::string descr;
  std::vector<std::int64_t> shape;
  std::string data;
};

std::string header_value(const std::string& header, const std::string& key,
                         const std::string& path) {
  const auto at = header.find("'" + key + "'");
  if (at == std::string::npos) throw UserError(path + ": .npy header has no '" + key + "'");
  auto colon = header.find(':', at);
  auto begin = header.find_first_not_of(' ', colon + 1);
  std::size_t end;
  if (header[begin] == '(') {
    end = header.find(')', begin) + 1;
  } else if (header[begin] == '\'') {
    end = header.find('\'', begin + 1) + 1;
  } else {
    end = header.find_first_of(",}", begin);
  }
  return header.substr(begin, end - begin);
}

NpyArray read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UserError(path + ": cannot open");
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string raw = ss.str();
  if (raw.size() < 10 || raw.compare(0, 6, "\x93NUMPY") != 0)
    throw UserError(path + ": not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(raw[6]);
  std::size_t header_len, offset;
  if (major == 1) {
    header_len = static_cast<unsigned char>(raw[8]) | (static_cast<unsigned char>(raw[9]) << 8);
    offset = 10;
  } else {
    if (raw.size() < 12) throw UserError(path + ": truncated .npy header");
    header_len = 0;
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(raw[8 + i])) << (8 * i);
    offset = 12;
  }
  if (raw.size() < offset + header_len) throw UserError(path + ": truncated .npy header");
  const std::string header = raw.substr(offset, header_len);
  NpyArray a;
  a.descr = header_value(header, "descr", path);
  a.descr = a.descr.substr(1, a.descr.size() - 2);
  if (header_value(header, "fortran_order", path) != "False")
    throw UserError(path + ": Fortran-order arrays are not supported; save with C order");
  std::string shape = header_value(header, "shape", path);
  std::stringstream dims(shape.substr(1, shape.size() - 2));
  std::string dim;
  while (std::getline(dims, dim, ','))
    if (dim.find_first_not_of(' ') != std::string::npos) a.shape.push_back(std::stoll(dim));
  a.data = raw.substr(offset + header_len);
  return a;
}

std::size_t item_size(const std::string& descr, const std::string& path) {
  if (descr == "<f4" || descr == "<i4" || descr == "<u4") return 4;
  if (descr == "<f8" || descr == "<i8" || descr == "<u8") return 8;
  if (descr == "|u1" || descr == "|i1" || descr == "|b1") return 1;
  throw UserError(path + ": unsupported .npy dtype '" + descr +
                  "'; expected <f4, <f8, |u1 (values) or <i4, <i8, |u1 (labels)");
}

double element(const NpyArray& a, std::size_t i) {
  const char* p = a.data.data() + i * item_size(a.descr, "");
  if (a.descr == "<f4") {
    float v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (a.descr == "<f8") {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (a.descr == "<i4") {
    std::int32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (a.descr == "<u4") {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  if (a.descr == "<i8") {
    std::int64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  if (a.descr == "<u8") {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return static_cast<double>(v);
  }
  if (a.descr == "|i1") return static_cast<signed char>(*p);
  return static_cast<unsigned char>(*p);
}

}  // namespace

Dataset load_npy(const std::string& path, const std::string& labels_path, std::size_t limit) {
  const NpyArray a = read_npy(path);
  if (a.shape.empty()) throw UserError(path + ": expected an array whose first axis is samples");
  std::size_t count = 1;
  for (auto d : a.shape)
    count *= static_cast<std::size_t>(d);
  if (a.data.size() < count * item_size(a.descr, path))
    throw UserError(path + ": truncated data: expected " + std::to_string(count) + " elements");
  Dataset d;
  d.name = path;
  d.sample_shape.assign(a.shape.begin() + 1, a.shape.end());
  const std::size_t n = limit > 0 && limit < static_cast<std::size_t>(a.shape[0])
                            ? limit
                            : static_cast<std::size_t>(a.shape[0]);
  const std::size_t keep = n * static_cast<std::size_t>(element_count(d.sample_shape));
  d.values.resize(keep);
  for (std::size_t i = 0; i < keep; ++i)
    d.values[i] = static_cast<float>(element(a, i));
  if (!labels_path.empty()) {
    const NpyArray l = read_npy(labels_path);
    if (l.shape.size() != 1 || l.shape[0] != a.shape[0])
      throw UserError(labels_path + ": expected a 1-D array of " + std::to_string(a.shape[0]) +
                      " labels");
    if (l.descr[1] == 'f') throw UserError(labels_path + ": labels must be integers");
    item_size(l.descr, labels_path);
    d.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      d.labels[i] = static_cast<int>(element(l, i));
  }
  return d;
}

}  // namespace mpsim
