// `mpsim workload` and `mpsim map` in-process: output forms, exit status 2 on bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

const char* kNet = R"(name = "tiny"
[[input]]
name = "x"
shape = [1, 3, 8, 8]
[[layer]]
name = "c1"
op = "conv2d"
out_channels = 4
kernel = 3
padding = 1
[[layer]]
name = "c2"
op = "conv2d"
input = "x"
out_channels = 4
kernel = 1
[[layer]]
name = "sum"
op = "add"
inputs = ["c1", "c2"]
[[layer]]
name = "gap"
op = "global_avgpool"
[[layer]]
name = "flat"
op = "reshape"
shape = [1, 4]
[[layer]]
name = "fc"
op = "linear"
out_features = 2
)";

}  // namespace

TEST_CASE("cli workload show: table, csv and json agree on the totals") {
  mpsim::test::TempDir dir;
  const auto net = dir.file("tiny.toml", kNet);
  const long long total = 4LL * 64 * 27 + 4LL * 64 * 3 + 8;

  const auto json = run_cli({"workload", "show", net, "--format", "json"});
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["total_macs"] == total);
  REQUIRE(j["layers"].size() == 3);
  CHECK(j["layers"][0]["name"] == "c1");
  CHECK(j["layers"][0]["op"] == "conv2d");
  CHECK(j["layers"][0]["macs"] == 4 * 64 * 27);
  CHECK(j["layers"][0]["weights"] == 108);

  const auto csv = run_cli({"workload", "show", net, "--format", "csv"});
  REQUIRE(csv.status == 0);
  CHECK(csv.out.rfind("name,op,input_shapes,output_shape,groups,m,n,k,macs,weights\n", 0) == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 4);

  const auto table = run_cli({"workload", "show", net});
  REQUIRE(table.status == 0);
  CHECK(table.out.find("7,688") != std::string::npos);  // the total, with separators
  const auto all = run_cli({"workload", "show", net, "--all"});
  CHECK(all.out.find("global_avgpool") != std::string::npos);
}

TEST_CASE("cli: bad input exits 2 with a message naming the problem") {
  const auto missing = run_cli({"workload", "show", "/nonexistent/net.toml"});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("/nonexistent/net.toml: no such file") != std::string::npos);
  CHECK(missing.out.empty());
  const auto flag = run_cli({"workload", "show", "x", "--format", "xml"});
  CHECK(flag.status == 2);
  const auto none = run_cli({});
  CHECK(none.status == 2);
  const auto unknown = run_cli({"frobnicate"});
  CHECK(unknown.status == 2);
  CHECK(run_cli({"--help"}).status == 0);
}

TEST_CASE("cli map show and groups: conflicts are errors unless resolved") {
  mpsim::test::TempDir dir;
  const auto net = dir.file("tiny.toml", kNet);
  const auto ok = run_cli({"map", "show", "-w", net, "--format", "json"});
  REQUIRE(ok.status == 0);
  const auto j = nlohmann::json::parse(ok.out);
  CHECK(j["layers"][0]["weight_format"] == "int8");
  CHECK(j["layers"][0]["group"] == 0);  // c1 and c2 read x

  const auto map = dir.file("m.toml",
                            "[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                            "[[override]]\nlayers = \"c2\"\nactivation = \"int4\"\n");
  const auto broken = run_cli({"map", "show", "-w", net, "-m", map});
  CHECK(broken.status == 2);
  CHECK(broken.err.find("breaks 1 quantizer group") != std::string::npos);
  const auto fixed =
      run_cli({"map", "show", "-w", net, "-m", map, "--resolve-groups", "--format", "csv"});
  CHECK(fixed.status == 0);
  CHECK(fixed.out.find("c2,int8,int8") != std::string::npos);

  const auto groups = run_cli({"map", "groups", "-w", net, "--format", "json"});
  REQUIRE(groups.status == 0);
  const auto g = nlohmann::json::parse(groups.out);
  REQUIRE(g.size() == 1);
  CHECK(g[0]["members"] == nlohmann::json::array({"c1", "c2"}));

  const auto bad = dir.file("bad.toml",
                            "[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                            "[[override]]\nlayers = \"c3\"\nweight = \"int4\"\n");
  const auto unknown = run_cli({"map", "show", "-w", net, "-m", bad});
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("bad.toml:4:") != std::string::npos);
  CHECK(unknown.err.find("closest: c1, c2") != std::string::npos);
}
