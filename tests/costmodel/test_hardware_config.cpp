// Hardware configs: the bundled files, the compact fusion form, --set overrides, the errors
// (with their place and key) and SCALE-Sim .cfg files.
#include <doctest/doctest.h>

#include <algorithm>

#include "costmodel/accumulator.h"
#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "formats/error.h"
#include "tests/test_support.h"

using mpsim::FormatPair;
using mpsim::HardwareSpec;
using mpsim::parse_hardware_toml;
using mpsim::parse_scalesim_config;
using mpsim::UserError;

namespace {

// The message of the UserError `f` throws; fails the test when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const UserError& e) {
    return e.what();
  }
  FAIL("expected a UserError");
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

int per_cycle(const HardwareSpec& s, const std::string& w, const std::string& a) {
  for (const auto& p : s.array.mac.pairs)
    if (p.weight.name() == w && p.activation.name() == a) return p.products_per_cycle;
  return 0;
}

// A small valid config; tests add or change lines.
const std::string kBase = R"(name = "t"
[array]
rows = 8
cols = 4
dataflow = "os"
clock_mhz = 250

[array.mac]
kind = "fusion"
max_bits = 8
formats = ["int8", "int4", "int2"]

[[buffer]]
name = "gb"
holds = ["weight", "input", "output"]
capacity_kib = 64
)";

HardwareSpec parse(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return parse_hardware_toml(text, "hw.toml", overrides);
}

}  // namespace

TEST_CASE("every bundled hardware config loads and validates") {
  const auto names = mpsim::bundled_hardware_names();
  for (const char* expected :
       {"datacenter_fp8", "edge_npu", "eyeriss_like", "fixed_int8", "ideal_memory", "simba_like"})
    CHECK(std::count(names.begin(), names.end(), expected) == 1);
  for (const auto& name : names) {
    CAPTURE(name);
    const HardwareSpec s = mpsim::load_hardware_by_name(name);
    CHECK(s.name == name);
    CHECK(!s.description.empty());
    CHECK(!s.array.mac.pairs.empty());
  }

  const auto eyeriss = mpsim::load_hardware_by_name("eyeriss_like");
  CHECK(eyeriss.array.rows * eyeriss.array.cols == 168);
  CHECK(eyeriss.technology.node_nm == 45);
  CHECK(per_cycle(eyeriss, "int16", "int16") == 1);
  REQUIRE(eyeriss.register_files.size() == 3);
  CHECK(eyeriss.register_files[1].name == "weights_spad");
  CHECK(eyeriss.register_files[1].entries == 192);
  REQUIRE(eyeriss.buffers.size() == 1);
  CHECK(eyeriss.buffers[0].capacity_bytes == 128 * 1024);
  CHECK(eyeriss.buffers[0].width_bits == 64);
  CHECK(eyeriss.dram.kind == mpsim::DramKind::kLPDDR4);

  const auto dc = mpsim::load_hardware_by_name("datacenter_fp8");
  CHECK(dc.array.mac.kind == mpsim::MacUnitKind::kMultiFormat);
  CHECK(per_cycle(dc, "fp4_e2m1", "fp4_e2m1") == 2);
  CHECK(per_cycle(dc, "fp8_e4m3", "fp8_e5m2") == 1);
  CHECK(per_cycle(dc, "int8", "int8") == 1);
  CHECK(dc.dram.kind == mpsim::DramKind::kHBM3);

  const auto simba = mpsim::load_hardware_by_name("simba_like");
  CHECK(simba.array.rows * simba.array.cols == 256);
  CHECK(simba.buffers.size() == 4);
  CHECK(simba.buffers[0].capacity_bytes == 24576);

  CHECK(mpsim::load_hardware_by_name("ideal_memory").ideal_memory());
  CHECK(mpsim::load_hardware_by_name("fixed_int8").array.mac.pairs.size() == 1);
}

