// `mpsim simulate` and `mpsim costs` in-process.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/test_support.h"

using mpsim::test::run_cli;

TEST_CASE("cli simulate: the JSON the issue promises, totals equal to the layers' sums") {
  const auto r = run_cli({"simulate", "--hw", "edge_npu", "-w", "resnet18", "-m",
                          mpsim::test::source_path("configs/maps/resnet18_edge_int.toml"),
                          "--format", "json"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["layers"].size() == 21);
  long long cycles = 0;
  double latency = 0;
  for (const auto& l : j["layers"]) {
    for (const char* key : {"name", "weight_format", "activation_format", "cycles", "latency_s",
                            "energy_pj", "utilization"})
      CHECK(l.contains(key));
    CHECK(l["energy_pj"].contains("total"));
    CHECK(l["energy_pj"].contains("dram"));
    cycles += l["cycles"].get<long long>();
    latency += l["latency_s"].get<double>();
  }
  CHECK(j["total"]["cycles"].get<long long>() == cycles);
  CHECK(j["total"]["latency_s"].get<double>() == doctest::Approx(latency));
  CHECK(j["area_mm2"].get<double>() > 0);
}

TEST_CASE("cli simulate: without a map every layer runs at the widest integer pair - CSV rows") {
  const auto r = run_cli({"simulate", "--hw", "edge_npu", "-w", "resnet18", "--format", "csv"});
  REQUIRE(r.status == 0);
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);
  const auto columns = std::count(line.begin(), line.end(), ',');
  int rows = 0;
  while (std::getline(in, line)) {
    ++rows;
    CHECK(std::count(line.begin(), line.end(), ',') == columns);
    CHECK(line.find(",int8,int8,") != std::string::npos);
  }
  CHECK(rows == 21);
}

TEST_CASE("cli costs: every MAC layer times every supported pair, filtered by --formats") {
  const auto all = run_cli({"costs", "--hw", "edge_npu", "-w", "resnet18", "--format", "json"});
  REQUIRE(all.status == 0);
  const auto j = nlohmann::json::parse(all.out);
  CHECK(j["rows"].size() == 21 * 9);  // int8/int4/int2 for weights and activations
  CHECK(j["area_mm2"].get<double>() > 0);
  const auto& first = j["rows"][0];
  for (const char* key : {"layer", "weight_format", "activation_format", "cycles", "latency_s",
                          "energy_pj", "bops", "weight_bytes"})
    CHECK(first.contains(key));
  const auto some =
      run_cli({"costs", "--hw", "edge_npu", "-w", "resnet18", "--formats", "int8,int4"});
  REQUIRE(some.status == 0);
  CHECK(std::count(some.out.begin(), some.out.end(), '\n') == 1 + 21 * 4);
  const auto none =
      run_cli({"costs", "--hw", "edge_npu", "-w", "resnet18", "--formats", "fp8_e4m3"});
  CHECK(none.status == 2);
  CHECK(none.err.find("leaves no pair") != std::string::npos);
  const auto bad = run_cli({"costs", "--hw", "edge_npu", "-w", "resnet18", "--formats", "int9x"});
  CHECK(bad.status == 2);
}
