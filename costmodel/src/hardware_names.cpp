// The names of the hardware enums, as written in configs and printed by `mpsim hw show`. One
// table per enum serves the name, the parser and the list, so they cannot disagree.
#include <array>
#include <utility>

#include "costmodel/hardware.h"
#include "formats/name_table.h"

namespace mpsim {

namespace {

constexpr NameTable<Dataflow, 4> kDataflows = {{
    {Dataflow::kWeightStationary, "ws"},
    {Dataflow::kOutputStationary, "os"},
    {Dataflow::kInputStationary, "is"},
    {Dataflow::kRowStationary, "rs"},
}};

constexpr NameTable<MacUnitKind, 4> kMacUnitKinds = {{
    {MacUnitKind::kFixed, "fixed"},
    {MacUnitKind::kFusion, "fusion"},
    {MacUnitKind::kMultiFormat, "multiformat"},
    {MacUnitKind::kBitSerial, "bitserial"},
}};

constexpr NameTable<NarrowAccumulator, 2> kNarrowAccumulators = {{
    {NarrowAccumulator::kError, "error"},
    {NarrowAccumulator::kRound, "round"},
}};

constexpr NameTable<Device, 3> kDevices = {{
    {Device::kHighPerformance, "hp"},
    {Device::kLowOperatingPower, "lop"},
    {Device::kLowStandbyPower, "lstp"},
}};

constexpr NameTable<Operand, 3> kOperands = {{
    {Operand::kWeight, "weight"},
    {Operand::kInput, "input"},
    {Operand::kOutput, "output"},
}};

constexpr NameTable<DramKind, 6> kDramKinds = {{
    {DramKind::kLPDDR4, "lpddr4"},
    {DramKind::kLPDDR5, "lpddr5"},
    {DramKind::kDDR4, "ddr4"},
    {DramKind::kHBM2, "hbm2"},
    {DramKind::kHBM3, "hbm3"},
    {DramKind::kIdeal, "ideal"},
}};

}  // namespace

std::string dataflow_name(Dataflow d) {
  return name_of(kDataflows, d);
}
std::optional<Dataflow> parse_dataflow(std::string_view name) {
  return parse_in(kDataflows, name);
}
std::vector<std::string> dataflow_names() {
  return names_in(kDataflows);
}

std::string mac_unit_kind_name(MacUnitKind k) {
  return name_of(kMacUnitKinds, k);
}
std::optional<MacUnitKind> parse_mac_unit_kind(std::string_view name) {
  return parse_in(kMacUnitKinds, name);
}
std::vector<std::string> mac_unit_kind_names() {
  return names_in(kMacUnitKinds);
}

std::string narrow_accumulator_name(NarrowAccumulator n) {
  return name_of(kNarrowAccumulators, n);
}
std::optional<NarrowAccumulator> parse_narrow_accumulator(std::string_view name) {
  return parse_in(kNarrowAccumulators, name);
}
std::vector<std::string> narrow_accumulator_names() {
  return names_in(kNarrowAccumulators);
}

std::string device_name(Device d) {
  return name_of(kDevices, d);
}
std::optional<Device> parse_device(std::string_view name) {
  return parse_in(kDevices, name);
}
std::vector<std::string> device_names() {
  return names_in(kDevices);
}

std::string operand_name(Operand o) {
  return name_of(kOperands, o);
}
std::optional<Operand> parse_operand(std::string_view name) {
  return parse_in(kOperands, name);
}
std::vector<std::string> operand_names() {
  return names_in(kOperands);
}

std::string dram_kind_name(DramKind k) {
  return name_of(kDramKinds, k);
}
std::optional<DramKind> parse_dram_kind(std::string_view name) {
  return parse_in(kDramKinds, name);
}
std::vector<std::string> dram_kind_names() {
  return names_in(kDramKinds);
}

}  // namespace mpsim
