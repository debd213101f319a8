// The closed-form layer model: SCALE-Sim's cycle counts, traffic by format, the bandwidth bound,
// clustered weights, requantization and format pairs.
#include <doctest/doctest.h>

#include <cmath>

#include "costmodel/layer_cost.h"
#include "formats/error.h"
#include "workloads/importers.h"
#include "workloads/network_io.h"

using namespace mpsim;

namespace {

FormatPair pair(const char* w, const char* a, int per_cycle) {
  return {Format::parse(w), Format::parse(a), per_cycle, std::nullopt};
}

HardwareSpec array_spec(int rows, int cols, Dataflow df, DramKind dram = DramKind::kIdeal) {
  HardwareSpec s;
  s.name = "test";
  s.array.rows = rows;
  s.array.cols = cols;
  s.array.dataflow = df;
  s.array.clock_mhz = 1000;
  s.array.mac.kind = MacUnitKind::kFusion;
  s.array.mac.pairs = {pair("int8", "int8", 1), pair("int4", "int8", 2), pair("int4", "int4", 4),
                       pair("int2", "int2", 16)};
  s.register_files = {{"weight_rf", {Operand::kWeight}, 16, 16},
                      {"input_rf", {Operand::kInput}, 16, 16},
                      {"psum_rf", {Operand::kOutput}, 16, 32}};
  s.buffers = {{"ifmap", {Operand::kInput}, 64 * 1024, 64, 1},
               {"filter", {Operand::kWeight}, 64 * 1024, 64, 1},
               {"ofmap", {Operand::kOutput}, 64 * 1024, 64, 1}};
  s.dram.kind = dram;
  s.technology.node_nm = 45;
  return s;
}

// AlexNet conv1 as SCALE-Sim describes it (ifmap already padded to 227 x 227).
Network alexnet_conv1() {
  return parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nConv1, 227, 227, 11, 11, 3, 96, 4,\n",
      "alexnet.csv");
}

LayerPrecision prec(const char* w, const char* a) {
  LayerPrecision p;
  p.weight = Format::parse(w);
  p.activation = Format::parse(a);
  return p;
}

}  // namespace

TEST_CASE("layer cost: SCALE-Sim v2's golden AlexNet conv1 on a 32x32 weight-stationary array") {
  const Network net = alexnet_conv1();
  const Layer& l = net.layer(*net.find("Conv1"));
  const HardwareModel hw(array_spec(32, 32, Dataflow::kWeightStationary));
  const auto c = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
  // SCALE-Sim reports 112,283: the index of the last cycle, one less than the count.
  CHECK(c.total_cycles == 112283 + 1);
  CHECK(c.folds == 12 * 3);
  CHECK(c.compute_cycles == 36 * 3025);
  CHECK(c.fill_drain_cycles == 36 * (2 * 32 + 32 - 2));
  CHECK(c.stall_cycles == 0);
  CHECK(c.utilization == doctest::Approx(105415200.0 / (112284.0 * 1024)));
}

TEST_CASE("layer cost: fold model of each dataflow follows SCALE-Sim's table") {
  // m = 100 output pixels, n = 20 filters, k = 50 window, on 8 x 4.
  const auto ws = fold_model(Dataflow::kWeightStationary, 8, 4, 100, 20, 50);
  CHECK(ws.row_folds == 7);
  CHECK(ws.col_folds == 5);
  CHECK(ws.cycles() == 35 * (2 * 8 + 4 + 100 - 2));
  const auto os = fold_model(Dataflow::kOutputStationary, 8, 4, 100, 20, 50);
  CHECK(os.row_folds == 13);
  CHECK(os.col_folds == 5);
  CHECK(os.cycles() == 65 * (8 + 4 + 50 - 2));
  const auto is = fold_model(Dataflow::kInputStationary, 8, 4, 100, 20, 50);
  CHECK(is.row_folds == 7);
  CHECK(is.col_folds == 25);
  CHECK(is.cycles() == 175 * (2 * 8 + 4 + 20 - 2));
}

