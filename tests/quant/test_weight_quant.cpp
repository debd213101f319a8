// Weight quantization: the evaluator's weights are the formats library's conversion, and the
// ternary rules do what their papers say.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "formats/error.h"
#include "formats/fake_quant.h"
#include "formats/mx.h"
#include "quant/dataset.h"
#include "quant/evaluator.h"
#include "quant/weight_quant.h"
#include "tests/test_support.h"
#include "workloads/importers.h"

using namespace mpsim;

namespace {

Tensor random_weights(Shape shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, 0.05f);
  Tensor t;
  t.shape = shape;
  t.data.resize(static_cast<std::size_t>(element_count(shape)));
  for (auto& v : t.data)
    v = n(rng);
  return t;
}

LayerPrecision precision(const char* format, Granularity g = Granularity::kPerChannel) {
  LayerPrecision p;
  p.weight = Format::parse(format);
  p.granularity = g;
  return p;
}

double squared_error(const std::vector<float>& a, const std::vector<float>& b) {
  double e = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    e += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
  return e;
}

}  // namespace

TEST_CASE("weights: per-channel integers equal fake_quant_per_channel with max-rule params") {
  const Tensor w = random_weights({8, 4, 3, 3}, 1);
  for (const char* f : {"int8", "int4", "int2", "uint8"}) {
    INFO(f);
    const Format fmt = Format::parse(f);
    const QuantizedWeights q = quantize_weights(w, precision(f));
    const std::int64_t shape[2] = {8, 36};
    const auto params = params_per_channel(fmt, w.data, shape, 0);
    std::vector<float> expect(w.data.size());
    fake_quant_per_channel(fmt, w.data, expect, shape, 0, params);
    CHECK(q.values.data == expect);
    CHECK(q.values.shape == w.shape);
    if (fmt.kind() == FormatKind::kSignedInt) {
      REQUIRE(q.channel_scales.size() == 8);
      CHECK(q.channel_scales[3] == params[3].scale);
    }
  }
}

TEST_CASE("weights: per-tensor fp8 and per-channel fp4 equal the formats' conversion") {
  const Tensor w = random_weights({16, 32}, 2);
  {
    const Format f = Format::parse("fp8_e4m3");
    const auto q = quantize_weights(w, precision("fp8_e4m3", Granularity::kPerTensor));
    std::vector<float> expect(w.data.size());
    fake_quant(f, w.data, expect, params_from_data(f, w.data));
    CHECK(q.values.data == expect);
    CHECK(q.channel_scales.empty());  // a float grid: no integer accumulator scale
  }
  {
    const Format f = Format::parse("fp4_e2m1");
    const auto q = quantize_weights(w, precision("fp4_e2m1"));
    const std::int64_t shape[2] = {16, 32};
    std::vector<float> expect(w.data.size());
    fake_quant_per_channel(f, w.data, expect, shape, 0, params_per_channel(f, w.data, shape, 0));
    CHECK(q.values.data == expect);
  }
  {  // bf16: rounded without a scale
    const Format f = Format::parse("bf16");
    const auto q = quantize_weights(w, precision("bf16"));
    for (std::size_t i = 0; i < w.data.size(); ++i)
      CHECK(q.values.data[i] == f.quantize(w.data[i]));
  }
}

TEST_CASE("weights: MX blocks run along the reduction axis of [out, in, kh, kw]") {
  const Tensor w = random_weights({4, 8, 3, 3}, 3);  // K = 72: blocks of 32, 32, 8 per filter
  const Format f = Format::parse("mxfp4_e2m1");
  const auto q = quantize_weights(w, precision("mxfp4_e2m1", Granularity::kPerTensor));
  const std::int64_t shape[2] = {4, 72};
  std::vector<float> expect(w.data.size());
  mx_quantize(f, w.data, expect, shape, 1);
  CHECK(q.values.data == expect);
  // Not the same as blocks across filters: the first filter's blocks stand alone.
  std::vector<float> first(w.data.begin(), w.data.begin() + 32);
  CHECK(mx_quantize(f, first) ==
        std::vector<float>(q.values.data.begin(), q.values.data.begin() + 32));
}

TEST_CASE(
    "weights: clusters of N filters share one scale, clusters of N weights restart per filter") {
  const Tensor w = random_weights({8, 10}, 4);
  LayerPrecision p = precision("int4", Granularity::kCluster);
  p.cluster_size = 4;
  const auto q = quantize_weights(w, p);
  REQUIRE(q.channel_scales.size() == 8);
  CHECK(q.channel_scales[0] == q.channel_scales[3]);
  CHECK(q.channel_scales[4] == q.channel_scales[7]);
  CHECK(q.channel_scales[0] != q.channel_scales[4]);
  // The 4-bit cluster rule: scale = max |w| of the cluster / 7.
  float amax = 0;
  for (int i = 0; i < 40; ++i)
    amax = std::max(amax, std::fabs(w.data[static_cast<std::size_t>(i)]));
  CHECK(q.channel_scales[0] == doctest::Approx(amax / 7));

  p.cluster_unit = ClusterUnit::kWeights;
  p.cluster_size = 4;  // rows of 10: groups 4, 4, 2
  const auto g = quantize_weights(w, p);
  CHECK(g.channel_scales.empty());
  const std::int64_t shape[2] = {8, 10};
  const Format f = Format::parse("int4");
  std::vector<float> expect(w.data.size());
  fake_quant_per_group(f, w.data, expect, shape, 4, params_per_group(f, w.data, shape, 4));
  CHECK(g.values.data == expect);
}

