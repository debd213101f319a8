#include "quant/dataset.h"

#include <cstdlib>
#include <new>

#include "formats/error.h"
#include "quant/src/idx_file.h"

namespace mpsim {

namespace {

std::size_t capped(std::uint64_t n, std::size_t limit) {
  return static_cast<std::size_t>(limit > 0 && limit < n ? limit : n);
}

Dataset read_images(IdxFile& f, std::size_t limit) {
  Dataset d;
  d.name = f.path();
  d.sample_shape = {1, static_cast<std::int64_t>(f.rows()), static_cast<std::int64_t>(f.cols())};
  const std::size_t keep = capped(f.count(), limit);
  // A plain file's counts were checked against its size, so reserving them is bounded by its
  // data; a gzip file's are only bounded by the compression ratio, so its values grow as the
  // data arrives.
  if (f.size_checked()) d.values.reserve(keep * f.item_bytes());
  try {
    f.read(keep, [&](const unsigned char* px, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i)
        d.values.push_back(static_cast<float>(px[i]) / 255.0f);
    });
  } catch (const std::bad_alloc&) {
    f.fail(std::to_string(keep) + " images of " + std::to_string(f.item_bytes()) +
           " pixels do not fit in memory as floats; take fewer with --limit");
  }
  return d;
}

std::vector<int> read_labels(IdxFile& f, std::size_t limit) {
  std::vector<int> labels;
  labels.reserve(capped(f.count(), limit));
  f.read(capped(f.count(), limit),
         [&](const unsigned char* l, std::size_t n) { labels.insert(labels.end(), l, l + n); });
  return labels;
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
  IdxFile f(path, IdxFile::Kind::kImages);
  return read_images(f, limit);
}

std::vector<int> read_idx_labels(const std::string& path, std::size_t limit) {
  IdxFile f(path, IdxFile::Kind::kLabels);
  return read_labels(f, limit);
}

Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 std::size_t limit) {
  IdxFile images(images_path, IdxFile::Kind::kImages);
  IdxFile labels(labels_path, IdxFile::Kind::kLabels);
  // Compared as declared, before reading: with --limit the counts read always agree.
  if (images.count() != labels.count())
    labels.fail("declares " + std::to_string(labels.count()) + " labels but " + images_path +
                " declares " + std::to_string(images.count()) + " images");
  Dataset d = read_images(images, limit);
  d.labels = read_labels(labels, limit);
  d.labels_name = labels_path;
  return d;
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
  Dataset d = load_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz",
                       dir + "/" + prefix + "-labels-idx1-ubyte.gz", limit);
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