TEST_CASE("layer cost: products per cycle pack the reduction - lower precision runs faster") {
  const Network net = alexnet_conv1();
  const Layer& l = net.layer(*net.find("Conv1"));
  const HardwareModel hw(array_spec(32, 32, Dataflow::kWeightStationary));
  const auto c8 = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
  const auto c4 = layer_cost(l, prec("int4", "int4"), hw, Format::parse("int4"));
  const auto c2 = layer_cost(l, prec("int2", "int2"), hw, Format::parse("int2"));
  CHECK(c4.products_per_cycle == 4);
  CHECK(c4.total_cycles == fold_model(Dataflow::kWeightStationary, 32, 32, 3025, 96, 91).cycles());
  CHECK(c2.total_cycles < c4.total_cycles);
  CHECK(c4.total_cycles < c8.total_cycles);
  CHECK(c8.macs == c4.macs);
  CHECK(c4.bops * 4 == c8.bops);
}

TEST_CASE("layer cost: halving weight bits halves weight traffic at every level") {
  const Network net = load_workload("resnet18");
  const Layer& l = net.layer(*net.find("layer3.0.conv2"));
  const HardwareModel hw(array_spec(16, 16, Dataflow::kWeightStationary, DramKind::kLPDDR4));
  const auto c8 = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
  const auto c4 = layer_cost(l, prec("int4", "int8"), hw, Format::parse("int8"));
  const auto& w8 = c8.traffic[static_cast<int>(Operand::kWeight)];
  const auto& w4 = c4.traffic[static_cast<int>(Operand::kWeight)];
  CHECK(w4.dram_bits * 2 == doctest::Approx(w8.dram_bits));
  CHECK(w4.buffer_read_bits * 2 == doctest::Approx(w8.buffer_read_bits));
  CHECK(w8.dram_bits == doctest::Approx(static_cast<double>(l.weight_count) * 8));
  // Activations are untouched.
  CHECK(c4.traffic[static_cast<int>(Operand::kInput)].dram_bits ==
        doctest::Approx(c8.traffic[static_cast<int>(Operand::kInput)].dram_bits));
  // MX formats carry their shared scale: 4.25 bits per element.
  const auto mx =
      layer_cost(l, prec("mxfp4_e2m1", "int8"), HardwareModel([] {
                   auto s = array_spec(16, 16, Dataflow::kWeightStationary, DramKind::kLPDDR4);
                   s.array.mac.kind = MacUnitKind::kMultiFormat;
                   s.array.mac.pairs = {pair("mxfp4_e2m1", "int8", 1)};
                   s.array.mac.accumulator = Format::parse("fp32");
                   return s;
                 }()),
                 Format::parse("int8"));
  CHECK(mx.traffic[0].dram_bits == doctest::Approx(static_cast<double>(l.weight_count) * 4.25));
}

TEST_CASE("layer cost: a layer turns memory-bound as bandwidth shrinks") {
  const Network net = load_workload("resnet18");
  const Layer& l = net.layer(*net.find("fc"));
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary, DramKind::kLPDDR4);
  spec.dram.latency_ns = 1;
  double previous_stall = -1;
  bool became_bound = false;
  for (double gbps : {1000.0, 100.0, 10.0, 1.0}) {
    spec.dram.bandwidth_gbytes_per_s = gbps;
    const HardwareModel hw(spec);
    const auto c = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
    const double traffic = c.traffic[0].dram_bits + c.traffic[1].dram_bits + c.traffic[2].dram_bits;
    const double traffic_cycles = traffic / hw.dram_bits_per_cycle();
    CHECK(c.total_cycles >= c.compute_cycles + c.fill_drain_cycles);
    CHECK(static_cast<double>(c.total_cycles) >= traffic_cycles);
    CHECK(static_cast<double>(c.stall_cycles) >= previous_stall);
    previous_stall = static_cast<double>(c.stall_cycles);
    if (c.stall_cycles > 0) became_bound = true;
  }
  CHECK(became_bound);
  // Ideal memory never stalls.
  const HardwareModel ideal(array_spec(16, 16, Dataflow::kWeightStationary));
  const auto c = layer_cost(l, prec("int8", "int8"), ideal, Format::parse("int8"));
  CHECK(c.stall_cycles == 0);
}