TEST_CASE("the compact fusion form derives Bit Fusion's products per cycle") {
  const auto edge = mpsim::load_hardware_by_name("edge_npu");
  CHECK(edge.array.mac.kind == mpsim::MacUnitKind::kFusion);
  CHECK(edge.array.mac.pairs.size() == 9);
  CHECK(per_cycle(edge, "int8", "int8") == 1);
  CHECK(per_cycle(edge, "int8", "int4") == 2);
  CHECK(per_cycle(edge, "int4", "int8") == 2);
  CHECK(per_cycle(edge, "int4", "int4") == 4);
  CHECK(per_cycle(edge, "int8", "int2") == 4);
  CHECK(per_cycle(edge, "int2", "int2") == 16);

  // A 16-bit unit; int3 and binary take the next power-of-two brick width (4 and 2 bits).
  const auto wide =
      parse(kBase, {"array.mac.max_bits=16", R"(array.mac.formats=["int16", "int3", "binary"])",
                    "array.mac.narrow_accumulator=round"});
  CHECK(per_cycle(wide, "int16", "int16") == 1);
  CHECK(per_cycle(wide, "int3", "int3") == 16);
  CHECK(per_cycle(wide, "int16", "binary") == 8);
  CHECK(per_cycle(wide, "binary", "binary") == 64);

  // Without max_bits, the widest format sets it; other kinds run every pair at 1 per cycle.
  std::string base_no_max = kBase;
  base_no_max.erase(base_no_max.find("max_bits = 8\n"), 13);
  const auto no_max = parse(base_no_max, {"array.mac.formats=[\"int4\", \"int2\"]"});
  CHECK(per_cycle(no_max, "int2", "int2") == 4);
  CHECK(per_cycle(no_max, "int4", "int2") == 2);
  const auto multi = parse(
      base_no_max, {"array.mac.kind=multiformat", "array.mac.formats=[\"fp8_e4m3\", \"int8\"]",
                    "array.mac.accumulator=fp32"});
  CHECK(multi.array.mac.pairs.size() == 4);
  CHECK(per_cycle(multi, "fp8_e4m3", "int8") == 1);
  // The file's max_bits = 8 goes with fusion only.
  CHECK(contains(error_of([] { parse(kBase, {"array.mac.kind=multiformat"}); }),
                 "key 'array.mac.max_bits': applies to kind = \"fusion\" only"));
  CHECK(contains(error_of([] { parse(kBase, {"array.mac.max_bits=12"}); }), "power of two"));
  CHECK(contains(error_of([] { parse(kBase, {"array.mac.max_bits=4"}); }),
                 "formats holds a 8-bit operand"));
  CHECK(contains(error_of([] { parse(kBase, {"array.mac.formats=[\"fp8_e4m3\"]"}); }),
                 "a fusion unit multiplies integers only"));
}

TEST_CASE("defaults fill what a config leaves out") {
  const auto s = parse(R"(
[[buffer]]
name = "gb"
holds = ["weight", "input", "output"]
capacity_bytes = 4096
)");
  CHECK(s.name == "hw");  // the file's stem
  CHECK(s.array.rows == 16);
  CHECK(s.array.cols == 16);
  CHECK(s.array.dataflow == mpsim::Dataflow::kWeightStationary);
  CHECK(s.array.clock_mhz == 500);
  CHECK(s.array.mac.kind == mpsim::MacUnitKind::kFixed);
  CHECK(per_cycle(s, "int8", "int8") == 1);
  CHECK(s.array.mac.accumulator.name() == "int32");
  CHECK(s.buffers[0].width_bits == 64);
  CHECK(s.buffers[0].banks == 1);
  CHECK(s.dram.kind == mpsim::DramKind::kLPDDR4);
  CHECK(s.dram.bandwidth_gbytes_per_s == 0);
  CHECK(s.technology.node_nm == 45);
  CHECK(s.technology.vdd_v == 0);
  CHECK(s.source == "hw.toml");
}

