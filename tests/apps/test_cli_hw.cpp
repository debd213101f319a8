// `mpsim hw show|list` in-process: the config as understood, defaults filled in, area, and exit
// status 2 on bad input.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli hw list: every bundled config with shape, dataflow, node and formats") {
  const auto table = run_cli({"hw", "list"});
  REQUIRE(table.status == 0);
  CHECK(contains(table.out, "edge_npu"));
  CHECK(contains(table.out, "int8 int4 int2"));
  CHECK(contains(table.out, "12x14"));

  const auto json = run_cli({"hw", "list", "--format", "json"});
  REQUIRE(json.status == 0);
  const auto j = nlohmann::json::parse(json.out);
  REQUIRE(j.size() >= 6);
  bool found = false;
  for (const auto& e : j)
    if (e["name"] == "datacenter_fp8") {
      found = true;
      CHECK(e["rows"] == 128);
      CHECK(e["node_nm"] == 7);
      CHECK(e["dram"] == "hbm3");
      CHECK(e["formats"].size() == 4);
    }
  CHECK(found);
}

TEST_CASE("cli hw show: every field, the pairs, DRAM defaults and the area breakdown") {
  const auto r = run_cli({"hw", "show", "eyeriss_like", "--format", "json"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["name"] == "eyeriss_like");
  CHECK(j["array"]["pes"] == 168);
  CHECK(j["array"]["mac"]["pairs"][0]["weight"] == "int16");
  CHECK(j["array"]["mac"]["pairs"][0]["per_cycle"] == 1);
  CHECK(j["register_files"].size() == 3);
  CHECK(j["buffers"][0]["capacity_bytes"] == 131072);
  // The config leaves the LPDDR4 figures to the kind: they are filled in and flagged.
  CHECK(j["dram"]["bandwidth_from_kind"] == true);
  CHECK(j["dram"]["bandwidth_gbytes_per_s"].get<double>() > 0);
  CHECK(j["dram"]["energy_pj_per_bit"].get<double>() > 0);
  CHECK(j["technology"]["vdd_nominal"] == true);
  CHECK(j["technology"]["vdd_v"].get<double>() > 0);
  const auto& area = j["area_mm2"];
  const double parts = area["mac_units"].get<double>() + area["register_files"].get<double>() +
                       area["buffers"]["global_buffer"].get<double>();
  CHECK(area["total"].get<double>() > 0);
  CHECK(area["total"].get<double>() == doctest::Approx(parts).epsilon(1e-6));

  const auto table = run_cli({"hw", "show", "edge_npu"});
  REQUIRE(table.status == 0);
  for (const char* part :
       {"16 x 16 PEs (256)", "500 MHz", "fusion", "int32", "12.8 GB/s", "(lpddr4 default)", "28 nm",
        "global_buffer", "128 KiB", "MAC units", "total"})
    CHECK_MESSAGE(contains(table.out, part), part);
  // int2 x int2 at 16 per PE per cycle: 16 x 256 PEs x 500 MHz = 2048 GMAC/s.
  CHECK(contains(table.out, "2048"));

  const auto ideal = run_cli({"hw", "show", "ideal_memory"});
  REQUIRE(ideal.status == 0);
  CHECK(contains(ideal.out, "unlimited (ideal)"));
  const auto ideal_json =
      nlohmann::json::parse(run_cli({"hw", "show", "ideal_memory", "--format", "json"}).out);
  CHECK(ideal_json["dram"]["bandwidth_gbytes_per_s"].is_null());
}

TEST_CASE("cli hw show: --set overrides, paths and SCALE-Sim files") {
  const auto r = run_cli({"hw", "show", "edge_npu", "--set", "array.rows=32", "--set",
                          "buffer.global_buffer.capacity_kib=256", "--set", "technology.node_nm=7",
                          "--format", "json"});
  REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["array"]["rows"] == 32);
  CHECK(j["buffers"][0]["capacity_bytes"] == 262144);
  CHECK(j["technology"]["node_nm"] == 7);

  mpsim::test::TempDir dir;
  const auto cfg = dir.file("tpu.cfg", R"([general]
run_name = tiny
[architecture_presets]
ArrayHeight: 8
ArrayWidth: 4
IfmapSramSzkB: 16
FilterSramSzkB: 16
OfmapSramSzkB: 8
Dataflow: is
Bandwidth: 16
[layout]
IfmapCustomLayout: False
[run_presets]
InterfaceBandwidth: USER
)");
  const auto c = run_cli({"hw", "show", cfg, "--format", "json"});
  REQUIRE(c.status == 0);
  const auto cj = nlohmann::json::parse(c.out);
  CHECK(cj["name"] == "tiny");
  CHECK(cj["array"]["dataflow"] == "is");
  CHECK(cj["buffers"].size() == 3);
  CHECK(cj["dram"]["bandwidth_gbytes_per_s"].get<double>() == doctest::Approx(16.0));

  const auto toml = dir.file("mine.toml",
                             "[[buffer]]\nname = \"b\"\nholds = [\"weight\", "
                             "\"input\", \"output\"]\ncapacity_kib = 32\n");
  const auto t = run_cli({"hw", "show", toml});
  REQUIRE(t.status == 0);
  CHECK(contains(t.out, "mine"));
}

TEST_CASE("cli hw: bad input exits 2 naming the problem") {
  auto bad = run_cli({"hw", "show", "edge_npu", "--set", "array.rows=abc"});
  CHECK(bad.status == 2);
  CHECK(bad.out.empty());
  CHECK(contains(bad.err, "--set array.rows=abc: key 'array.rows': expected an integer"));

  bad = run_cli({"hw", "show", "edge_npu", "--set", "array.colz=4"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "did you mean 'array.cols'?"));

  bad = run_cli({"hw", "show", "edge_npu", "--set", "array.dataflow=xs"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "--set array.dataflow=xs: key 'array.dataflow': unknown dataflow 'xs'"));

  bad = run_cli({"hw", "show", "edge_nup"});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, "did you mean edge_npu?"));

  mpsim::test::TempDir dir;
  const auto broken = dir.file("broken.toml", "[array]\nrows = 16\ncolumns = 8\n");
  bad = run_cli({"hw", "show", broken});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, broken + ":3:1: unknown key 'array.columns'"));

  const auto cfg = dir.file("bad.cfg", "[architecture_presets]\nArrayHeight 8\n");
  bad = run_cli({"hw", "show", cfg});
  CHECK(bad.status == 2);
  CHECK(contains(bad.err, cfg + ":2: expected 'Key = value'"));

  CHECK(run_cli({"hw", "show", "edge_npu", "--format", "xml"}).status == 2);
  CHECK(run_cli({"hw"}).status == 2);
}
