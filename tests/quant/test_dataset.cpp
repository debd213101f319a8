// Data sets: Fashion-MNIST from Debian's gzip IDX files, .npy inputs and labels, errors.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <numeric>

#include "formats/error.h"
#include "quant/dataset.h"
#include "tests/test_support.h"

using namespace mpsim;

namespace {

using test::npy;

template <typename T>
std::string bytes(std::initializer_list<T> v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), std::data(v), s.size());
  return s;
}

}  // namespace

TEST_CASE("dataset: Fashion-MNIST test split from Debian's package") {
  const Dataset d = load_fashion_mnist("test");
  REQUIRE(d.size() == 10000);
  CHECK(d.sample_shape == Shape{1, 28, 28});
  REQUIRE(d.labels.size() == 10000);
  CHECK(d.labels[0] == 9);  // ankle boot
  CHECK(d.labels[1] == 2);
  std::vector<int> per_class(10, 0);
  for (int l : d.labels)
    ++per_class.at(static_cast<std::size_t>(l));
  CHECK(per_class == std::vector<int>(10, 1000));
  // The first image's pixels add up to 33,456 / 255; the whole split's mean is 0.28685.
  const double first = std::accumulate(d.sample(0), d.sample(0) + 784, 0.0);
  CHECK(first == doctest::Approx(33456.0 / 255).epsilon(1e-6));
  const double mean =
      std::accumulate(d.values.begin(), d.values.end(), 0.0) / static_cast<double>(d.values.size());
  CHECK(mean == doctest::Approx(0.28684928).epsilon(1e-6));
  const Dataset few = load_dataset("fashion-mnist:test", 5);
  CHECK(few.size() == 5);
  CHECK(few.labels == std::vector<int>{9, 2, 1, 1, 6});
}

TEST_CASE("dataset: normalization") {
  Dataset d = load_dataset("fashion-mnist", 2);
  const float before = d.values[100];
  normalize(d, 0.2860f, 0.3530f);
  CHECK(d.values[100] == doctest::Approx((before - 0.2860f) / 0.3530f));
}

TEST_CASE("dataset: .npy values and labels") {
  test::TempDir dir;
  const auto x = dir.file("x.npy", npy("<f4", "(2, 3)", bytes<float>({1, 2, 3, 4, 5, 6})));
  const auto y = dir.file("y.npy", npy("<i8", "(2,)", bytes<std::int64_t>({7, 3})));
  const Dataset d = load_npy(x, y);
  CHECK(d.size() == 2);
  CHECK(d.sample_shape == Shape{3});
  CHECK(d.sample(1)[2] == 6.0f);
  CHECK(d.labels == std::vector<int>{7, 3});
  const auto u8 = dir.file("u.npy", npy("|u1", "(1, 2, 2)", std::string("\x01\x02\x03\xff", 4)));
  CHECK(load_npy(u8).values == std::vector<float>{1, 2, 3, 255});
  const auto f8 = dir.file("d.npy", npy("<f8", "(1, 1)", bytes<double>({0.5})));
  CHECK(load_npy(f8).values == std::vector<float>{0.5f});
}

TEST_CASE("dataset: errors name the file") {
  test::TempDir dir;
  const auto junk = dir.file("junk.npy", "not numpy");
  CHECK_THROWS_WITH_AS(load_npy(junk), doctest::Contains("junk.npy: not a .npy file"), UserError);
  const auto x = dir.file("x.npy", npy("<f4", "(2, 1)", bytes<float>({1, 2})));
  const auto y = dir.file("y.npy", npy("<i8", "(3,)", bytes<std::int64_t>({1, 2, 3})));
  CHECK_THROWS_WITH_AS(load_npy(x, y), doctest::Contains("expected a 1-D array of 2 labels"),
                       UserError);
  const auto c = dir.file("c.npy", npy("<c8", "(1,)", std::string(8, '\0')));
  CHECK_THROWS_WITH_AS(load_npy(c), doctest::Contains("unsupported .npy dtype '<c8'"), UserError);
  const auto short_data = dir.file("s.npy", npy("<f4", "(4,)", bytes<float>({1})));
  CHECK_THROWS_WITH_AS(load_npy(short_data), doctest::Contains("truncated"), UserError);
  const auto idx = dir.file("bad.idx", std::string("\x00\x00\x08\x01\x00\x00\x00\x01", 8) + "x");
  CHECK_THROWS_WITH_AS(read_idx_images(idx), doctest::Contains("not an IDX image file"), UserError);
  CHECK_THROWS_AS(read_idx_labels(dir.file("l.idx", "abc")), UserError);
  CHECK_THROWS_WITH_AS(load_dataset("mnist"), doctest::Contains("unknown data set 'mnist'"),
                       UserError);
  CHECK_THROWS_AS(load_fashion_mnist("valid"), UserError);
  CHECK_THROWS_WITH_AS(read_idx_images("/nonexistent/x.gz"), doctest::Contains("no such file"),
                       UserError);
}
