// The fp32 engine against PyTorch: the bundled models' recorded logits, a torchvision network
// with random weights and a small network touching the remaining ops (both exported at test
// time with Debian's torch), and the engine's own invariants.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "formats/error.h"
#include "quant/dataset.h"
#include "quant/engine.h"
#include "tests/test_support.h"
#include "workloads/importers.h"
#include "workloads/network_io.h"

using namespace mpsim;

namespace {

// max |a - b| / max |b|: the error relative to the reference's scale.
double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
  REQUIRE(a.size() == b.size());
  double err = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    err = std::max(err, static_cast<double>(std::fabs(a[i] - b[i])));
    scale = std::max(scale, static_cast<double>(std::fabs(b[i])));
  }
  REQUIRE(scale > 0);
  return err / scale;
}

std::vector<float> run(Engine& e, const std::vector<float>& in) {
  std::vector<float> out(in.size() / static_cast<std::size_t>(e.input_size()) *
                         static_cast<std::size_t>(e.output_size()));
  e.run(in, out);
  return out;
}

Dataset fashion_inputs(std::size_t n, const Network& net) {
  Dataset d = load_fashion_mnist("test", n);
  normalize(d, std::stof(net.metadata().at("mean")), std::stof(net.metadata().at("std")));
  return d;
}

// A torch model exported with its reference inputs and outputs (scripts/export_test_models.py).
struct Reference {
  test::TempDir dir;
  std::string onnx;
  Dataset input, output;
};

void export_reference(Reference& r, const std::string& model) {
  r.onnx = r.dir.path(model + ".onnx");
  const std::string prefix = r.dir.path(model), log = r.dir.path("log");
  const std::string cmd = std::string(MPSIM_PYTHON) + " '" +
                          test::source_path("scripts/export_test_models.py") + "' " + model + " '" +
                          r.onnx + "' --opset 13 --reference '" + prefix + "' > '" + log + "' 2>&1";
  const int status = std::system(cmd.c_str());
  std::ifstream f(log);
  std::stringstream text;
  text << f.rdbuf();
  REQUIRE_MESSAGE(status == 0, "export of " << model
                                            << " failed (scripts/setup.sh installs "
                                               "python3-torch):\n"
                                            << text.str());
  r.input = load_npy(prefix + "_input.npy");
  r.output = load_npy(prefix + "_output.npy");
}

}  // namespace

TEST_CASE("engine: the bundled models' fp32 logits equal PyTorch's recorded ones") {
  for (const char* name : {"fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit"}) {
    INFO(name);
    Network net = import_onnx(test::source_path(std::string("models/") + name + ".onnx"));
    const Dataset ref =
        load_npy(test::source_path(std::string("models/") + name + "_logits100.npy"));
    const Dataset in = fashion_inputs(ref.size(), net);
    Engine e(std::move(net), {2, 16});
    CHECK(e.output_size() == 10);
    CHECK(relative_error(run(e, in.values), ref.values) < 1e-5);
  }
}

TEST_CASE("engine: torchvision mobilenet_v2 with random weights matches PyTorch to 1e-4") {
  Reference r;
  export_reference(r, "mobilenet_v2");
  Engine e(import_onnx(r.onnx), {2, 1});
  REQUIRE(e.input_shape() == Shape{1, 3, 224, 224});
  const auto out = run(e, r.input.values);
  CHECK(relative_error(out, r.output.values) < 1e-4);
  // Per sample too: each of the two images on its own scale.
  for (std::size_t s = 0; s < 2; ++s) {
    const std::vector<float> a(out.begin() + static_cast<std::ptrdiff_t>(s * 1000),
                               out.begin() + static_cast<std::ptrdiff_t>((s + 1) * 1000));
    const std::vector<float> b(
        r.output.values.begin() + static_cast<std::ptrdiff_t>(s * 1000),
        r.output.values.begin() + static_cast<std::ptrdiff_t>((s + 1) * 1000));
    CHECK(relative_error(a, b) < 1e-4);
  }
}

