// SCALE-Sim topology CSVs, convolution and GEMM forms.
#include <doctest/doctest.h>

#include "formats/error.h"
#include "tests/test_support.h"
#include "workloads/importers.h"
#include "workloads/network_io.h"

using namespace mpsim;

TEST_CASE("scalesim topology: convolution form with trailing commas") {
  // AlexNet's first two layers as SCALE-Sim ships them (IFMAP sizes already padded).
  const Network net = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n"
      "Conv1, 227, 227, 11, 11, 3, 96, 4,\n"
      "Conv2, 31, 31, 5, 5, 96, 256, 1,\n",
      "alexnet.csv");
  REQUIRE(net.mac_layers().size() == 2);
  const auto& c1 = net.layer(*net.find("Conv1"));
  CHECK(c1.output_shape == Shape{1, 96, 55, 55});
  CHECK(c1.macs == 105415200);  // the AlexNet conv1 count Timeloop reports
  CHECK(c1.gemm.k == 11 * 11 * 3);
  CHECK(c1.gemm.m == 55 * 55);
  const auto& c2 = net.layer(*net.find("Conv2"));
  CHECK(c2.output_shape == Shape{1, 256, 27, 27});
  CHECK(net.name() == "alexnet");
}

TEST_CASE("scalesim topology: GEMM form") {
  const Network net = parse_scalesim_topology(
      "Layer, M, N, K,\nqkv, 128, 2304, 768,\nffn, 128, 3072, 768,\n", "gemm.csv");
  const auto& l = net.layer(*net.find("qkv"));
  CHECK(l.gemm.m == 128);
  CHECK(l.gemm.n == 2304);
  CHECK(l.gemm.k == 768);
  CHECK(net.total_macs() == 128LL * 768 * (2304 + 3072));
}

TEST_CASE("scalesim topology: errors name the file and line") {
  CHECK_THROWS_WITH_AS(parse_scalesim_topology("a, b, c\n", "t.csv"),
                       doctest::Contains("t.csv:1: expected a SCALE-Sim topology header"),
                       UserError);
  CHECK_THROWS_WITH_AS(parse_scalesim_topology("Layer, M, N, K,\nx, 1, two, 3,\n", "t.csv"),
                       doctest::Contains("t.csv:2: column 'N': expected a positive integer"),
                       UserError);
  CHECK_THROWS_WITH_AS(parse_scalesim_topology("Layer, M, N, K,\nx, 1, 2,\n", "t.csv"),
                       doctest::Contains("t.csv:2: expected 4 columns"), UserError);
  CHECK_THROWS_WITH_AS(
      parse_scalesim_topology("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                              "Channels, Num Filter, Strides,\nc, 3, 3, 5, 5, 1, 1, 1,\n",
                              "t.csv"),
      doctest::Contains("t.csv:2"), UserError);
  CHECK_THROWS_WITH_AS(parse_scalesim_topology("Layer, M, N, K,\n", "t.csv"),
                       doctest::Contains("no layers"), UserError);
}

TEST_CASE("scalesim topology: loaded by file name through load_workload and the CLI") {
  test::TempDir dir;
  const auto path = dir.file("topo.csv", "Layer, M, N, K,\nfc, 4, 8, 16,\n");
  CHECK(load_workload(path).total_macs() == 4 * 8 * 16);
  const auto r = test::run_cli({"workload", "show", path, "--format", "json"});
  CHECK(r.status == 0);
  CHECK(r.out.find("\"total_macs\": 512") != std::string::npos);
}

TEST_CASE("scalesim topology: separate stride height and width, and DP layers as depthwise") {
  const Network net = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Stride height, Stride width,\n"
      "wide, 10, 20, 3, 3, 2, 4, 1, 2,\n"
      "Conv_DP_1, 114, 114, 3, 3, 32, 1, 1,\n",
      "mixed.csv");
  // W: SCALE-Sim runs ceil((20 - 3 + 2) / 2) = 10 windows.
  CHECK(net.layer(*net.find("wide")).output_shape == Shape{1, 4, 8, 10});
  const auto& dp = net.layer(*net.find("Conv_DP_1"));
  CHECK(dp.gemm.groups == 32);
  CHECK(dp.output_shape == Shape{1, 32, 112, 112});
  CHECK(dp.macs == 32LL * 112 * 112 * 9);
}

TEST_CASE(
    "scalesim topology: outputs are rounded up as SCALE-Sim does when the stride leaves a rest") {
  // SCALE-Sim's own alexnet.csv gives conv1 a 224 x 224 input: (224 - 11) / 4 is not whole, and
  // SCALE-Sim runs ceil((224 - 11 + 4) / 4) = 55 windows per dimension.
  const Network net = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nConv1, 224, 224, 11, 11, 3, 96, 4,\n",
      "alexnet.csv");
  const auto& c1 = net.layer(*net.find("Conv1"));
  CHECK(c1.output_shape == Shape{1, 96, 55, 55});
  CHECK(c1.macs == 105415200);
}
