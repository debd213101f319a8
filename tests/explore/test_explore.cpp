// explore/: the costing rules, Pareto fronts, the cost table and design points, shared by the
// command and the search.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "costmodel/hardware.h"
#include "explore/cost_table.h"
#include "explore/costing.h"
#include "explore/design_point.h"
#include "explore/evaluation.h"
#include "explore/pareto.h"
#include "formats/error.h"
#include "sim/simulator.h"
#include "tests/test_support.h"
#include "workloads/network_io.h"

namespace {

using namespace mpsim;

HardwareModel hardware(const std::string& name, const std::vector<std::string>& sets = {}) {
  return HardwareModel(load_hardware_by_name(name, sets));
}

}  // namespace

TEST_CASE("explore: the default map is the widest integer pair the array runs") {
  const Network net = load_workload("resnet18");
  const PrecisionMap edge = default_precision_map(net, hardware("edge_npu"));
  for (int id : net.mac_layers()) {
    CHECK(edge.at(id).weight.name() == "int8");
    CHECK(edge.at(id).activation.name() == "int8");
  }
  // datacenter_fp8 runs int8 beside FP8/FP4: its widest integer pair still wins.
  const PrecisionMap dc = default_precision_map(net, hardware("datacenter_fp8"));
  CHECK(dc.at(net.mac_layers().front()).weight.name() == "int8");
}

TEST_CASE("explore: a map that breaks a quantizer group is refused or resolved") {
  const Network net = load_workload("resnet18");
  const test::TempDir dir;
  // layer2.0.conv1 and layer2.0.downsample.0 read the same tensor: one activation format.
  const std::string map = dir.file("m.toml",
                                   "[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                                   "[[override]]\nlayers = \"layer2.0.conv1\"\n"
                                   "activation = \"int4\"\n");
  const HardwareModel hw = hardware("edge_npu");
  CHECK_THROWS_WITH_AS(map_for_costing(net, hw, map, false),
                       doctest::Contains("m.toml breaks 1 quantizer group(s)"), UserError);
  const PrecisionMap resolved = map_for_costing(net, hw, map, true);
  CHECK(resolved.at(*net.find("layer2.0.conv1")).activation.name() == "int8");
}

TEST_CASE("explore: the cost engines by name") {
  CHECK(parse_cost_engine("sim") == CostEngine::kSimulator);
  CHECK(parse_cost_engine("closed-form") == CostEngine::kClosedForm);
  CHECK(cost_engine_name(CostEngine::kClosedForm) == "closed-form");
  CHECK_THROWS_WITH_AS(parse_cost_engine("fast"), doctest::Contains("expected sim or closed-form"),
                       UserError);
}

TEST_CASE("explore: Pareto flags over any number of minimised objectives") {
  CHECK(pareto_flags({}).empty());
  CHECK(pareto_flags({{1.0}}) == std::vector<bool>{true});
  // Cost and negated accuracy, as a search's front uses them.
  const std::vector<std::vector<double>> maps = {
      {10, -0.90},  // front: most accurate
      {5, -0.85},   // front
      {6, -0.85},   // dominated by the one above
      {5, -0.85},   // equal to a front point: also on the front
      {2, -0.50},   // front: cheapest
      {7, -0.80},   // dominated
  };
  CHECK(pareto_flags(maps) == std::vector<bool>{true, true, false, true, true, false});
  const std::vector<std::vector<double>> four = {{1, 2, 3, 4}, {1, 2, 3, 5}, {0, 9, 9, 9}};
  CHECK(pareto_flags(four) == std::vector<bool>{true, false, true});
}

TEST_CASE("explore: the cost table prices every MAC layer at every supported pair") {
  const Network net = load_workload("resnet18");
  const HardwareModel hw = hardware("edge_npu");
  const CostTable table = build_cost_table(net, hw, {}, CostEngine::kClosedForm);
  const std::size_t layers = net.mac_layers().size();
  REQUIRE(table.rows.size() == hw.pairs().size() * layers);
  CHECK(table.area_mm2 == hw.area().total_mm2);
  for (std::size_t p = 0; p < hw.pairs().size(); ++p) {
    const FormatPair& pair = hw.pairs()[p].pair;
    LayerPrecision lp;
    lp.weight = pair.weight;
    lp.activation = pair.activation;
    const NetworkCost whole = network_cost(net, uniform_precision_map(net, lp), hw);
    for (std::size_t i = 0; i < layers; ++i) {
      const CostTableRow& row = table.rows[p * layers + i];
      CHECK(row.layer == whole.layer_ids[i]);
      CHECK(row.pair.weight == pair.weight);
      CHECK(row.cost.energy.total_pj() == whole.layers[i].energy.total_pj());
      CHECK(row.cost.total_cycles == whole.layers[i].total_cycles);
      CHECK(row.weight_bytes ==
            doctest::Approx(net.layer(row.layer).weight_count * pair.weight.storage_bits() / 8.0));
    }
  }
  const CostTable int4 = build_cost_table(net, hw, {"int4", "int8"}, CostEngine::kClosedForm);
  CHECK(int4.rows.size() < table.rows.size());
  for (const auto& row : int4.rows)
    CHECK(row.pair.weight.name() != "int2");
  CHECK_THROWS_WITH_AS(build_cost_table(net, hw, {"fp8_e4m3"}),
                       doctest::Contains("leaves no pair; the array supports"), UserError);
  CHECK_THROWS_WITH_AS(build_cost_table(net, hw, {"int9x"}), doctest::Contains("int9x"), UserError);
}

