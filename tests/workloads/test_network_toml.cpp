// Network files: shapes and MACs inferred per op, and errors that name file, line and key.
#include <doctest/doctest.h>

#include <algorithm>

#include "formats/error.h"
#include "workloads/network_io.h"

using namespace mpsim;

namespace {

const char* kSmall = R"(name = "small"
[[input]]
name = "x"
shape = [1, 16, 32, 32]

[[layer]]
name = "dw"
op = "conv2d"
out_channels = 16
kernel = 3
padding = 1
groups = 16

[[layer]]
name = "pw"
op = "conv2d"
out_channels = 32
kernel = 1

[[layer]]
name = "dil"
op = "conv2d"
input = "x"
out_channels = 8
kernel = [3, 5]
stride = [2, 1]
padding = [2, 4]
dilation = 2

[[layer]]
name = "pool"
op = "maxpool"
input = "pw"
kernel = 3
stride = 2
padding = 1

[[layer]]
name = "gap"
op = "global_avgpool"

[[layer]]
name = "flat"
op = "reshape"
shape = [1, -1]

[[layer]]
name = "fc"
op = "linear"
out_features = 10
bias = true
)";

std::string error_of(const std::string& text) {
  try {
    parse_network_toml(text, "net.toml");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("network file: shapes and MACs of conv, depthwise, dilated, pooling and linear") {
  const Network net = parse_network_toml(kSmall, "small.toml");
  CHECK(net.name() == "small");
  const auto& dw = net.layer(*net.find("dw"));
  CHECK(dw.output_shape == Shape{1, 16, 32, 32});
  CHECK(dw.macs == 16 * 32 * 32 * 9);  // one input channel per filter
  CHECK(dw.weight_count == 16 * 9);
  CHECK(dw.gemm.groups == 16);
  CHECK(dw.gemm.n == 1);
  const auto& pw = net.layer(*net.find("pw"));
  CHECK(pw.macs == 32LL * 32 * 32 * 16);
  const auto& dil = net.layer(*net.find("dil"));
  // H: (32 + 4 - 2*(3-1) - 1) / 2 + 1 = 16;  W: (32 + 8 - 2*(5-1) - 1) / 1 + 1 = 32
  CHECK(dil.output_shape == Shape{1, 8, 16, 32});
  CHECK(dil.macs == 8LL * 16 * 32 * 16 * 15);
  CHECK(net.layer(*net.find("pool")).output_shape == Shape{1, 32, 16, 16});
  CHECK(net.layer(*net.find("flat")).output_shape == Shape{1, 32});
  const auto& fc = net.layer(*net.find("fc"));
  CHECK(fc.macs == 320);
  CHECK(fc.bias_count == 10);
  CHECK(net.mac_layers().size() == 4);
  CHECK(net.total_macs() == dw.macs + pw.macs + dil.macs + fc.macs);
  CHECK(net.outputs() == std::vector<int>{*net.find("dil"), *net.find("fc")});
}

TEST_CASE("network file: batched matmul with transpose_b and broadcasting") {
  const Network net = parse_network_toml(R"(
[[input]]
name = "q"
shape = [2, 12, 197, 64]
[[input]]
name = "k"
shape = [1, 12, 197, 64]
[[layer]]
name = "qk"
op = "matmul"
inputs = ["q", "k"]
transpose_b = true
[[layer]]
name = "sm"
op = "softmax"
)",
                                         "mm.toml");
  const auto& qk = net.layer(*net.find("qk"));
  CHECK(qk.output_shape == Shape{2, 12, 197, 197});
  CHECK(qk.gemm.groups == 24);
  CHECK(qk.macs == 24LL * 197 * 197 * 64);
  CHECK(qk.weight_count == 0);
}

TEST_CASE("network file: errors name the file, line and key") {
  CHECK(error_of("[[input]]\nname = \"x\"\nshape = [1, 3, 8, 8]\n[[layer]]\nname = \"c\"\nop = "
                 "\"conv2d\"\n"
                 "out_channels = 4\nkernal = 3\n")
            .find("net.toml:8:") == 0);
  const auto unknown_op = error_of(
      "[[input]]\nname = \"x\"\nshape = [1, 4]\n[[layer]]\nname = \"l\"\nop = \"lineer\"\n");
  CHECK(unknown_op.find("net.toml:6:") == 0);
  CHECK(unknown_op.find("key 'layer.l.op': unknown op 'lineer' (did you mean 'linear'?)") !=
        std::string::npos);
  const auto bad_input = error_of(
      "[[input]]\nname = \"x\"\nshape = [1, 4]\n[[layer]]\nname = \"l\"\nop = \"linear\"\ninput = "
      "\"y\"\nout_features = 2\n");
  CHECK(bad_input.find("net.toml:4:") == 0);
  CHECK(bad_input.find("input 'y' is not defined above") != std::string::npos);
  const auto wrong_type = error_of(
      "[[input]]\nname = \"x\"\nshape = [1, 4]\n[[layer]]\nname = \"l\"\nop = "
      "\"linear\"\nout_features = \"two\"\n");
  CHECK(wrong_type.find("net.toml:7:") == 0);
  CHECK(wrong_type.find("expected an integer") != std::string::npos);
  const auto shape = error_of(
      "[[input]]\nname = \"x\"\nshape = [1, 3, 4, 4]\n[[layer]]\nname = \"c\"\nop = "
      "\"conv2d\"\nout_channels = 4\nkernel = 7\n");
  CHECK(shape.find("net.toml:4") == 0);
  CHECK(shape.find("larger than the padded input") != std::string::npos);
  CHECK(
      error_of("[[input]]\nname = \"x\"\nshape = [1, 4]\n[[layer]]\nname = \"x\"\nop = \"relu\"\n")
          .find("used twice") != std::string::npos);
  CHECK(error_of("[[input]]\nname = \"x\"\nshape = [1, 3, 8, 8]\n[[layer]]\nname = \"c\"\nop = "
                 "\"conv2d\"\nout_channels = 4\nkernel = 3\ngroups = 2\n")
            .find("groups = 2 must divide") != std::string::npos);
  CHECK(error_of("name = \"n\"\n[[layer]]\nname = \"l\"\nop = \"relu\"\n").find("[[input]]") !=
        std::string::npos);
  CHECK(error_of("x = [1,\n").find("net.toml:") == 0);
}

TEST_CASE("network file: a missing file and an unknown built-in name are user errors") {
  CHECK_THROWS_AS(load_network_toml("/nonexistent/net.toml"), UserError);
  CHECK_THROWS_WITH_AS(load_workload("no_such_network_xyz"),
                       doctest::Contains("unknown network 'no_such_network_xyz'"), UserError);
  CHECK_THROWS_WITH_AS(load_workload("/nonexistent/x.onnx"), doctest::Contains("no such file"),
                       UserError);
}

TEST_CASE("network file: nonsense a layer's keys allow is refused (clip bounds, pool padding)") {
  const std::string input = "[[input]]\nname = \"x\"\nshape = [1, 3, 8, 8]\n";
  const auto clip =
      error_of(input + "[[layer]]\nname = \"c\"\nop = \"clip\"\nmin = 6.0\nmax = 0.0\n");
  CHECK(clip.find("clip min 6 is above its max 0") != std::string::npos);
  CHECK(error_of(input + "[[layer]]\nname = \"c\"\nop = \"clip\"\nmin = 0.0\nmax = 6.0\n").empty());
  const auto pool =
      error_of(input + "[[layer]]\nname = \"p\"\nop = \"maxpool\"\nkernel = 2\npadding = 2\n");
  CHECK(pool.find("pooling padding (2, 2, 2, 2) must be smaller than the kernel (2 x 2)") !=
        std::string::npos);
  CHECK(error_of(input + "[[layer]]\nname = \"p\"\nop = \"maxpool\"\nkernel = 3\npadding = 1\n")
            .empty());
}

TEST_CASE("network file: key errors in every layer are reported, each with its line") {
  const std::string e = error_of(R"([[input]]
name = "x"
shape = [1, 3, 8, 8]
[[layer]]
name = "c1"
op = "conv2d"
out_channels = "four"
kernel = 3
[[layer]]
name = "r"
op = "relu"
[[layer]]
name = "c2"
op = "conv2d"
out_channels = 4
kernel = 0
strde = 2
)");
  CHECK(e.find("net.toml:7:16: key 'layer.c1.out_channels': expected an integer, found a string "
               "(\"four\")") == 0);
  CHECK(e.find("\nnet.toml:16:10: key 'layer.c2.kernel': must be at least 1, found 0") !=
        std::string::npos);
  CHECK(e.find("\nnet.toml:17:1: unknown key 'layer.c2.strde' (did you mean "
               "'layer.c2.stride'?); [[layer]] with op = \"conv2d\" takes: name, op, input,") !=
        std::string::npos);
  CHECK(std::count(e.begin(), e.end(), '\n') == 2);

  // A shape that cannot be inferred stops the building (the layers below would only repeat
  // it), not the checking of the keys below.
  const std::string shape = error_of(R"([[input]]
name = "x"
shape = [1, 3, 8, 8]
[[layer]]
name = "big"
op = "conv2d"
out_channels = 4
kernel = 9
[[layer]]
name = "fc"
op = "linear"
out_feature = 10
)");
  CHECK(shape.find("net.toml:4: layer 'big': the window (9) is larger than the padded input") == 0);
  CHECK(shape.find("\nnet.toml:12:1: unknown key 'layer.fc.out_feature' (did you mean "
                   "'layer.fc.out_features'?)") != std::string::npos);
  CHECK(shape.find("\nnet.toml:9:1: key 'layer.fc.out_features': missing; it has no default") !=
        std::string::npos);
  CHECK(std::count(shape.begin(), shape.end(), '\n') == 2);
}