TEST_CASE("layer cost: clustered ternary weights replace 1 - 1/(N kh kw) of the multiplications") {
  const Network net = load_workload("resnet18");
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary);
  spec.array.mac.pairs.push_back(pair("ternary", "int8", 1));
  const HardwareModel hw(spec);
  LayerPrecision p = prec("ternary", "int8");
  p.granularity = Granularity::kCluster;
  p.cluster_size = 4;
  const auto c3 = layer_cost(net.layer(*net.find("layer1.0.conv1")), p, hw, Format::parse("int8"));
  CHECK(c3.multiplications_replaced == doctest::Approx(1.0 - 1.0 / 36));
  const auto c1 =
      layer_cost(net.layer(*net.find("layer2.0.downsample.0")), p, hw, Format::parse("int8"));
  CHECK(c1.multiplications_replaced == doctest::Approx(0.75));
  p.cluster_size = 64;
  const auto c64 =
      layer_cost(net.layer(*net.find("layer2.0.downsample.0")), p, hw, Format::parse("int8"));
  CHECK(c64.multiplications_replaced == doctest::Approx(1.0 - 1.0 / 64));
  CHECK(c64.energy.mac_pj < c1.energy.mac_pj);  // fewer scale multiplies
  // Clusters of N weights along the reduction axis: one scale per N products, window or not.
  p.cluster_size = 4;
  p.cluster_unit = ClusterUnit::kWeights;
  const auto w3 = layer_cost(net.layer(*net.find("layer1.0.conv1")), p, hw, Format::parse("int8"));
  CHECK(w3.multiplications_replaced == doctest::Approx(0.75));
  CHECK(w3.energy.mac_pj > c3.energy.mac_pj);  // 9 times more scale multiplies than N filters
  // Per-channel ternary replaces nothing.
  const auto pc = layer_cost(net.layer(*net.find("layer1.0.conv1")), prec("ternary", "int8"), hw,
                             Format::parse("int8"));
  CHECK(pc.multiplications_replaced == 0);
}

TEST_CASE("layer cost: a format change between layers costs one requantization per output") {
  const Network net = load_workload("resnet18");
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary);
  spec.buffers[2].capacity_bytes = 16 << 20;  // partial sums never spill here
  const HardwareModel hw(spec);
  const Layer& l = net.layer(*net.find("layer1.0.conv1"));
  const auto same = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
  const auto change = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int4"));
  CHECK(same.requantizations == 0);
  CHECK(same.energy.requantization_pj == 0);
  CHECK(change.requantizations == l.output_elements);
  CHECK(change.energy.requantization_pj > 0);
  // Output traffic follows the stored format.
  CHECK(change.traffic[2].dram_bits * 2 == doctest::Approx(same.traffic[2].dram_bits));
}

TEST_CASE("layer cost: unsupported pairs are errors unless the config falls back to a wider one") {
  const Network net = load_workload("resnet18");
  const Layer& l = net.layer(*net.find("fc"));
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary);
  spec.array.mac.pairs = {pair("int8", "int8", 1), pair("int16", "int16", 1)};
  CHECK_THROWS_WITH_AS(
      layer_cost(l, prec("int4", "int8"), HardwareModel(spec), Format::parse("int8")),
      doctest::Contains("supports int8 x int8 (1/cycle), int16 x int16 (1/cycle)"), UserError);
  spec.array.mac.fallback_to_wider = true;
  const HardwareModel hw(spec);
  const auto c = layer_cost(l, prec("int4", "int8"), hw, Format::parse("int8"));
  CHECK(hw.pairs()[static_cast<std::size_t>(c.pair_index)].pair.weight.name() == "int8");
  // Traffic stays at the layer's own formats.
  CHECK(c.traffic[0].dram_bits == doctest::Approx(static_cast<double>(l.weight_count) * 4));
  CHECK_THROWS_AS(layer_cost(l, prec("fp8_e4m3", "int32"), hw, Format::parse("int8")), UserError);
}