TEST_CASE("--set overrides change values before validation") {
  const auto edge = mpsim::load_hardware_by_name(
      "edge_npu", {"array.rows=32", "dram.bandwidth_gbytes_per_s=25.6", "technology.node_nm=7",
                   R"(array.mac.formats=["int8","int4"])", "buffer.global_buffer.capacity_kib=256",
                   "array.dataflow=os", "register_file.psum_reg.word_bits = 24"});
  CHECK(edge.array.rows == 32);
  CHECK(edge.array.cols == 16);
  CHECK(edge.dram.bandwidth_gbytes_per_s == doctest::Approx(25.6));
  CHECK(edge.technology.node_nm == 7);
  CHECK(edge.array.mac.pairs.size() == 4);
  CHECK(per_cycle(edge, "int4", "int4") == 4);
  CHECK(edge.buffers[0].capacity_bytes == 256 * 1024);
  CHECK(edge.array.dataflow == mpsim::Dataflow::kOutputStationary);
  CHECK(edge.register_files[2].word_bits == 24);

  // One capacity form replaces the other; pairs replace the compact form, and back.
  CHECK(parse(kBase, {"buffer.gb.capacity_bytes=1000"}).buffers[0].capacity_bytes == 1000);
  CHECK(parse(kBase, {"buffer.0.capacity_kib=2"}).buffers[0].capacity_bytes == 2048);
  const auto pairs =
      parse(kBase, {"array.mac.kind=fixed",
                    R"(array.mac.pairs=[{weight="int16", activation="int8", per_cycle=1}])"});
  REQUIRE(pairs.array.mac.pairs.size() == 1);
  CHECK(pairs.array.mac.pairs[0].weight.name() == "int16");

  // Unnamed entries by index; a table that the file leaves out is created.
  const auto dc = mpsim::load_hardware_by_name("datacenter_fp8", {"array.mac.pairs.4.per_cycle=4"});
  CHECK(per_cycle(dc, "fp4_e2m1", "fp4_e2m1") == 4);
  CHECK(parse(kBase, {"dram.kind=hbm2"}).dram.kind == mpsim::DramKind::kHBM2);
  CHECK(parse(kBase, {"technology.vdd_v=0.8"}).technology.vdd_v == doctest::Approx(0.8));
  // Later overrides win.
  CHECK(parse(kBase, {"array.rows=2", "array.rows=3"}).array.rows == 3);
  // A whole entry replaced by an inline table.
  const auto gb = parse(
      kBase, {R"(buffer.gb={name="big", holds=["weight","input","output"], capacity_kib=512})"});
  CHECK(gb.buffers[0].name == "big");
  CHECK(gb.buffers[0].capacity_bytes == 512 * 1024);
}

TEST_CASE("--set errors name the argument") {
  auto set_error = [](std::vector<std::string> overrides) {
    return error_of([&] { parse(kBase, overrides); });
  };
  auto e = set_error({"array.rows=abc"});
  CHECK(contains(
      e, "--set array.rows=abc: key 'array.rows': expected an integer, found a string (\"abc\")"));
  e = set_error({"array.rows=0"});
  CHECK(contains(e, "--set array.rows=0: key 'array.rows': must be between 1 and 65536, found 0"));
  e = set_error({"array.rowz=3"});
  CHECK(contains(e, "--set array.rowz=3: unknown key 'array.rowz' (did you mean 'array.rows'?)"));
  e = set_error({"array.dataflow=xs"});
  CHECK(contains(e, "--set array.dataflow=xs: key 'array.dataflow': unknown dataflow 'xs'"));
  CHECK(contains(e, "valid: ws, os, is"));
  e = set_error({"dram.kind=lpddr9"});
  CHECK(contains(e, "--set dram.kind=lpddr9"));
  CHECK(contains(e, "did you mean 'lpddr4'?"));
  e = set_error({"buffer.global.capacity_kib=3"});
  CHECK(contains(e, "--set buffer.global.capacity_kib=3: no [[buffer]] entry named 'global'"));
  CHECK(contains(e, "the config has: gb"));
  e = set_error({"array.rows"});
  CHECK(contains(e, "--set array.rows: expected KEY=VALUE"));
  e = set_error({"array.rows.x=1"});
  CHECK(contains(e, "key 'array.rows' is a value, not a table"));
  e = set_error({"array..rows=1"});
  CHECK(contains(e, "is not a dotted key path"));
  e = set_error({"array.mac.formats=[\"int8\", \"int77\"]"});
  CHECK(contains(e, "--set array.mac.formats=[\"int8\", \"int77\"]: key 'array.mac.formats'"));
  e = set_error({"technology.node_nm=3"});
  CHECK(contains(e, "--set technology.node_nm=3: key 'technology.node_nm': unsupported node 3 nm"));
  e = set_error({"buffer.gb.holds=[\"weight\"]"});
  CHECK(contains(e, "no register file or buffer holds operand 'input'"));
  // A value from the file stays located in the file when another key is overridden.
  e = error_of([] { parse(kBase + "[dram]\nkind = \"fast\"\n", {"array.rows=2"}); });
  CHECK(contains(e, "hw.toml:18:8: key 'dram.kind': unknown DRAM kind 'fast'"));
}

