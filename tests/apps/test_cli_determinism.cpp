// The same command writes the same bytes whatever the parallelism: `sweep` at --jobs 1 and 2
// (with the simulator too), `eval` and `search` at --threads 1 and 2, and `costs` run twice in one
// process, with another simulation in between (the SystemC kernel is reused, not restarted).
#include <doctest/doctest.h>

#include <filesystem>

#include "tests/test_support.h"

using mpsim::test::read_file;
using mpsim::test::run_cli;
using mpsim::test::source_path;
using mpsim::test::TempDir;
using mpsim::test::with;

TEST_CASE("determinism: sweep on the simulator writes the same bytes at --jobs 1 and 2") {
  TempDir dir;
  auto sweep = [&](const std::string& out, const char* jobs) {
    const auto r =
        run_cli({"sweep", "--hw", "edge_npu", "--set", "array.rows=8,16", "--set",
                 "array.dataflow=ws,os", "-w", source_path("configs/topologies/alexnet_conv1.csv"),
                 "--jobs", jobs, "-o", dir.path(out)});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    return read_file(dir.path(out));
  };
  const std::string one = sweep("one.csv", "1");
  CHECK(one.find('\n') != std::string::npos);
  CHECK(sweep("two.csv", "2") == one);
}

TEST_CASE("determinism: eval writes the same bytes at --threads 1 and 2") {
  TempDir dir;
  const std::string map = dir.file("m.toml",
                                   "[default]\nweight = \"int4\"\nactivation = \"int8\"\n"
                                   "[[override]]\nlayers = \"/fc/*\"\nweight = \"fp8_e4m3\"\n"
                                   "activation = \"fp8_e4m3\"\n");
  for (const char* format : {"json", "table"}) {
    auto eval = [&](const char* threads) {
      const auto r = run_cli({"eval", "--model", source_path("models/fmnist_resnet.onnx"),
                              "--limit", "150", "--calib", "40", "--map", map, "--per-layer",
                              "--micro-batch", "7", "--format", format, "--threads", threads});
      REQUIRE_MESSAGE(r.status == 0, r.err);
      return r.out;
    };
    const std::string one = eval("1");
    CHECK(one.find("agreement") != std::string::npos);
    CHECK(eval("2") == one);
  }
}

TEST_CASE("determinism: a greedy search writes the same files at --threads 1 and 2") {
  TempDir dir;
  auto search = [&](const std::string& out, const char* threads) {
    const auto r =
        run_cli({"search", "--method", "greedy", "--hw", "edge_npu", "--model",
                 source_path("models/fmnist_resnet.onnx"), "--limit", "200", "--validation", "200",
                 "--calib", "50", "--threads", threads, "--out", dir.path(out)});
    REQUIRE_MESSAGE(r.status == 0, r.err);
  };
  search("one", "1");
  search("two", "2");
  int compared = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path("one"))) {
    const auto name = e.path().filename().string();
    CHECK_MESSAGE(read_file(dir.path("two") + "/" + name) == read_file(e.path().string()), name);
    ++compared;
  }
  CHECK(compared >= 4);  // front.csv, front.json, chosen.toml, trace.csv at least
}

TEST_CASE("determinism: costs gives the same table twice in one process") {
  const std::vector<std::string> costs = {"costs", "--hw", "edge_npu", "-w",
                                          source_path("configs/topologies/alexnet_conv1.csv")};
  const auto first = run_cli(with(costs, {"--format", "json"}));
  REQUIRE_MESSAGE(first.status == 0, first.err);
  CHECK(first.out.find("int2") != std::string::npos);
  // Another simulation in between leaves nothing behind in the kernel that changes the next.
  REQUIRE(run_cli({"simulate", "--hw", "simba_like", "-w", "resnet18"}).status == 0);
  CHECK(run_cli(with(costs, {"--format", "json"})).out == first.out);
  CHECK(run_cli(with(costs, {"--format", "csv"})).out == run_cli(with(costs, {})).out);
}