TEST_CASE("network cost: totals are the sums of the layers - energy components add up") {
  const Network net = load_workload("resnet18");
  const HardwareModel hw(array_spec(16, 16, Dataflow::kWeightStationary, DramKind::kLPDDR4));
  const auto map = uniform_precision_map(net, prec("int8", "int8"));
  const auto nc = network_cost(net, map, hw);
  REQUIRE(nc.layers.size() == 21);
  std::int64_t cycles = 0;
  double energy = 0;
  for (const auto& c : nc.layers) {
    cycles += c.total_cycles;
    energy += c.energy.total_pj();
    CHECK(c.energy.mac_pj > 0);
    CHECK(c.utilization > 0);
    CHECK(c.utilization <= 1.0);
  }
  CHECK(nc.total.total_cycles == cycles);
  CHECK(nc.total.energy.total_pj() == doctest::Approx(energy));
  CHECK(nc.total.macs == net.total_macs());
  CHECK(nc.area_mm2 > 0);
}

TEST_CASE("layer cost: a map's accumulator changes MAC, partial-sum and requantization energy") {
  const Network net = load_workload("resnet18");
  const HardwareModel hw(array_spec(16, 16, Dataflow::kWeightStationary));
  const Layer& l = net.layer(*net.find("layer1.0.conv1"));
  LayerPrecision wide = prec("int8", "int8");
  LayerPrecision narrow = wide;
  narrow.accumulator = Format::parse("int24");
  const auto c32 = layer_cost(l, wide, hw, Format::parse("int4"));
  const auto c24 = layer_cost(l, narrow, hw, Format::parse("int4"));
  CHECK(c24.energy.mac_pj < c32.energy.mac_pj);
  CHECK(c24.energy.requantization_pj < c32.energy.requantization_pj);
  CHECK(c24.traffic[2].buffer_write_bits < c32.traffic[2].buffer_write_bits);
  // The MAC energy is the unit's with the map's accumulator in place of the pair's.
  FormatPair p = hw.pairs().front().pair;
  p.accumulator = Format::parse("int24");
  CHECK(c24.energy.mac_pj == doctest::Approx(static_cast<double>(l.macs) *
                                             mac_energy_pj(hw.spec().array.mac, p, hw.scale())));
}

TEST_CASE("layer cost: power gating leaves only the banks a layer fills leaking") {
  const Network net = load_workload("resnet18");
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary, DramKind::kLPDDR4);
  for (auto& b : spec.buffers)
    b.banks = 8, b.capacity_bytes = 1 << 20;
  const HardwareModel on(spec);
  spec.technology.power_gating = true;
  const HardwareModel gated(spec);
  const Layer& small = net.layer(*net.find("layer1.0.conv1"));  // 37 KiB of weights
  const auto a = layer_cost(small, prec("int8", "int8"), on, Format::parse("int8"));
  const auto b = layer_cost(small, prec("int8", "int8"), gated, Format::parse("int8"));
  CHECK(b.total_cycles == a.total_cycles);
  CHECK(b.energy.leakage_pj < a.energy.leakage_pj);
  CHECK(b.energy.leakage_pj > 0);  // MAC units and register files never gate
  CHECK(b.energy.total_pj() - b.energy.leakage_pj ==
        doctest::Approx(a.energy.total_pj() - a.energy.leakage_pj));
}

TEST_CASE("layer cost: a bit-serial array takes ceil(b_w / n) cycles per step") {
  const Network net = load_workload("resnet18");
  auto spec = array_spec(16, 16, Dataflow::kWeightStationary);
  spec.array.mac.kind = MacUnitKind::kBitSerial;
  spec.array.mac.serial_bits = 1;
  spec.array.mac.pairs = {pair("int8", "int8", 1), pair("int4", "int8", 1)};
  const HardwareModel hw(spec);
  const Layer& l = net.layer(*net.find("layer1.0.conv1"));
  const auto c8 = layer_cost(l, prec("int8", "int8"), hw, Format::parse("int8"));
  const auto c4 = layer_cost(l, prec("int4", "int8"), hw, Format::parse("int8"));
  const auto& g = l.gemm;
  const auto folds = fold_model(Dataflow::kWeightStationary, 16, 16, g.m, g.n, g.k);
  CHECK(c8.total_cycles == 8 * folds.cycles());
  CHECK(c4.total_cycles == 4 * folds.cycles());
  CHECK(c8.cycles_per_product == 8);
  CHECK(c8.utilization == doctest::Approx(c4.utilization));
  CHECK(c4.energy.mac_pj < c8.energy.mac_pj);
}