TEST_CASE("explore: a design point survives JSON and prices as the command does") {
  DesignPoint p;
  p.hardware = "edge_npu";
  p.overrides = {"array.rows=32"};
  p.workload = "resnet18";
  p.workload_options.batch = 2;
  p.workload_options.input_shapes = {{"seq", {128}}};
  p.map = "configs/maps/resnet18_edge_int.toml";
  p.resolve_groups = true;
  p.engine = CostEngine::kClosedForm;
  CHECK(design_point_from_json(to_json(p), "p.json") == p);

  CHECK_THROWS_WITH_AS(design_point_from_json("{", "p.json"),
                       doctest::Contains("p.json: not a design point"), UserError);
  CHECK_THROWS_WITH_AS(design_point_from_json("{\"hardware\": \"edge_npu\"}", "p.json"),
                       doctest::Contains("p.json: design point has no 'overrides'"), UserError);
  std::string extra = to_json(p);
  extra.insert(1, "\"colour\": 1, ");
  CHECK_THROWS_WITH_AS(design_point_from_json(extra, "p.json"),
                       doctest::Contains("unknown key 'colour'"), UserError);
  std::string wrong = to_json(p);
  wrong.replace(wrong.find("\"closed-form\""), 13, "\"warp\"");
  CHECK_THROWS_WITH_AS(design_point_from_json(wrong, "p.json"),
                       doctest::Contains("unknown cost engine 'warp'"), UserError);

  // Priced from its description alone, a point equals the command's simulation.
  DesignPoint q;
  q.hardware = "edge_npu";
  q.workload = "resnet18";
  q.map = test::source_path("configs/maps/resnet18_edge_int.toml");
  const PointCost c = evaluate_point(q);
  const Network net = load_workload("resnet18");
  const HardwareModel hw = hardware("edge_npu");
  const NetworkCost sim =
      simulate_network(net, resolve_precision_map(load_precision_map(q.map), net), hw);
  CHECK(c.energy_pj == sim.total.energy.total_pj());
  CHECK(c.cycles == sim.total.total_cycles);
  CHECK(c.latency_s == sim.total.latency_s);
  CHECK(c.area_mm2 == hw.area().total_mm2);
  CHECK(c.edp_js() == doctest::Approx(c.energy_pj * 1e-12 * c.latency_s));
}

TEST_CASE("explore: an evaluation checks a map's quantizer groups as costing does") {
  const test::TempDir dir;
  const std::string model = test::source_path("models/fmnist_resnet.onnx");
  // conv1 and the shortcut of block 1 read the same tensor: one activation format.
  const std::string map = dir.file("m.toml",
                                   "[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                                   "[[override]]\nlayers = \"/blocks/blocks.1/conv1/Conv\"\n"
                                   "activation = \"int4\"\n");
  auto r = test::run_cli({"eval", "--model", model, "--limit", "50", "--map", map});
  CHECK(r.status == 2);
  CHECK(r.err.find("m.toml breaks 1 quantizer group(s)") != std::string::npos);
  r = test::run_cli({"eval", "--model", model, "--limit", "50", "--calib", "50", "--map", map,
                     "--resolve-groups"});
  CHECK(r.status == 0);
}

TEST_CASE("explore: an evaluation's data, calibration and normalization rules") {
  EvalSetup setup;
  setup.model = test::source_path("models/fmnist_resnet.onnx");
  setup.limit = 20;
  setup.calib = 10;
  PreparedEvaluation e = prepare_evaluation(setup, true);
  CHECK(e.data.size() == 20);
  CHECK(e.calib.size() == 10);
  CHECK(e.calib_source == "fashion-mnist:train");  // never the scored split
  REQUIRE(e.normalization.has_value());
  CHECK(e.normalization->from_metadata);
  CHECK_FALSE(e.scaling_unstated);
  CHECK(e.normalization->mean == doctest::Approx(0.286f));

  setup.dataset = "fashion-mnist:train";
  setup.normalize = "0.5,0.25";
  e = prepare_evaluation(setup, true);
  CHECK(e.calib_source == "fashion-mnist:test");
  CHECK_FALSE(e.normalization->from_metadata);
  CHECK(e.normalization->std_dev == 0.25f);
  // Normalized in place: a raw pixel p in [0, 1] is now (p - 0.5) / 0.25, so within [-2, 2].
  const auto [lo, hi] = std::minmax_element(e.data.values.begin(), e.data.values.end());
  CHECK(*lo >= -2.0f);
  CHECK(*lo < -1.9f);  // black pixels exist
  CHECK(*hi <= 2.0f);

  setup.normalize = "none";
  e = prepare_evaluation(setup, false);
  CHECK(e.calib.size() == 0);
  CHECK_FALSE(e.normalization.has_value());
  CHECK_FALSE(e.scaling_unstated);  // "none" states it
  setup.normalize = "0.5";
  CHECK_THROWS_WITH_AS(prepare_evaluation(setup, false),
                       doctest::Contains("--normalize: expected MEAN,STD or none"), UserError);
  setup.normalize = "";
  setup.labels = "y.npy";
  CHECK_THROWS_WITH_AS(prepare_evaluation(setup, false),
                       doctest::Contains("--labels goes with a .npy data set"), UserError);
}