TEST_CASE("engine: the remaining ops (hardswish, batch norm, pad, ceil pooling, attention, ...)") {
  Reference r;
  export_reference(r, "ops_torch");
  Network net = import_onnx(r.onnx);
  bool has_ln = false, has_softmax = false, has_matmul = false;
  for (const auto& l : net.layers()) {
    has_ln = has_ln || l.op == Op::kLayerNorm;
    has_softmax = has_softmax || l.op == Op::kSoftmax;
    has_matmul = has_matmul || l.op == Op::kMatMul;
  }
  CHECK((has_ln && has_softmax && has_matmul));
  Engine e(std::move(net), {1, 1});
  CHECK(relative_error(run(e, r.input.values), r.output.values) < 1e-5);
}

TEST_CASE("engine: results do not depend on threads or micro-batch size") {
  Network net = import_onnx(test::source_path("models/fmnist_vit.onnx"));
  const Dataset in = fashion_inputs(37, net);
  Engine one(net, {1, 1});
  Engine many(net, {2, 16});
  const auto a = run(one, in.values), b = run(many, in.values);
  CHECK(relative_error(a, b) < 1e-6);
  // One sample run alone equals the same sample inside a batch.
  const std::vector<float> first(in.values.begin(), in.values.begin() + 784);
  const auto c = run(many, first);
  CHECK(relative_error(c, std::vector<float>(b.begin(), b.begin() + 10)) < 1e-6);
}

