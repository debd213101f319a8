// `mpsim estimate` in-process: JSON shape, totals, overrides, whole-file output, errors.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli estimate: JSON per layer and totals on a bundled config and map") {
  const auto r = run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "-m",
                          mpsim::test::source_path("configs/maps/resnet18_edge_int.toml"),
                          "--format", "json"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  REQUIRE(j["layers"].size() == 21);
  const auto& l0 = j["layers"][0];
  CHECK(l0["name"] == "conv1");
  CHECK(l0["weight_format"] == "int8");
  CHECK(l0["activation_format"] == "int8");
  CHECK(l0["energy_pj"]["total"].get<double>() > 0);
  CHECK(l0["utilization"].get<double>() > 0);
  CHECK(j["layers"][20]["weight_format"] == "int8");  // fc
  CHECK(j["layers"][19]["weight_format"] == "int2");  // layer4.1.conv2
  long long cycles = 0;
  double energy = 0;
  for (const auto& l : j["layers"]) {
    cycles += l["cycles"].get<long long>();
    energy += l["energy_pj"]["total"].get<double>();
  }
  CHECK(j["total"]["cycles"].get<long long>() == cycles);
  CHECK(j["total"]["energy_pj"]["total"].get<double>() == doctest::Approx(energy));
  CHECK(j["total"]["macs"].get<long long>() == 1814073344LL);
  CHECK(j["area_mm2"].get<double>() > 0);
}

TEST_CASE("cli estimate: --set changes the design - CSV and --out write a whole file") {
  const auto small =
      run_cli({"estimate", "--hw", "ideal_memory", "-w", "resnet18", "--format", "json"});
  const auto big = run_cli({"estimate", "--hw", "ideal_memory", "--set", "array.rows=64", "--set",
                            "array.cols=64", "-w", "resnet18", "--format", "json"});
  REQUIRE(small.status == 0);
  REQUIRE(big.status == 0);
  const auto js = nlohmann::json::parse(small.out), jb = nlohmann::json::parse(big.out);
  CHECK(jb["total"]["cycles"].get<long long>() < js["total"]["cycles"].get<long long>());
  CHECK(jb["area_mm2"].get<double>() > js["area_mm2"].get<double>());

  mpsim::test::TempDir dir;
  const auto out = dir.path("r.csv");
  const auto w =
      run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "--format", "csv", "-o", out});
  REQUIRE(w.status == 0);
  CHECK(w.out.empty());
  std::ifstream f(out);
  std::string header;
  std::getline(f, header);
  CHECK(header.rfind("layer,weight_format,activation_format,cycles,latency_s,utilization,energy_pj",
                     0) == 0);
}

TEST_CASE("cli estimate: unsupported pairs, bad overrides and bad paths exit 2") {
  const auto pair =
      run_cli({"estimate", "--hw", "fixed_int8", "--set", "array.mac.fallback_to_wider=false", "-w",
               "resnet18", "-m", mpsim::test::source_path("configs/maps/resnet18_edge_int.toml")});
  CHECK(pair.status == 2);
  CHECK(pair.err.find("supports int8 x int8") != std::string::npos);
  const auto set =
      run_cli({"estimate", "--hw", "edge_npu", "--set", "array.rowz=3", "-w", "resnet18"});
  CHECK(set.status == 2);
  CHECK(set.err.find("array.rowz") != std::string::npos);
  const auto out =
      run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "-o", "/nonexistent/dir/x.csv"});
  CHECK(out.status == 2);
  CHECK(!std::filesystem::exists("/nonexistent/dir/x.csv"));
}

TEST_CASE("cli estimate: dynamic and leakage energy, and estimated DRAM energies said so") {
  // datacenter_fp8's HBM3 energy is our estimate: the table says so under it, JSON flags it,
  // CSV keeps its rows plain and says it on stderr; an LPDDR4 config says nothing.
  const auto table = run_cli({"estimate", "--hw", "datacenter_fp8", "-w", "resnet18"});
  REQUIRE(table.status == 0);
  CHECK(has(table.out, "= dynamic "));
  CHECK(has(table.out, "note: DRAM energy 3.3359 pJ/bit"));
  CHECK(has(table.out, "hbm3 is our estimate"));
  const auto json =
      run_cli({"estimate", "--hw", "datacenter_fp8", "-w", "resnet18", "--format", "json"});
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  CHECK(j["dram_energy_estimated"] == true);
  const auto& e = j["total"]["energy_pj"];
  CHECK(e["dynamic"].get<double>() + e["leakage"].get<double>() ==
        doctest::Approx(e["total"].get<double>()));
  const auto csv =
      run_cli({"estimate", "--hw", "datacenter_fp8", "-w", "resnet18", "--format", "csv"});
  REQUIRE(csv.status == 0);
  CHECK_FALSE(has(csv.out, "note:"));
  CHECK(has(csv.err, "is our estimate"));
  const auto lpddr4 =
      run_cli({"estimate", "--hw", "edge_npu", "-w", "resnet18", "--format", "json"});
  CHECK(nlohmann::json::parse(lpddr4.out)["dram_energy_estimated"] == false);
  const auto hw = run_cli({"hw", "show", "datacenter_fp8"});
  CHECK(has(hw.out, "(our estimate"));
}
