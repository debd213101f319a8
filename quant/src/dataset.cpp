#include "quant/dataset.h"

#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "formats/error.h"

namespace mpsim {

namespace {

// The whole file, gunzipped when it is gzip (zlib reads plain files transparently).
std::string read_maybe_gzip(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UserError(path + ": no such file");
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw UserError(path + ": cannot open");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f, buf, sizeof buf);
    if (n < 0) {
      int err = 0;
      const std::string why = gzerror(f, &err);
      gzclose(f);
      throw UserError(path + ": cannot decompress: " + why);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  gzclose(f);
  return out;
}

std::uint32_t big_endian_u32(const std::string& s, std::size_t at) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + at);
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

std::size_t capped(std::size_t n, std::size_t limit) {
  return limit > 0 && limit < n ? limit : n;
}

}  // namespace

std::size_t Dataset::size() const {
  const auto per = static_cast<std::size_t>(sample_elements());
  return per == 0 ? 0 : values.size() / per;
}

std::string fashion_mnist_dir() {
  if (const char* env = std::getenv("MPSIM_FASHION_MNIST_DIR"); env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

Dataset read_idx_images(const std::string& path, std::size_t limit) {
  const std::string data = read_maybe_gzip(path);
  if (data.size() < 16 || big_endian_u32(data, 0) != 0x803)
    throw UserError(path +
                    ": not an IDX image file (expected magic 0x00000803 and a 16-byte header)");
  const std::size_t n = big_endian_u32(data, 4), rows = big_endian_u32(data, 8),
                    cols = big_endian_u32(data, 12);
  if (data.size() != 16 + n * rows * cols)
    throw UserError(path + ": expected " + std::to_string(n) + " images of " +
                    std::to_string(rows) + "x" + std::to_string(cols) + " bytes, file has " +
                    std::to_string(data.size() - 16) + " bytes of pixels");
  Dataset d;
  d.name = path;
  d.sample_shape = {1, static_cast<std::int64_t>(rows), static_cast<std::int64_t>(cols)};
  const std::size_t keep = capped(n, limit) * rows * cols;
  d.values.resize(keep);
  const auto* px = reinterpret_cast<const unsigned char*>(data.data() + 16);
  for (std::size_t i = 0; i < keep; ++i)
    d.values[i] = static_cast<float>(px[i]) / 255.0f;
  return d;
}

std::vector<int> read_idx_labels(const std::string& path, std::size_t limit) {
  const std::string data = read_maybe_gzip(path);
  if (data.size() < 8 || big_endian_u32(data, 0) != 0x801)
    throw UserError(path +
                    ": not an IDX label file (expected magic 0x00000801 and an 8-byte header)");
  const std::size_t n = big_endian_u32(data, 4);
  if (data.size() != 8 + n)
    throw UserError(path + ": expected " + std::to_string(n) + " labels, file has " +
                    std::to_string(data.size() - 8));
  std::vector<int> labels(capped(n, limit));
  for (std::size_t i = 0; i < labels.size(); ++i)
    labels[i] = static_cast<unsigned char>(data[8 + i]);
  return labels;
}

Dataset load_fashion_mnist(const std::string& split, std::size_t limit) {
  std::string prefix;
  if (split == "test") {
    prefix = "t10k";
  } else if (split == "train") {
    prefix = "train";
  } else {
    throw UserError("fashion-mnist split '" + split + "': expected test or train");
  }
  const std::string dir = fashion_mnist_dir();
  Dataset d = read_idx_images(dir + "/" + prefix + "-images-idx3-ubyte.gz", limit);
  d.labels = read_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte.gz", limit);
  if (d.labels.size() != d.size())
    throw UserError(dir + ": " + std::to_string(d.size()) + " images but " +
                    std::to_string(d.labels.size()) + " labels");
  d.name = "fashion-mnist:" + split;
  return d;
}

void normalize(Dataset& d, float mean, float std_dev) {
  const float inv = 1.0f / std_dev;
  for (float& v : d.values)
    v = (v - mean) * inv;
}

Dataset load_dataset(const std::string& spec, std::size_t limit) {
  if (spec == "fashion-mnist" || spec == "fashion-mnist:test")
    return load_fashion_mnist("test", limit);
  if (spec == "fashion-mnist:train") return load_fashion_mnist("train", limit);
  throw UserError("unknown data set '" + spec +
                  "'; expected fashion-mnist, fashion-mnist:test or fashion-mnist:train");
}

}  // namespace mpsim