TEST_CASE("engine: what it cannot run is named") {
  // A zoo network describes shapes only.
  try {
    Engine e(load_workload("resnet18"));
    FAIL("expected an error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("conv1") != std::string::npos);
    CHECK(std::string(e.what()).find("no weights") != std::string::npos);
  }
  Engine e(import_onnx(test::source_path("models/fmnist_resnet.onnx")), {1, 4});
  std::vector<float> in(785), out(10);
  CHECK_THROWS_WITH_AS(e.run(in, out), doctest::Contains("whole number of samples"), UserError);
}

TEST_CASE("engine: flops per sample count two per MAC") {
  Network net = import_onnx(test::source_path("models/fmnist_resnet.onnx"));
  const double macs = static_cast<double>(net.total_macs());
  Engine e(std::move(net));
  CHECK(e.flops_per_sample() >= 2 * macs);
  CHECK(e.flops_per_sample() < 2.1 * macs);
}

namespace {

// A direct convolution: the definition, for checking every path of the engine's kernel.
std::vector<float> direct_conv(const Conv2dParams& c, const Shape& is, const std::vector<float>& x,
                               const Tensor& w, const Tensor& b, const Shape& os) {
  std::vector<float> y(static_cast<std::size_t>(element_count(os)));
  const std::int64_t cg = is[1] / c.groups, og = c.out_channels / c.groups;
  for (std::int64_t o = 0; o < c.out_channels; ++o)
    for (std::int64_t i = 0; i < os[2]; ++i)
      for (std::int64_t j = 0; j < os[3]; ++j) {
        double acc = b.data[static_cast<std::size_t>(o)];
        for (std::int64_t ci = 0; ci < cg; ++ci)
          for (std::int64_t ki = 0; ki < c.kernel_h; ++ki)
            for (std::int64_t kj = 0; kj < c.kernel_w; ++kj) {
              const std::int64_t yy = i * c.stride_h - c.pad_top + ki * c.dilation_h;
              const std::int64_t xx = j * c.stride_w - c.pad_left + kj * c.dilation_w;
              if (yy < 0 || yy >= is[2] || xx < 0 || xx >= is[3]) continue;
              const std::int64_t cin = (o / og) * cg + ci;
              acc += static_cast<double>(
                         x[static_cast<std::size_t>((cin * is[2] + yy) * is[3] + xx)]) *
                     w.data[static_cast<std::size_t>(
                         ((o * cg + ci) * c.kernel_h + ki) * c.kernel_w + kj)];
            }
        y[static_cast<std::size_t>((o * os[2] + i) * os[3] + j)] = static_cast<float>(acc);
      }
  return y;
}

}  // namespace

TEST_CASE("engine: convolutions of every shape equal the direct definition") {
  struct Case {
    Shape in;
    Conv2dParams c;
  };
  auto conv = [](std::int64_t out, std::int64_t kh, std::int64_t kw, std::int64_t sh,
                 std::int64_t sw, std::int64_t pads, std::int64_t dh, std::int64_t dw,
                 std::int64_t groups) {
    Conv2dParams c;
    c.out_channels = out;
    c.kernel_h = kh, c.kernel_w = kw, c.stride_h = sh, c.stride_w = sw;
    c.pad_top = pads, c.pad_left = pads > 0 ? pads - 1 : 0, c.pad_bottom = pads + 1,
    c.pad_right = pads;
    c.dilation_h = dh, c.dilation_w = dw, c.groups = groups;
    return c;
  };
  const std::vector<Case> cases = {
      {{1, 4, 9, 11}, conv(6, 3, 2, 2, 3, 1, 1, 1, 2)},   // strided, grouped, non-square
      {{1, 4, 9, 11}, conv(6, 3, 3, 1, 1, 2, 2, 1, 1)},   // dilated rows, stride 1
      {{1, 4, 12, 12}, conv(8, 3, 3, 2, 2, 1, 2, 2, 1)},  // strided and dilated (im2col)
      {{1, 8, 5, 5}, conv(4, 1, 1, 1, 1, 0, 1, 1, 1)},    // pointwise, small image
      {{1, 8, 16, 16}, conv(4, 1, 1, 1, 1, 0, 1, 1, 2)},  // pointwise, grouped, large image
      {{1, 3, 20, 20}, conv(5, 5, 5, 3, 3, 2, 1, 1, 1)},  // stride 3
      {{1, 6, 7, 7}, conv(12, 3, 3, 2, 2, 1, 1, 1, 6)},   // depthwise, multiplier 2, strided
  };
  std::mt19937 rng(5);
  std::normal_distribution<float> n(0.0f, 1.0f);
  for (const Case& k : cases) {
    Network net("conv");
    const int in = net.add_input("x", k.in);
    Layer l;
    l.name = "conv";
    l.op = Op::kConv2d;
    l.conv = k.c;
    l.has_bias = true;
    l.inputs = {in};
    Tensor w, b;
    w.shape = {k.c.out_channels, k.in[1] / k.c.groups, k.c.kernel_h, k.c.kernel_w};
    w.data.resize(static_cast<std::size_t>(element_count(w.shape)));
    for (auto& v : w.data)
      v = n(rng);
    b.shape = {k.c.out_channels};
    b.data.resize(static_cast<std::size_t>(k.c.out_channels));
    for (auto& v : b.data)
      v = n(rng);
    l.weight = w;
    l.bias = b;
    net.add_layer(l);
    const Shape os = net.layers().back().output_shape;
    std::vector<float> x(static_cast<std::size_t>(3 * element_count(k.in)));
    for (auto& v : x)
      v = n(rng);
    Engine e(net, {1, 3});
    const auto y = run(e, x);
    for (std::int64_t s = 0; s < 3; ++s) {
      INFO("case " << shape_string(k.in) << " -> " << shape_string(os) << ", sample " << s);
      const std::vector<float> xs(x.begin() + s * element_count(k.in),
                                  x.begin() + (s + 1) * element_count(k.in));
      const auto want = direct_conv(k.c, k.in, xs, w, b, os);
      const std::vector<float> got(y.begin() + s * element_count(os),
                                   y.begin() + (s + 1) * element_count(os));
      CHECK(relative_error(got, want) < 1e-5);
    }
  }
}