TEST_CASE("errors in the file name file:line:col and the key") {
  auto e = error_of([] { parse(kBase + "[technology]\nnode_nn = 7\n"); });
  CHECK(contains(
      e, "hw.toml:18:1: unknown key 'technology.node_nn' (did you mean 'technology.node_nm'?)"));
  CHECK(contains(e, "[technology] takes: node_nm, vdd_v"));
  e = error_of([] { parse("[array]\nrows = \"16\"\n"); });
  CHECK(contains(e, "hw.toml:2:8: key 'array.rows': expected an integer, found a string (\"16\")"));
  e = error_of([] { parse("[array]\nclock_mhz = true\n"); });
  CHECK(contains(e, "hw.toml:2:13: key 'array.clock_mhz': expected a number, found a boolean"));
  e = error_of([] { parse("colz = 3\n"); });
  CHECK(contains(e, "hw.toml:1:1: unknown key 'colz'"));
  e = error_of([] { parse("[array\n"); });
  CHECK(contains(e, "hw.toml:1:"));
  e = error_of(
      [] { parse(kBase + "[[register_file]]\nname = \"w\"\nholds = [\"weight\"]\nentrys = 2\n"); });
  CHECK(contains(e,
                 "unknown key 'register_file.w.entrys' (did you mean 'register_file.w.entries'?)"));

  // Every problem at once, each with its place.
  e = error_of([] { parse("[array]\nrows = 0\ncols = -1\n"); });
  CHECK(contains(e, "hw.toml:2:8: key 'array.rows'"));
  CHECK(contains(e, "hw.toml:3:8: key 'array.cols'"));
}

TEST_CASE("the array's PE count is capped, not wrapped") {
  // 65536 x 32768 overflowed a 32-bit PE count: a negative area that a sweep flagged as Pareto.
  const auto e = error_of([] { parse(kBase, {"array.rows=65536", "array.cols=32768"}); });
  CHECK(contains(e, "key 'array.cols'"));
  CHECK(contains(e, "65536 x 32768 = 2147483648 PEs is larger than the 16777216"));
  const auto largest = parse(kBase, {"array.rows=4096", "array.cols=4096"});
  CHECK(mpsim::HardwareModel(largest).pes() == 16777216);
}

TEST_CASE("semantic checks name the key") {
  auto e = error_of([] {
    parse(
        kBase,
        {R"(array.mac.pairs=[{weight="int8", activation="int8"}, {weight="int8", activation="int8", per_cycle=2}])"});
  });
  CHECK(contains(e, "key 'array.mac.pairs.1': pair int8 x int8 is listed twice"));
  e = error_of([] { parse(kBase, {"array.mac.formats=[]"}); });
  CHECK(contains(e, "key 'array.mac.formats': needs at least one format"));
  e = error_of([] { parse(kBase, {"array.mac.pairs=[]"}); });
  CHECK(contains(e, "needs at least one (weight, activation) format pair"));
  e = error_of([] {
    parse(
        kBase,
        {"array.mac.kind=fixed",
         R"(array.mac.pairs=[{weight="int8", activation="int8"}, {weight="int4", activation="int4"}])"});
  });
  CHECK(contains(e, "key 'array.mac.kind': a fixed unit has one datapath"));
  e = error_of([] { parse(kBase, {R"(array.mac.pairs=[{weight="int9x", activation="int8"}])"}); });
  CHECK(contains(e, "key 'array.mac.pairs.0.weight': unknown number format 'int9x'"));
  CHECK(contains(e, "valid formats:"));
  e = error_of([] { parse(kBase, {R"(array.mac.pairs=[{activation="int8"}])"}); });
  CHECK(contains(e, "key 'array.mac.pairs.0.weight': missing"));
  e = error_of([] { parse(kBase, {"array.mac.accumulator=uint8"}); });
  CHECK(contains(e, "key 'array.mac.accumulator'"));
  e = error_of(
      [] { parse(kBase + "[[buffer]]\nname = \"gb\"\nholds = [\"weight\"]\ncapacity_kib = 1\n"); });
  CHECK(contains(e, "key 'buffer.gb.name': 'gb' names another register file or buffer too"));
  e = error_of([] { parse(kBase, {"buffer.gb.holds=[\"weight\", \"weight\"]"}); });
  CHECK(contains(e, "operand 'weight' is listed twice"));
  e = error_of([] { parse(kBase, {"buffer.gb.holds=[\"activation\"]"}); });
  CHECK(contains(e, "unknown operand 'activation'"));
  e = error_of([] { parse(kBase, {"buffer.gb.capacity_kib=0.1"}); });
  CHECK(contains(e, "is not a whole number of bytes"));
  e = error_of([] { parse(kBase, {"buffer.gb.width_bits=1024", "buffer.gb.banks=1024"}); });
  CHECK(contains(e, "cannot hold one 1024-bit row in each of its 1024 bank(s)"));
  e = error_of([] { parse(kBase, {"dram.kind=ideal", "dram.bandwidth_gbytes_per_s=10"}); });
  CHECK(contains(e, "key 'dram.bandwidth_gbytes_per_s': ideal memory has unlimited bandwidth"));
  e = error_of([] { parse(kBase, {"technology.vdd_v=4.5"}); });
  CHECK(contains(e, "key 'technology.vdd_v'"));
  e = error_of([] { parse(kBase, {"buffer.gb.name=\"g.b\""}); });
  CHECK(contains(e, "'g.b' is not a usable name"));

  std::string five = kBase;
  for (int i = 0; i < 4; ++i)
    five += "[[buffer]]\nname = \"b" + std::to_string(i) +
            "\"\nholds = [\"input\"]\ncapacity_kib = 8\n";
  e = error_of([&] { parse(five); });
  CHECK(contains(e, "at most 4 buffers are supported, found 5"));

  // Operands need a home unless memory is ideal.
  const std::string no_buffers = "[dram]\nkind = \"lpddr4\"\n";
  e = error_of([&] { parse(no_buffers); });
  CHECK(contains(e, "no register file or buffer holds operand 'weight'"));
  CHECK(parse(no_buffers, {"dram.kind=ideal"}).ideal_memory());
}

