// Data sets for the fake-quant evaluator: Fashion-MNIST from Debian's dataset-fashion-mnist
// (gzip IDX files) and generic inputs from NumPy .npy files with optional labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace mpsim {

struct Dataset {
  std::string name;
  Shape sample_shape;         // one sample, e.g. {1, 28, 28}
  std::vector<float> values;  // size() x element_count(sample_shape), row-major
  std::vector<int> labels;    // empty when the data set has none
  std::string labels_name;    // the file the labels come from, for messages ("" : `name`)

  std::size_t size() const;
  std::int64_t sample_elements() const { return element_count(sample_shape); }
  const float* sample(std::size_t i) const {
    return values.data() + i * static_cast<std::size_t>(sample_elements());
  }
};

// The folder of Debian's dataset-fashion-mnist (or $MPSIM_FASHION_MNIST_DIR).
std::string fashion_mnist_dir();

// "test" (t10k, 10,000 images) or "train" (60,000): pixels scaled to [0, 1], shape {1, 28, 28},
// labels 0..9. `limit` > 0 keeps the first `limit` samples. Errors name the file.
Dataset load_fashion_mnist(const std::string& split, std::size_t limit = 0);

// IDX files (optionally gzip-compressed, by content): images (magic 0x803) as floats / 255,
// labels (magic 0x801). Headers are checked against the file before any data is read, and
// only the first `limit` samples (> 0) are read.
Dataset read_idx_images(const std::string& path, std::size_t limit = 0);
std::vector<int> read_idx_labels(const std::string& path, std::size_t limit = 0);
// Images and their labels, whose declared counts must agree.
Dataset load_idx(const std::string& images_path, const std::string& labels_path,
                 std::size_t limit = 0);

// A .npy array of float32, float64 or uint8 (C order); the first axis indexes samples. Labels,
// if given, are a 1-D .npy of integers with as many entries.
Dataset load_npy(const std::string& path, const std::string& labels_path = "",
                 std::size_t limit = 0);

// Parses "fashion-mnist", "fashion-mnist:test" or "fashion-mnist:train".
Dataset load_dataset(const std::string& spec, std::size_t limit = 0);

// x -> (x - mean) / std on every value.
void normalize(Dataset& d, float mean, float std_dev);

}  // namespace mpsim