TEST_CASE("weights: the TWN and optimal ternary rules") {
  const std::vector<float> w = {0.9f, -0.1f, 0.05f, -0.6f, 0.3f, 0.0f};
  // TWN: threshold 0.7 * mean|w| = 0.7 * 1.95 / 6 = 0.2275; alpha = mean(0.9, 0.6, 0.3) = 0.6.
  const TernaryFit t = ternary_twn(w);
  CHECK(t.threshold == doctest::Approx(0.2275));
  CHECK(t.alpha == doctest::Approx(0.6));
  // Optimal: (S_m)^2 / m over sorted 0.9, 0.6, 0.3, ...: 0.81, 1.125, 1.08 -> m = 2, alpha 0.75.
  const TernaryFit o = ternary_optimal(w);
  CHECK(o.alpha == doctest::Approx(0.75));
  std::vector<float> out(w.size());
  quantize_unit(Format::parse("ternary"), WeightScale::kMse, w, out);
  CHECK(out == std::vector<float>{0.75f, 0.0f, 0.0f, -0.75f, 0.0f, 0.0f});
  quantize_unit(Format::parse("ternary"), WeightScale::kTwn, w, out);
  CHECK(out == std::vector<float>{0.6f, 0.0f, 0.0f, -0.6f, 0.6f, 0.0f});

  // On random data the optimal rule's error is never above TWN's.
  for (unsigned seed = 0; seed < 20; ++seed) {
    const Tensor r = random_weights({1, 200}, seed);
    std::vector<float> a(200), b(200);
    quantize_unit(Format::parse("ternary"), WeightScale::kMse, r.data, a);
    quantize_unit(Format::parse("ternary"), WeightScale::kTwn, r.data, b);
    CHECK(squared_error(r.data, a) <= squared_error(r.data, b) + 1e-12);
  }
}

TEST_CASE("weights: the MSE scale never does worse than the max rule") {
  for (const char* f : {"int4", "int3", "fp4_e2m1", "uint4"}) {
    INFO(f);
    const Tensor w = random_weights({1, 512}, 7);
    std::vector<float> a(512), b(512);
    quantize_unit(Format::parse(f), WeightScale::kMse, w.data, a);
    quantize_unit(Format::parse(f), WeightScale::kMax, w.data, b);
    CHECK(squared_error(w.data, a) <= squared_error(w.data, b));
  }
  // Gaussian weights at 4 bits: clipping helps strictly.
  const Tensor w = random_weights({1, 4096}, 8);
  std::vector<float> a(4096), b(4096);
  quantize_unit(Format::parse("int4"), WeightScale::kMse, w.data, a);
  quantize_unit(Format::parse("int4"), WeightScale::kMax, w.data, b);
  CHECK(squared_error(w.data, a) < 0.9 * squared_error(w.data, b));
  CHECK_THROWS_AS(quantize_unit(Format::parse("int4"), WeightScale::kTwn, w.data, a), UserError);
}

TEST_CASE("weights: the engine runs with exactly the quantized weights the evaluator builds") {
  Network net = import_onnx(test::source_path("models/fmnist_resnet.onnx"));
  Dataset calib = load_fashion_mnist("train", 64);
  Evaluator ev(net, load_fashion_mnist("test", 8), calib);
  const PrecisionMap map = resolve_precision_map(
      parse_precision_map("[default]\nweight = \"fp8_e4m3\"\nactivation = \"int8\"\n", "m.toml"),
      net);
  const QuantConfig q = ev.quantizers(map);
  for (int id : net.mac_layers()) {
    const Layer& l = net.layer(id);
    REQUIRE(q.layers[static_cast<std::size_t>(id)].has_value());
    const auto& lq = *q.layers[static_cast<std::size_t>(id)];
    REQUIRE(lq.weight);
    const Format f = Format::parse("fp8_e4m3");
    const std::int64_t shape[2] = {l.weight->shape[0],
                                   element_count(l.weight->shape) / l.weight->shape[0]};
    std::vector<float> expect(l.weight->data.size());
    fake_quant_per_channel(f, l.weight->data, expect, shape, 0,
                           params_per_channel(f, l.weight->data, shape, 0));
    CHECK(lq.weight->data == expect);
    REQUIRE(lq.inputs[0].has_value());
    CHECK(lq.inputs[0]->format.name() == "int8");
    CHECK(!lq.output.has_value());
  }
  // Built once per (layer, format, rule): a second map reuses the tensors.
  const QuantConfig again = ev.quantizers(map);
  const int first = net.mac_layers()[0];
  CHECK(again.layers[static_cast<std::size_t>(first)]->weight.get() ==
        q.layers[static_cast<std::size_t>(first)]->weight.get());
}