TEST_CASE("bundled names and paths") {
  auto e = error_of([] { mpsim::load_hardware_by_name("edge_nup"); });
  CHECK(contains(e, "unknown hardware 'edge_nup' (did you mean edge_npu?)"));
  CHECK(contains(e, "bundled: "));
  const auto path = mpsim::test::source_path("configs/hw/simba_like.toml");
  CHECK(mpsim::load_hardware_by_name(path).name == "simba_like");
  CHECK(contains(error_of([] { mpsim::load_hardware("/nonexistent/hw.toml"); }),
                 "/nonexistent/hw.toml: no such file"));
}

namespace {

// SCALE-Sim v2's own configs/google.cfg and configs/scale.cfg, as input data of the format.
const std::string kGoogleCfg = R"([general]
run_name = GoogleTPU_v1_ws

[architecture_presets]
ArrayHeight:    256
ArrayWidth:     256
IfmapSramSzkB:    6144
FilterSramSzkB:   6144
OfmapSramSzkB:    2048
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : ws
Bandwidth : 10
MemoryBanks: 1

[run_presets]
InterfaceBandwidth: CALC
SRAM_row_size: 2
SRAM_bank_size: 5
DRAM_row_size: 2
DRAM_bank_size: 5)";

const std::string kScaleCfg = R"([general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     32
IfmapSramSzkB:   64
FilterSramSzkB:  64
OfmapSramSzkB:   64
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 64
Dataflow : os
OnChipMemoryBanks:   1
OnChipMemoryBankPorts:   2

IfmapCustomLayout: True
FilterCustomLayout: False
IfmapSRAMBankBandwidth: 64
IfmapSRAMBankNum: 10
FilterSRAMBankBandwidth: 640
FilterSRAMBankNum: 1
IfmapSRAMBankPort: 2
FilterSRAMBankPort: 2
MemoryBanks: 1

[sparsity]
SparsitySupport : false
SparseRep : ellpack_block
OptimizedMapping : false
BlockSize : 8
RandomNumberGeneratorSeed : 40

[run_presets]
InterfaceBandwidth: USER )";

}  // namespace

