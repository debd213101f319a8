// ONNX models with dynamic input dimensions, as torch.onnx.export(..., dynamic_axes=...) writes
// them: a dynamic leading dimension is the batch (1 unless set), others are set by the user by
// input or by name, and each export equals its static twin at the same sizes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/error.h"
#include "tests/onnx_exports.h"
#include "workloads/importers.h"

namespace {

using mpsim::import_onnx;
using mpsim::InputShape;
using mpsim::Network;
using mpsim::OnnxImportOptions;
using mpsim::Op;
using mpsim::Shape;
using mpsim::UserError;
using mpsim::test::exported_model;

std::string error_of(const std::string& path, const OnnxImportOptions& o = {}) {
  try {
    import_onnx(path, o);
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("importing " << path << " did not fail");
  return {};
}

Shape input_shape(const Network& net, int which = 0) {
  int seen = 0;
  for (const auto& l : net.layers())
    if (l.op == Op::kInput && seen++ == which) return l.output_shape;
  FAIL("no input " << which);
  return {};
}

OnnxImportOptions with(std::vector<InputShape> shapes, std::optional<std::int64_t> batch = {}) {
  OnnxImportOptions o;
  o.input_shapes = std::move(shapes);
  o.batch = batch;
  return o;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// What two exports of one model must share: every layer's op, output shape, MACs and weights.
std::vector<std::string> structure(const Network& net) {
  std::vector<std::string> out;
  for (const auto& l : net.layers())
    out.push_back(mpsim::op_name(l) + " " + mpsim::shape_string(l.output_shape) + " " +
                  std::to_string(l.macs) + " " + std::to_string(l.weight_count));
  return out;
}

}  // namespace

TEST_CASE("onnx dynamic: a dynamic leading dimension is the batch, 1 unless set") {
  const std::string path = exported_model("dynamic_batch");
  const Network one = import_onnx(path);
  CHECK(input_shape(one) == Shape{1, 3, 8, 8});
  CHECK(one.total_macs() == 4 * 6 * 6 * 27);
  const Network four = import_onnx(path, with({}, 4));
  CHECK(input_shape(four) == Shape{4, 3, 8, 8});
  CHECK(four.total_macs() == 4 * one.total_macs());
  CHECK(four.total_weights() == one.total_weights());
  const Network two = import_onnx(path, with({{"x", {2, 3, 8, 8}}}));
  CHECK(input_shape(two) == Shape{2, 3, 8, 8});
  CHECK(has(error_of(path, with({{"x", {2, 3, 8, 8}}}, 3)),
            "--batch 3 and --input-shape x=... give 'x' different batch sizes (3 and 2)"));
  CHECK(has(error_of(path, with({{"batch", {5}}}, 3)),
            "dimension 'batch' is set to 5 by --input-shape batch=5 but to 3 by --batch 3"));
  CHECK(import_onnx(path, with({{"batch", {5}}})).total_macs() == 5 * one.total_macs());
}

TEST_CASE("onnx dynamic: other dimensions are set by input or by name, or named as open") {
  const std::string path = exported_model("dynamic_dims");  // x [N, 3, H, W]
  const std::string open = error_of(path);
  CHECK(has(open, path + ": graph input 'x' has a dynamic dimension 2 ('H') that nothing sets"));
  CHECK(has(open, "--input-shape x=1x3x<H>x<W> or --input-shape H=SIZE"));

  // What is already set shows in the suggestion.
  CHECK(has(error_of(path, with({{"W", {9}}})), "--input-shape x=1x3x<H>x9 or --input-shape H="));
  const Network by_name = import_onnx(path, with({{"H", {8}}, {"W", {9}}}));
  CHECK(input_shape(by_name) == Shape{1, 3, 8, 9});
  const Network by_input = import_onnx(path, with({{"x", {1, 3, 8, 9}}}));
  CHECK(structure(by_input) == structure(by_name));
  CHECK(input_shape(import_onnx(path, with({{"H", {8}}, {"W", {9}}}, 2))) == Shape{2, 3, 8, 9});

  SUBCASE("a fixed dimension cannot change") {
    CHECK(has(error_of(path, with({{"x", {1, 4, 8, 8}}})),
              "--input-shape x=1x4x8x8: dimension 1 of 'x' is fixed at 3 in " + path));
  }
  SUBCASE("the rank must match") {
    CHECK(has(error_of(path, with({{"x", {1, 3, 8}}})), "has rank 4 (Nx3xHxW), not 3"));
  }
  SUBCASE("an unknown name lists the inputs and named dimensions") {
    const std::string e = error_of(path, with({{"height", {8}}}));
    CHECK(has(e, "has no input or dimension named 'height'"));
    CHECK(has(e, "its inputs: 'x' (Nx3xHxW); its named dimensions: 'N', 'H', 'W'"));
  }
  SUBCASE("a named dimension takes one size, once") {
    CHECK(has(error_of(path, with({{"H", {8, 8}}})), "names a dimension, which takes one size"));
    CHECK(has(error_of(path, with({{"H", {8}}, {"H", {8}}})), "'H' is set twice"));
  }
  SUBCASE("the data's shape fills what nothing else sets") {
    OnnxImportOptions o;
    o.data_shape = Shape{1, 3, 10, 12};
    CHECK(input_shape(import_onnx(path, o)) == Shape{1, 3, 10, 12});
    o.input_shapes = {{"H", {8}}};
    CHECK(input_shape(import_onnx(path, o)) == Shape{1, 3, 8, 12});
  }
}

TEST_CASE("onnx dynamic: a dimension named in several inputs has one size") {
  const std::string path = exported_model("dynamic_seq");  // a, b [N, seq, 8]
  const Network net = import_onnx(path, with({{"seq", {7}}}, 2));
  CHECK(input_shape(net, 0) == Shape{2, 7, 8});
  CHECK(input_shape(net, 1) == Shape{2, 7, 8});
  CHECK(net.total_macs() == 2 * 7 * 8 * 5);
  CHECK(input_shape(import_onnx(path, with({{"a", {1, 7, 8}}})), 1) == Shape{1, 7, 8});
  CHECK(has(error_of(path, with({{"a", {1, 7, 8}}, {"b", {1, 6, 8}}})),
            "dimension 'seq' is set to 7 by --input-shape a=1x7x8 but to 6 by --input-shape "
            "b=1x6x8"));
  // Each named dimension once, though both inputs name it.
  const std::string e = error_of(path, with({{"len", {7}}}));
  CHECK(has(e, "its inputs: 'a' (Nxseqx8), 'b' (Nxseqx8); its named dimensions: 'N', 'seq'"));
  CHECK_FALSE(has(e, "'seq', 'N'"));
}

TEST_CASE("onnx dynamic: a batch given for one input is every input's") {
  const std::string path = exported_model("dynamic_pair");  // a [N, 8], b [M, 8]
  const Network net = import_onnx(path, with({{"a", {4, 8}}}));
  CHECK(input_shape(net, 1) == Shape{4, 8});
  CHECK(net.total_macs() == 4 * 8 * 5);
  CHECK(input_shape(import_onnx(path), 1) == Shape{1, 8});
  CHECK(input_shape(import_onnx(path, with({}, 3)), 0) == Shape{3, 8});
}

TEST_CASE("onnx dynamic: --batch on a model whose batch is fixed") {
  const std::string path = mpsim::test::source_path("models/fmnist_resnet.onnx");
  CHECK(import_onnx(path, with({}, 1)).total_macs() == import_onnx(path).total_macs());
  const std::string e = error_of(path, with({}, 3));
  CHECK(has(e, "--batch 3: " + path + " has a fixed batch dimension (input 'input' is 1x1x28x28)"));
  CHECK(has(e, "dynamic_axes={'input': {0: 'N'}}"));
  CHECK(has(error_of(path, with({}, 0)), "--batch 0: must be from 1 to 2147483648"));
  CHECK(has(error_of(exported_model("dynamic_batch"), with({}, std::int64_t{1} << 40)),
            "must be from 1 to 2147483648"));
}

TEST_CASE("onnx dynamic: an input without a shape takes one from --input-shape") {
  const std::string path = exported_model("no_shape");
  CHECK(has(error_of(path),
            "graph input 'x' has no shape in the model; give it with "
            "--input-shape x=D1xD2x..."));
  CHECK(input_shape(import_onnx(path, with({{"x", {1, 3, 8, 8}}}))) == Shape{1, 3, 8, 8});
}

TEST_CASE("onnx dynamic: --input-shape values are parsed strictly") {
  const InputShape s = mpsim::parse_input_shape("input=1x3x224x224");
  CHECK(s.name == "input");
  CHECK(s.shape == Shape{1, 3, 224, 224});
  CHECK(mpsim::parse_input_shape("seq=128").shape == Shape{128});
  for (const char* bad : {"input", "=1x3", "x=", "x=1x", "x=1xx3", "x=0", "x=-1", "x=1x3.5",
                          "x=abc", "x=99999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_WITH_AS(mpsim::parse_input_shape(bad),
                         doctest::Contains((std::string("--input-shape '") + bad + "'").c_str()),
                         UserError);
  }
}

TEST_CASE("onnx dynamic: dynamic-batch exports of the bundled models equal their static twins") {
  for (const char* name : {"fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit"}) {
    INFO(name);
    const Network fixed =
        import_onnx(mpsim::test::source_path(std::string("models/") + name + ".onnx"));
    const std::string path = exported_model(name, "--opset 13 --dynamic batch");
    const Network dynamic = import_onnx(path);
    CHECK(structure(dynamic) == structure(fixed));
    CHECK(dynamic.total_macs() == fixed.total_macs());
    for (int id : fixed.mac_layers()) {
      const auto& a = fixed.layer(id);
      const auto& b = dynamic.layer(id);
      REQUIRE(a.weight.has_value() == b.weight.has_value());
      if (a.weight) CHECK(a.weight->data == b.weight->data);
    }
    if (std::string(name) == "fmnist_vit") {
      // The training script traces the class token's expand at batch 1 (int(x.shape[0])), so
      // this export fixes its batch inside the graph; the error says so.
      CHECK(has(error_of(path, with({}, 4)),
                "(the model imports at batch 1 but not at --batch 4: it fixes its batch size "
                "inside the graph"));
    } else {
      const Network four = import_onnx(path, with({}, 4));
      CHECK(four.total_macs() == 4 * fixed.total_macs());
      CHECK(four.total_weights() == fixed.total_weights());
      for (int id : fixed.mac_layers())
        CHECK(four.layer(id).macs == 4 * fixed.layer(id).macs);
    }
  }
}

TEST_CASE("onnx dynamic: a batch-and-sequence export equals the static one at that length") {
  const Network fixed = import_onnx(exported_model("tiny_transformer"));  // [1, 12, 32]
  const std::string path = exported_model("tiny_transformer", "--opset 13 --dynamic batch,seq");
  CHECK(has(error_of(path), "graph input 'input' has a dynamic dimension 1 ('seq')"));
  const Network at12 = import_onnx(path, with({{"seq", {12}}}));
  CHECK(structure(at12) == structure(fixed));
  CHECK(at12.total_macs() == fixed.total_macs());
  CHECK(import_onnx(path, with({{"input", {3, 12, 32}}})).total_macs() == 3 * fixed.total_macs());

  // Twice the tokens: every linear doubles, attention's two matmuls quadruple.
  const Network at24 = import_onnx(path, with({{"seq", {24}}}));
  std::int64_t linear12 = 0, linear24 = 0, matmul12 = 0, matmul24 = 0;
  for (int id : at12.mac_layers())
    (at12.layer(id).op == Op::kMatMul ? matmul12 : linear12) += at12.layer(id).macs;
  for (int id : at24.mac_layers())
    (at24.layer(id).op == Op::kMatMul ? matmul24 : linear24) += at24.layer(id).macs;
  CHECK(matmul12 > 0);
  CHECK(linear24 == 2 * linear12);
  CHECK(matmul24 == 4 * matmul12);
}
