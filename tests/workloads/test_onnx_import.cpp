// ONNX import. Models are exported at test time by scripts/export_test_models.py with Debian's
// python3-torch (torchvision classifiers with random weights, a small torch network covering the
// remaining ops) or built with the onnx helper (exact weight and attribute checks, broken files).
// Nothing is cached in the source tree: files go to a scratch folder removed at exit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "formats/error.h"
#include "tests/onnx_exports.h"
#include "tests/test_support.h"
#include "workloads/importers.h"

namespace {

using mpsim::import_onnx;
using mpsim::Layer;
using mpsim::Network;
using mpsim::OnnxImportOptions;
using mpsim::Op;
using mpsim::Shape;
using mpsim::UserError;

// The path of MODEL exported at OPSET (see scripts/export_test_models.py for the names).
std::string exported(const std::string& model, int opset = 13) {
  return mpsim::test::exported_model(model, "--opset " + std::to_string(opset));
}

// The layers of `op`, or only those of the op named `name` ("relu6", "reduce_mean").
std::vector<const Layer*> layers_of(const Network& net, Op op, const std::string& name = "") {
  std::vector<const Layer*> out;
  for (const auto& l : net.layers())
    if (l.op == op && (name.empty() || mpsim::op_name(l) == name)) out.push_back(&l);
  return out;
}

const Layer& named(const Network& net, const std::string& name) {
  const auto id = net.find(name);
  REQUIRE_MESSAGE(id.has_value(), "no layer named " << name);
  return net.layer(*id);
}

// The network's structure without names: what two exports of one model must share.
std::vector<std::string> structure(const Network& net) {
  std::vector<std::string> out;
  for (const auto& l : net.layers())
    out.push_back(mpsim::op_name(l) + " " + mpsim::shape_string(l.output_shape) + " " +
                  std::to_string(l.macs));
  return out;
}

// Every MAC layer carries its weights, of the size the cost figures assume.
void check_weights_kept(const Network& net) {
  for (int id : net.mac_layers()) {
    const Layer& l = net.layer(id);
    if (l.op == Op::kMatMul) continue;  // two activations
    REQUIRE_MESSAGE(l.weight.has_value(), l.name << " has no weight");
    CHECK(static_cast<std::int64_t>(l.weight->data.size()) == l.weight_count);
    CHECK(l.bias.has_value() == l.has_bias);
  }
}

std::string error_of(const std::string& path) {
  try {
    import_onnx(path);
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("importing " << path << " did not fail");
  return {};
}

}  // namespace

TEST_CASE("onnx import: resnet18 at opset 13") {
  const Network net = import_onnx(exported("resnet18"));
  CHECK(net.total_macs() == 1'814'073'344);
  CHECK(net.mac_layers().size() == 21);  // 20 convolutions (batch norm folded by torch) + fc
  const Layer& conv1 = named(net, "/conv1/Conv");
  CHECK(conv1.op == Op::kConv2d);
  CHECK(conv1.output_shape == Shape{1, 64, 112, 112});
  CHECK(conv1.conv.stride_h == 2);
  CHECK(conv1.conv.pad_top == 3);
  const Layer& fc = named(net, "/fc/Gemm");
  CHECK(fc.op == Op::kLinear);
  CHECK(fc.weight->shape == Shape{1000, 512});
  CHECK(named(net, "/maxpool/MaxPool").output_shape == Shape{1, 64, 56, 56});
  CHECK(named(net, "/Flatten").op == Op::kReshape);
  check_weights_kept(net);
}

TEST_CASE("onnx import: resnet18 at opset 17 gives the same network as at opset 13") {
  const Network a = import_onnx(exported("resnet18", 13));
  const Network b = import_onnx(exported("resnet18", 17));
  CHECK(structure(a) == structure(b));
  CHECK(b.total_macs() == 1'814'073'344);
}

TEST_CASE("onnx import: resnet50 at opset 13") {
  const Network net = import_onnx(exported("resnet50"));
  CHECK(net.total_macs() == 4'089'184'256);
  CHECK(net.mac_layers().size() == 54);
  CHECK(net.total_weights() == 25'502'912);
  check_weights_kept(net);
}

TEST_CASE("onnx import: mobilenet_v2 at opset 11") {
  const Network net = import_onnx(exported("mobilenet_v2", 11));
  CHECK(net.total_macs() == 300'774'272);
  CHECK(net.mac_layers().size() == 53);
  // Clip(0, 6) with min and max as constant inputs is relu6.
  CHECK(layers_of(net, Op::kUnary, "relu6").size() == 35);
  const Layer& dw = named(net, "/features/features.1/conv/conv.0/conv.0.0/Conv");
  CHECK(dw.conv.groups == 32);
  CHECK(dw.gemm.k == 9);
  check_weights_kept(net);
}

TEST_CASE("onnx import: vit_b_16 at opset 13") {
  const Network net = import_onnx(exported("vit_b_16"));
  CHECK(net.total_macs() == 17'563'828'224);
  CHECK(net.mac_layers().size() == 74);  // patch conv, 12 x (qkv, 2 matmuls, out, 2 mlp), head
  // The decomposed LayerNorm and GELU are recognised; MatMul + bias Add is one linear layer.
  CHECK(layers_of(net, Op::kLayerNorm).size() == 25);
  CHECK(layers_of(net, Op::kUnary, "gelu").size() == 12);
  CHECK(layers_of(net, Op::kEltwise, "mul").empty());
  const std::string attn = "/encoder/layers/encoder_layer_0/self_attention/";
  const Layer& qkv = named(net, attn + "MatMul");
  CHECK(qkv.op == Op::kLinear);
  CHECK(qkv.has_bias);
  CHECK(qkv.output_shape == Shape{197, 1, 2304});
  CHECK(qkv.weight->shape == Shape{2304, 768});  // [out, in]: transposed from ONNX's [K, N]
  CHECK(qkv.macs == 197LL * 768 * 2304);
  const Layer& scores = named(net, attn + "MatMul_1");
  CHECK(scores.op == Op::kMatMul);
  CHECK(scores.gemm.groups == 12);
  CHECK(scores.gemm.m == 197);
  CHECK(scores.gemm.n == 197);
  CHECK(scores.gemm.k == 64);
  // The classifier sees only the class token.
  const Layer& cls = named(net, "/Gather");
  CHECK(cls.op == Op::kGather);
  CHECK(cls.output_shape == Shape{1, 768});
  CHECK(named(net, "/heads/head/Gemm").macs == 768 * 1000);
  // The class token, expanded to the batch at import time, is a constant operand of the concat.
  const Layer& concat = named(net, "/Concat");
  const Layer& token = net.layer(concat.inputs[0]);
  CHECK(token.op == Op::kInput);
  CHECK(token.output_shape == Shape{1, 1, 768});
  CHECK(token.weight.has_value());
  check_weights_kept(net);
}

TEST_CASE("onnx import: vit_b_16 at opset 17 (LayerNormalization) matches opset 13") {
  const Network a = import_onnx(exported("vit_b_16", 13));
  const Network b = import_onnx(exported("vit_b_16", 17));
  CHECK(b.total_macs() == 17'563'828'224);
  CHECK(structure(a) == structure(b));
  const Layer& ln = named(b, "/encoder/layers/encoder_layer_0/ln_1/LayerNormalization");
  CHECK(ln.op == Op::kLayerNorm);
  CHECK(ln.weight->shape == Shape{768});
  CHECK(ln.bias.has_value());
}

TEST_CASE("onnx import: small torch network covers the remaining ops at opsets 11, 13 and 17") {
  std::vector<std::string> first;
  for (int opset : {11, 13, 17}) {
    CAPTURE(opset);
    const Network net = import_onnx(exported("ops_torch", opset));
    // conv 32*16*16*3*9, depthwise 32*16*16*9, qkv 17*32*96, q.k and att.v 17*17*32, fc 32*10
    CHECK(net.total_macs() == 221'184 + 73'728 + 52'224 + 2 * 9'248 + 320);
    if (first.empty()) {
      first = structure(net);
    } else {
      CHECK(structure(net) == first);  // opset differences (axes inputs, HardSwish) resolved
    }
    CHECK(layers_of(net, Op::kUnary, "hardswish").size() == 1);
    CHECK(layers_of(net, Op::kUnary, "gelu").size() == 1);
    CHECK(layers_of(net, Op::kLayerNorm).size() == 1);

    const Layer& bn = named(net, "/bn/BatchNormalization");
    CHECK(bn.op == Op::kBatchNorm);
    // Fresh running statistics (mean 0, var 1, gamma 1, beta 0) folded into scale and shift.
    CHECK(bn.weight->data.at(0) == doctest::Approx(1.0 / std::sqrt(1.0 + 1e-5)));
    CHECK(bn.bias->data.at(0) == doctest::Approx(0.0));
    const Layer& dw = named(net, "/dw/Conv");
    CHECK(dw.conv.groups == 32);
    CHECK(dw.conv.dilation_h == 2);
    const Layer& pad = named(net, "/Pad");
    CHECK(pad.op == Op::kPad);
    CHECK(pad.pool.pad_top == 2);
    CHECK(pad.pool.pad_bottom == 0);
    CHECK(pad.pool.pad_left == 1);
    const Layer& pool = named(net, "/pool/MaxPool");
    CHECK(pool.pool.ceil_mode);
    CHECK(pool.output_shape == Shape{1, 32, 9, 9});
    CHECK(named(net, "/avg/AveragePool").output_shape == Shape{1, 32, 4, 4});
    CHECK(named(net, "/Unsqueeze").target_shape == Shape{1, 1, 16, 32});
    CHECK(named(net, "/Squeeze").output_shape == Shape{1, 16, 32});
    const Layer& clip = named(net, "/Clip");
    CHECK(clip.unary == mpsim::UnaryOp::kClip);
    CHECK(clip.clip_min == -1.0f);
    CHECK(clip.clip_max == 2.0f);
    CHECK(layers_of(net, Op::kSoftmax).size() == 1);
    CHECK(layers_of(net, Op::kReduce, "reduce_mean").size() == 1);
    CHECK(layers_of(net, Op::kSlice).size() == 7);  // chunk 2 + crop 2 + chunk 3
    CHECK(net.layer(net.outputs().back()).output_shape == Shape{1, 10});
  }
}

TEST_CASE("onnx import: hand-built graph keeps weights and attributes exactly") {
  for (int opset : {11, 13}) {
    CAPTURE(opset);
    const Network net = import_onnx(exported("ops_onnx", opset));
    CHECK(net.total_macs() == 4 * 3 * 3 * 2 * 9 + 64 * 3 + 3 * 2);

    // fp16 weights and a double bias, converted to fp32; auto_pad SAME_UPPER on 5x5, stride 2.
    const Layer& conv = named(net, "conv");
    CHECK(conv.output_shape == Shape{1, 4, 3, 3});
    CHECK(conv.conv.pad_top == 1);
    CHECK(conv.conv.pad_bottom == 1);
    REQUIRE(conv.weight.has_value());
    CHECK(conv.weight->shape == Shape{4, 2, 3, 3});
    CHECK(conv.weight->data.front() == -4.0f);
    CHECK(conv.weight->data.back() == 71 * 0.25f - 4.0f);
    CHECK(conv.bias->data == std::vector<float>{0.5f, -1.5f, 2.0f, 3.25f});

    const Layer& pad = named(net, "pad");
    CHECK(pad.output_shape == Shape{1, 4, 4, 4});
    CHECK(pad.pool.pad_top == 1);
    CHECK(pad.pool.pad_right == 1);
    // Dropout and Identity leave no layer behind.
    CHECK_FALSE(net.find("dropout").has_value());
    CHECK_FALSE(net.find("identity").has_value());
    CHECK(net.layer(named(net, "flatten").inputs[0]).name == "pad");

    // Split: one slice per output.
    CHECK(named(net, "split").op == Op::kSlice);
    CHECK(named(net, "split").end == 16);
    CHECK(named(net, "split_1").start == 16);
    CHECK(named(net, "split_1").output_shape == Shape{1, 48});

    // MatMul by an initializer [64, 3]: a linear layer with the weight stored [out, in].
    const Layer& mm = named(net, "matmul");
    CHECK(mm.op == Op::kLinear);
    CHECK(mm.weight->shape == Shape{3, 64});
    CHECK(mm.weight->data[2 * 64 + 5] == 5 * 3 + 2);  // ONNX B[5][2]

    // Gemm with transB=0 and alpha=2: weight [[1,2],[3,4],[5,6]] transposed and scaled.
    const Layer& gemm = named(net, "gemm");
    CHECK(gemm.weight->shape == Shape{2, 3});
    CHECK(gemm.weight->data == std::vector<float>{2, 6, 10, 4, 8, 12});
    CHECK(gemm.has_bias);
    CHECK(gemm.bias->data == std::vector<float>{10, 20});

    // An unnamed node is named after its op type and index; its shape came from a Constant.
    CHECK(named(net, "Reshape_10").output_shape == Shape{1, 2, 1});
  }
}

TEST_CASE("onnx import: keep_weights=false gives the same costs without weights") {
  OnnxImportOptions options;
  options.keep_weights = false;
  const Network net = import_onnx(exported("ops_onnx"), options);
  CHECK(net.total_macs() == 846);
  CHECK(net.total_weights() == 270);
  for (const auto& l : net.layers())
    CHECK_FALSE(l.weight.has_value());
}

TEST_CASE("onnx import: mpsim workload show prints the per-layer table") {
  const auto r = mpsim::test::run_cli({"workload", "show", exported("resnet18")});
  CHECK(r.status == 0);
  CHECK(r.out.find("/layer1/layer1.0/conv1/Conv") != std::string::npos);
  CHECK(r.out.find("1,814,073,344") != std::string::npos);
}

TEST_CASE("onnx import: errors name the file, the node and what was expected") {
  const mpsim::test::TempDir dir;

  SUBCASE("missing file") {
    const std::string path = dir.path("absent.onnx");
    const std::string e = error_of(path);
    CHECK(e.find(path) != std::string::npos);
    CHECK(e.find("no such file") != std::string::npos);
    const auto r = mpsim::test::run_cli({"workload", "show", path});
    CHECK(r.status == 2);
    CHECK(r.err.find("absent.onnx") != std::string::npos);
  }
  SUBCASE("a file that is not protobuf") {
    const std::string path = dir.file("garbage.onnx", "this is not an ONNX model\n");
    CHECK(error_of(path).find("not a valid ONNX model") != std::string::npos);
  }
  SUBCASE("a truncated model") {
    const std::string whole = mpsim::test::read_file(exported("ops_onnx"));
    const std::string path = dir.file("truncated.onnx", whole.substr(0, whole.size() / 2));
    CHECK(error_of(path).find(path) == 0);
  }
  SUBCASE("an op mpsim does not map") {
    const std::string path = exported("unsupported");
    const std::string e = error_of(path);
    CHECK(e.find(path + ": node 'nms' (op NonMaxSuppression) is not supported; supported ops: ") ==
          0);
    CHECK(e.find("Conv") != std::string::npos);
  }
  SUBCASE("an op from a custom domain") {
    CHECK(error_of(exported("custom_domain"))
              .find("node 'fancy' (op com.example.FancyOp) is not "
                    "supported") != std::string::npos);
  }
  SUBCASE("a missing initializer") {
    const std::string e = error_of(exported("missing_initializer"));
    CHECK(e.find("node 'conv' (op Conv): input 'w' is not an initializer") != std::string::npos);
  }
  SUBCASE("an opset outside 11 to 17") {
    const std::string e = error_of(exported("ops_onnx", 18));
    CHECK(e.find("opset 18 is not supported") != std::string::npos);
  }
}

TEST_CASE("onnx import: damaged files give errors, never crashes") {
  // Random byte changes in a small model land in weights, shapes, attributes, names and the
  // protobuf framing alike; each import must either work or throw UserError.
  const std::string whole = mpsim::test::read_file(exported("ops_onnx"));
  const mpsim::test::TempDir dir;
  std::mt19937 rng(1234);
  int failures = 0;
  for (int i = 0; i < 300; ++i) {
    std::string bytes = whole;
    for (int k = 0; k < 3; ++k)
      bytes[rng() % bytes.size()] = static_cast<char>(rng());
    const std::string path = dir.file("damaged.onnx", bytes);
    try {
      import_onnx(path);
    } catch (const UserError&) {
      ++failures;
    }
  }
  CHECK(failures > 0);  // the damage was noticed at least sometimes
}