TEST_CASE("SCALE-Sim .cfg, CALC mode: ideal memory and one-byte words") {
  const auto s = parse_scalesim_config(kGoogleCfg, "google.cfg");
  CHECK(s.name == "GoogleTPU_v1_ws");
  CHECK(s.array.rows == 256);
  CHECK(s.array.cols == 256);
  CHECK(s.array.dataflow == mpsim::Dataflow::kWeightStationary);
  CHECK(s.array.clock_mhz == 1000);
  CHECK(s.array.mac.kind == mpsim::MacUnitKind::kFixed);
  REQUIRE(s.array.mac.pairs.size() == 1);
  CHECK(per_cycle(s, "int8", "int8") == 1);
  CHECK(s.array.mac.accumulator.name() == "int32");
  REQUIRE(s.buffers.size() == 3);
  CHECK(s.buffers[0].name == "ifmap_sram");
  CHECK(s.buffers[0].holds == std::vector<mpsim::Operand>{mpsim::Operand::kInput});
  CHECK(s.buffers[0].capacity_bytes == 6144 * 1024);
  CHECK(s.buffers[0].width_bits == 256 * 8);
  CHECK(s.buffers[1].holds == std::vector<mpsim::Operand>{mpsim::Operand::kWeight});
  CHECK(s.buffers[2].capacity_bytes == 2048 * 1024);
  CHECK(s.ideal_memory());
  CHECK(s.technology.node_nm == 45);

  // The same design as the bundled ideal_memory config, which says it models this.
  const auto cfg = parse_scalesim_config(
      kGoogleCfg, "g.cfg",
      {"array.rows=32", "array.cols=32", "buffer.ifmap_sram.capacity_kib=64",
       "buffer.filter_sram.capacity_kib=64", "buffer.ofmap_sram.capacity_kib=64",
       "buffer.ifmap_sram.width_bits=256", "buffer.filter_sram.width_bits=256",
       "buffer.ofmap_sram.width_bits=256"});
  const auto ideal = mpsim::load_hardware_by_name("ideal_memory");
  CHECK(cfg.array.rows == ideal.array.rows);
  CHECK(cfg.array.clock_mhz == ideal.array.clock_mhz);
  CHECK(cfg.technology.node_nm == ideal.technology.node_nm);
  REQUIRE(cfg.buffers.size() == ideal.buffers.size());
  for (std::size_t i = 0; i < cfg.buffers.size(); ++i) {
    CHECK(cfg.buffers[i].name == ideal.buffers[i].name);
    CHECK(cfg.buffers[i].capacity_bytes == ideal.buffers[i].capacity_bytes);
    CHECK(cfg.buffers[i].holds == ideal.buffers[i].holds);
  }
}

TEST_CASE("SCALE-Sim .cfg, USER mode: words per cycle become GB/s at the clock") {
  const auto s = parse_scalesim_config(kScaleCfg, "scale.cfg");  // [sparsity] is ignored
  CHECK(s.array.dataflow == mpsim::Dataflow::kOutputStationary);
  CHECK(s.dram.kind == mpsim::DramKind::kLPDDR4);
  CHECK(s.dram.bandwidth_gbytes_per_s == doctest::Approx(64.0));  // 64 B/cycle at 1000 MHz
  CHECK(!s.ideal_memory());
  CHECK(s.buffers[2].width_bits == 32 * 8);

  // The conversion follows a clock override; a bandwidth override wins.
  CHECK(parse_scalesim_config(kScaleCfg, "scale.cfg", {"array.clock_mhz=500"})
            .dram.bandwidth_gbytes_per_s == doctest::Approx(32.0));
  CHECK(parse_scalesim_config(kScaleCfg, "scale.cfg", {"dram.bandwidth_gbytes_per_s=5"})
            .dram.bandwidth_gbytes_per_s == doctest::Approx(5.0));
  CHECK(parse_scalesim_config(kScaleCfg, "scale.cfg", {"dram.kind=ideal"}).ideal_memory());
  // Per-bank bandwidths add up.
  std::string two_banks = kScaleCfg;
  two_banks.replace(two_banks.find("Bandwidth : 64"), 14, "Bandwidth : 10, 6");
  CHECK(parse_scalesim_config(two_banks, "s.cfg").dram.bandwidth_gbytes_per_s ==
        doctest::Approx(16.0));
  // Overrides reach converted keys and name unknown ones.
  CHECK(contains(error_of([] { parse_scalesim_config(kScaleCfg, "scale.cfg", {"array.rowz=1"}); }),
                 "--set array.rowz=1: unknown key"));
}

