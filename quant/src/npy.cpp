// NumPy .npy data sets: the header is checked against the file first (npy_header.h), then only
// the samples asked for are read, in pieces, converted to float as they arrive; a --limit of
// 10 on a file of 200 MB reads 10 samples.
#include <algorithm>
#include <climits>
#include <cstring>

#include "formats/error.h"
#include "formats/input_file.h"
#include "quant/dataset.h"
#include "quant/src/npy_header.h"

namespace mpsim {

namespace {

using npy::Dtype;

// What is read at once: enough to keep system calls few, small beside any data set.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

double real_value(Dtype t, const char* p) {
  switch (t) {
    case Dtype::kF4:
      return load<float>(p);
    case Dtype::kF8:
      return load<double>(p);
    case Dtype::kI1:
      return load<std::int8_t>(p);
    case Dtype::kU1:
    case Dtype::kB1:
      return load<std::uint8_t>(p);
    case Dtype::kI4:
      return load<std::int32_t>(p);
    case Dtype::kU4:
      return load<std::uint32_t>(p);
    case Dtype::kI8:
      return static_cast<double>(load<std::int64_t>(p));
    case Dtype::kU8:
      return static_cast<double>(load<std::uint64_t>(p));
  }
  return 0;
}

// An integer label as an int, or false when it does not fit one; `text` gets its value.
bool int_value(Dtype t, const char* p, int& out, std::string& text) {
  std::int64_t v = 0;
  if (t == Dtype::kU8) {
    const auto u = load<std::uint64_t>(p);
    text = std::to_string(u);
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return false;
    v = static_cast<std::int64_t>(u);
  } else if (t == Dtype::kI8) {
    v = load<std::int64_t>(p);
  } else {
    v = static_cast<std::int64_t>(real_value(t, p));  // 32 bits or fewer: exact in a double
  }
  text = std::to_string(v);
  if (v < INT_MIN || v > INT_MAX) return false;
  out = static_cast<int>(v);
  return true;
}

// Calls visit(index, element) for the first `count` elements of the data, reading in pieces.
template <class Visit>
void for_each_element(const InputFile& f, const npy::Header& h, std::uint64_t count, Visit visit) {
  const std::size_t item = npy::item_size(h.dtype);
  const std::uint64_t per_chunk = kChunkBytes / item;
  std::vector<char> buf(static_cast<std::size_t>(std::min(per_chunk, count) * item));
  for (std::uint64_t first = 0; first < count; first += per_chunk) {
    const std::uint64_t n = std::min(per_chunk, count - first);
    f.read_exact_at(h.data_offset + first * item, buf.data(), static_cast<std::size_t>(n * item),
                    "the .npy data");
    for (std::uint64_t i = 0; i < n; ++i)
      visit(first + i, buf.data() + i * item);
  }
}

// The elements of one sample: the product of the dimensions after the first. It may overflow
// when the file has no samples (a zero first dimension makes the whole product 0).
std::uint64_t sample_elements(const InputFile& f, const npy::Header& h) {
  std::uint64_t n = 1;
  for (std::size_t i = 1; i < h.shape.size(); ++i)
    if (__builtin_mul_overflow(n, h.shape[i], &n) || n > static_cast<std::uint64_t>(INT64_MAX))
      f.fail("a sample of the shape " + npy::shape_text(h.shape) + " has too many elements");
  return n;
}

std::vector<int> read_labels(const std::string& path, std::uint64_t samples, std::uint64_t keep,
                             const std::string& data_path) {
  const InputFile f(path, ".npy labels");
  const npy::Header h = npy::read_header(f);
  if (h.shape.size() != 1 || h.shape[0] != samples)
    f.fail("expected a 1-D array of " + std::to_string(samples) + " labels, one per sample of " +
           data_path + ", found the shape " + npy::shape_text(h.shape));
  if (!npy::is_integer(h.dtype)) f.fail("labels must be integers, not '" + h.descr + "'");
  std::vector<int> labels(static_cast<std::size_t>(keep));
  std::string text;
  for_each_element(f, h, keep, [&](std::uint64_t i, const char* p) {
    if (!int_value(h.dtype, p, labels[static_cast<std::size_t>(i)], text))
      f.fail("the label of sample " + std::to_string(i) + " is " + text +
             ", not a class index (it does not fit an int)");
  });
  return labels;
}

}  // namespace

Dataset load_npy(const std::string& path, const std::string& labels_path, std::size_t limit) {
  const InputFile f(path, ".npy data set");
  const npy::Header h = npy::read_header(f);
  if (h.shape.empty())
    f.fail("expected an array whose first axis is samples, found a single value (shape ())");
  const std::uint64_t samples = h.shape[0];
  const std::uint64_t keep = limit > 0 && limit < samples ? limit : samples;
  const std::uint64_t per = sample_elements(f, h);

  Dataset d;
  d.name = path;
  for (std::size_t i = 1; i < h.shape.size(); ++i)
    d.sample_shape.push_back(static_cast<std::int64_t>(h.shape[i]));
  // keep x per x item size is at most the file's data (read_header checked it), so this
  // allocation is bounded by the file, not by what its header claims.
  d.values.resize(static_cast<std::size_t>(keep * per));
  for_each_element(f, h, keep * per, [&](std::uint64_t i, const char* p) {
    d.values[static_cast<std::size_t>(i)] = static_cast<float>(real_value(h.dtype, p));
  });
  if (!labels_path.empty()) {
    d.labels = read_labels(labels_path, samples, keep, path);
    d.labels_name = labels_path;
  }
  return d;
}

}  // namespace mpsim