TEST_CASE("SCALE-Sim .cfg errors name file:line") {
  auto with = [](const std::string& from, const std::string& to) {
    std::string text = kGoogleCfg;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  auto e =
      error_of([&] { parse_scalesim_config(with("MemoryBanks: 1", "MemoryBanks 1"), "g.cfg"); });
  CHECK(contains(e, "g.cfg:15: expected 'Key = value' or 'Key: value', found 'MemoryBanks 1'"));
  e = error_of([&] { parse_scalesim_config(with("Dataflow : ws", "Dataflow : rs"), "g.cfg"); });
  CHECK(contains(e, "g.cfg:13: Dataflow: unknown dataflow 'rs'"));
  e = error_of(
      [&] { parse_scalesim_config(with("ArrayHeight:    256", "ArrayHeight: -4"), "g.cfg"); });
  CHECK(contains(e, "g.cfg:5: ArrayHeight: expected a positive integer"));
  e = error_of([&] { parse_scalesim_config(with("ArrayWidth:     256", ""), "g.cfg"); });
  CHECK(contains(e, "g.cfg: SCALE-Sim config needs ArrayWidth in [architecture_presets]"));
  e = error_of([&] { parse_scalesim_config(with("CALC", "FAST"), "g.cfg"); });
  CHECK(contains(e, "g.cfg:18: InterfaceBandwidth: expected CALC or USER, found 'FAST'"));
  e = error_of([&] { parse_scalesim_config(with("[run_presets]", "[run_presets"), "g.cfg"); });
  CHECK(contains(e, "g.cfg:17: malformed section header"));
  e = error_of([&] { parse_scalesim_config("ArrayHeight: 4\n", "g.cfg"); });
  CHECK(contains(e, "g.cfg:1: 'ArrayHeight: 4' comes before any [section]"));
  e = error_of([&] {
    parse_scalesim_config(with("Bandwidth : 10", "Bandwidth : 10\nbandwidth: 3"), "g.cfg");
  });
  CHECK(contains(e, "appears twice"));
  // USER mode reads Bandwidth, which CALC mode ignores.
  e = error_of([&] {
    std::string text = with("CALC", "USER");
    text.replace(text.find("Bandwidth : 10"), 14, "Bandwidth : x");
    parse_scalesim_config(text, "g.cfg");
  });
  CHECK(contains(e, "g.cfg:14: Bandwidth: expected a positive integer"));
  e = error_of([&] {
    std::string text = with("CALC", "USER");
    text.replace(text.find("Bandwidth : 10"), 14, "");
    parse_scalesim_config(text, "g.cfg");
  });
  CHECK(contains(e, "needs Bandwidth in [architecture_presets]"));
}

TEST_CASE("accumulators: what each pair needs, per-pair accumulators, the narrow policy") {
  using mpsim::Format;
  // Defaults: lossless over 256 products, narrow accumulators are errors.
  const auto base = parse(kBase);
  CHECK(base.array.mac.lossless_sum == 256);
  CHECK(base.array.mac.narrow_accumulator == mpsim::NarrowAccumulator::kError);
  // int8 x int8 over 256 products needs 24 bits: int16 is refused, naming the pair and the need.
  auto e = error_of([] { parse(kBase, {"array.mac.accumulator=int16"}); });
  CHECK(contains(e,
                 "key 'array.mac.accumulator': int8 x int8 into int16: summing 256 products "
                 "without loss needs 24 bits (a 16-bit product + 8 bits of growth)"));
  CHECK(contains(e, "narrow_accumulator = \"round\""));
  // ... accepted when the unit says it rounds, or the lossless length is shorter.
  CHECK(parse(kBase, {"array.mac.accumulator=int16", "array.mac.narrow_accumulator=round"})
            .array.mac.narrow_accumulator == mpsim::NarrowAccumulator::kRound);
  CHECK_NOTHROW(parse(kBase, {"array.mac.accumulator=int16", "array.mac.lossless_sum=1"}));
  e = error_of([] { parse(kBase, {"array.mac.narrow_accumulator=truncate"}); });
  CHECK(contains(e, "unknown narrow-accumulator policy 'truncate'"));
  e = error_of([] { parse(kBase, {"array.mac.lossless_sum=0"}); });
  CHECK(contains(e, "key 'array.mac.lossless_sum'"));
  // Float accumulators: E4M3 products overflow fp16 over 256 of them; bf16 holds them.
  const std::string fp8 =
      R"(array.mac.pairs=[{weight="fp8_e4m3", activation="fp8_e4m3"}, {weight="int8", activation="int8", accumulator="int32"}])";
  // A multi-format unit without the fusion form's keys.
  std::string multi = kBase;
  const std::string fusion_form =
      "kind = \"fusion\"\nmax_bits = 8\nformats = [\"int8\", \"int4\", \"int2\"]\n";
  multi.replace(multi.find(fusion_form), fusion_form.size(),
                "kind = \"multiformat\"\naccumulator = \"fp32\"\n");
  e = error_of([&] { parse(multi, {fp8, "array.mac.accumulator=fp16"}); });
  CHECK(contains(e, "fp8_e4m3 x fp8_e4m3 into fp16"));
  const auto s = parse(multi, {fp8});
  CHECK(s.array.mac.accumulator_of(s.array.mac.pairs[0]).name() == "fp32");
  CHECK(s.array.mac.accumulator_of(s.array.mac.pairs[1]).name() == "int32");
  // bf16 holds every E4M3 product (8 significand bits) over 256 of them; the int8 pair keeps its
  // own int32, so it does not need bf16 to hold 24-bit integer sums.
  CHECK_NOTHROW(parse(multi, {fp8, "array.mac.accumulator=bf16"}));
  // MX pairs cannot use an integer accumulator, whatever the policy.
  e = error_of([&] {
    parse(multi, {R"(array.mac.pairs=[{weight="mxint8", activation="mxint8"}])",
                  "array.mac.accumulator=int32", "array.mac.narrow_accumulator=round"});
  });
  CHECK(contains(e, "no integer accumulator holds"));
  // E4M3 x E4M3 needs a 37-bit product in fixed point: 45 bits over 256 products.
  FormatPair p;
  p.weight = p.activation = Format::parse("fp8_e4m3");
  CHECK(mpsim::product_fixed_point_bits(p.weight, p.activation) == 37);
  CHECK(mpsim::lossless_accumulator_bits(p, 256) == 45);
  p.weight = p.activation = Format::parse("fp4_e2m1");
  CHECK(mpsim::lossless_accumulator_bits(p, 256) == 17);  // Dotzel et al.'s FP4 accumulator
  p.weight = p.activation = Format::parse("int4");
  CHECK(mpsim::lossless_accumulator_bits(p, 256) == 16);
}

TEST_CASE("bit-serial units and device/temperature keys") {
  std::string no_max = kBase;
  no_max.erase(no_max.find("max_bits = 8\n"), 13);
  const auto bs = parse(
      no_max, {"array.mac.kind=bitserial", "array.mac.serial_bits=2", "array.mac.serial=both"});
  CHECK(bs.array.mac.kind == mpsim::MacUnitKind::kBitSerial);
  CHECK(bs.array.mac.serial_bits == 2);
  CHECK(bs.array.mac.serial_both);
  CHECK(per_cycle(bs, "int4", "int4") == 1);  // the compact form: one product, several cycles
  auto e = error_of([] { parse(kBase, {"array.mac.serial_bits=2"}); });
  CHECK(contains(e, "key 'array.mac.serial_bits': applies to kind = \"bitserial\" only"));
  e = error_of([&] { parse(no_max, {"array.mac.kind=bitserial", "array.mac.serial=activation"}); });
  CHECK(contains(e, "unknown serial operand choice 'activation'"));
  const auto t = parse(kBase, {"technology.device=lop", "technology.temperature_k=330",
                               "technology.power_gating=true"});
  CHECK(t.technology.device == mpsim::Device::kLowOperatingPower);
  CHECK(t.technology.temperature_k == 330);
  CHECK(t.technology.power_gating);
  e = error_of([] { parse(kBase, {"technology.device=ulp"}); });
  CHECK(contains(e, "unknown device 'ulp'"));
  e = error_of([] { parse(kBase, {"technology.temperature_k=400"}); });
  CHECK(contains(e, "key 'technology.temperature_k'"));
  // A clock that would run every latency and leakage figure off to infinity.
  e = error_of([] { parse(kBase, {"array.clock_mhz=1e-300"}); });
  CHECK(contains(e, "key 'array.clock_mhz': must be between 0.001 and 100000, found 1e-300"));
}
