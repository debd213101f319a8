// A hardware description as plain data: what `mpsim` reads from a TOML config (configs/hw/) or a
// SCALE-Sim .cfg, after defaults and --set overrides. Units are in the field names. No TOML type
// appears here; the models in this folder are configured from this struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"

namespace mpsim {

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary, kRowStationary };
std::string dataflow_name(Dataflow d);  // "ws", "os", "is", "rs"
// The parsers take the exact lower-case names and return nullopt for anything else, so callers
// can name the key and list *_names() in their message.
std::optional<Dataflow> parse_dataflow(std::string_view name);
std::vector<std::string> dataflow_names();

// The design of the MAC unit in each PE; it decides how energy and area depend on the formats.
enum class MacUnitKind {
  kFixed,        // one datapath at one precision (e.g. an int8 x int8 MAC)
  kFusion,       // precision-scalable integer unit in the style of Bit Fusion: 2-bit bricks fused
  kMultiFormat,  // separate integer and floating-point datapaths sharing the accumulator
  kBitSerial,  // integer unit taking `serial_bits` bits of the weight (or of both operands) a cycle
};
std::string mac_unit_kind_name(MacUnitKind k);  // "fixed", "fusion", "multiformat"
std::optional<MacUnitKind> parse_mac_unit_kind(std::string_view name);
std::vector<std::string> mac_unit_kind_names();

// A (weight, activation) format pair the array runs natively, and how many such products one
// PE completes per cycle (all summed into the PE's accumulator along the reduction axis).
struct FormatPair {
  Format weight = Format::parse("int8");
  Format activation = Format::parse("int8");
  int products_per_cycle = 1;
  // This pair's own accumulator (a multi-format unit may keep an int32 integer path beside an
  // fp32 floating-point path); unset = the unit's accumulator.
  std::optional<Format> accumulator;
};

// What a config means by an accumulator narrower than its pairs need (docs/costmodel.md,
// "Accumulators"): an error, or a unit that rounds each product into it and pays for that.
enum class NarrowAccumulator { kError, kRound };
std::string narrow_accumulator_name(NarrowAccumulator n);  // "error", "round"
std::optional<NarrowAccumulator> parse_narrow_accumulator(std::string_view name);
std::vector<std::string> narrow_accumulator_names();

struct MacUnitSpec {
  MacUnitKind kind = MacUnitKind::kFixed;
  std::vector<FormatPair> pairs;                // at least one
  Format accumulator = Format::parse("int32");  // int32, int24, fp32, fp16, ...
  // When a layer asks for a pair the unit lacks: run it on the cheapest supported pair whose
  // formats are at least as wide (true), or report an error naming the supported pairs (false).
  bool fallback_to_wider = false;
  // The accumulator of every pair must sum this many products without loss (an integer or
  // fixed-point accumulator) or hold every product exactly without overflowing over this many
  // (a float accumulator); Dotzel et al. (ICML 2024) size theirs for 256.
  std::int64_t lossless_sum = 256;
  NarrowAccumulator narrow_accumulator = NarrowAccumulator::kError;
  // Bit-serial units (kind = "bitserial"): bits of the serial operand(s) consumed per cycle, and
  // whether only the weight is serial (Stripes/UNPU style: cycles = ceil(b_w / n)) or both
  // operands (Loom style: cycles = ceil(b_w / n) * ceil(b_a / n)).
  int serial_bits = 1;
  bool serial_both = false;

  // The accumulator `pair` sums into.
  const Format& accumulator_of(const FormatPair& pair) const {
    return pair.accumulator ? *pair.accumulator : accumulator;
  }
};

struct ArraySpec {
  int rows = 16;
  int cols = 16;
  Dataflow dataflow = Dataflow::kWeightStationary;
  double clock_mhz = 500.0;
  MacUnitSpec mac;
};

// Which tensors a memory holds.
enum class Operand { kWeight, kInput, kOutput };
std::string operand_name(Operand o);  // "weight", "input", "output"
std::optional<Operand> parse_operand(std::string_view name);
std::vector<std::string> operand_names();

// A register file inside every PE.
struct RegisterFileSpec {
  std::string name;  // e.g. "weight_rf"
  std::vector<Operand> holds;
  std::int64_t entries = 1;  // words
  int word_bits = 16;
};

// An on-chip SRAM buffer shared by the array.
struct BufferSpec {
  std::string name;  // e.g. "global_buffer"
  std::vector<Operand> holds;
  std::int64_t capacity_bytes = 0;
  int width_bits = 64;  // bits per access (port width)
  int banks = 1;
  // Banks placed beside the PEs that use them (per-PE buffers): an access stays inside its bank;
  // otherwise it crosses the array on global wires to reach a bank.
  bool distributed = false;
};

enum class DramKind { kLPDDR4, kLPDDR5, kDDR4, kHBM2, kHBM3, kIdeal };
std::string dram_kind_name(DramKind k);  // "lpddr4", ..., "ideal"
std::optional<DramKind> parse_dram_kind(std::string_view name);
std::vector<std::string> dram_kind_names();

struct DramSpec {
  DramKind kind = DramKind::kLPDDR4;
  double bandwidth_gbytes_per_s = 0;  // 0 = the kind's default
  double energy_pj_per_bit = 0;       // 0 = the kind's default
  double latency_ns = 0;              // 0 = the kind's default
};

// The transistor flavour of logic and SRAM alike, as CACTI names ITRS's devices: high
// performance, low operating power, low standby power. It sets leakage (docs/costmodel.md).
enum class Device { kHighPerformance, kLowOperatingPower, kLowStandbyPower };
std::string device_name(Device d);  // "hp", "lop", "lstp"
std::optional<Device> parse_device(std::string_view name);
std::vector<std::string> device_names();

struct TechnologySpec {
  int node_nm = 45;
  double vdd_v = 0;  // 0 = the node's nominal supply
  Device device = Device::kHighPerformance;
  double temperature_k = 360;  // junction temperature, 300..360 K (CACTI's measured range here)
  // Buffers gate their unused banks: a layer's buffer leakage counts the banks it fills.
  bool power_gating = false;
};

struct HardwareSpec {
  std::string name;
  std::string description;
  std::string source;  // the file it was read from
  ArraySpec array;
  std::vector<RegisterFileSpec> register_files;
  std::vector<BufferSpec> buffers;
  DramSpec dram;
  TechnologySpec technology;
  // Ideal memory (SCALE-Sim's CALC mode): unlimited bandwidth, no stalls; energy still counted.
  bool ideal_memory() const { return dram.kind == DramKind::kIdeal; }
};

// Reads a TOML hardware config (format: docs/hardware.md) or a SCALE-Sim .cfg (by extension),
// then applies `overrides` ("array.rows=32", dotted key paths, values in TOML syntax). Unknown
// keys and wrong types are UserErrors naming the file, line and key (or the --set argument).
HardwareSpec load_hardware(const std::string& path, const std::vector<std::string>& overrides = {});
HardwareSpec parse_hardware_toml(const std::string& text, const std::string& source,
                                 const std::vector<std::string>& overrides = {});
HardwareSpec parse_scalesim_config(const std::string& text, const std::string& source,
                                   const std::vector<std::string>& overrides = {});

// A bundled config by name (configs/hw/NAME.toml) or a path.
HardwareSpec load_hardware_by_name(const std::string& name_or_path,
                                   const std::vector<std::string>& overrides = {});
std::vector<std::string> bundled_hardware_names();

// Every key of a hardware config as a markdown table (key, type, unit, default, range,
// description), printed from the schema the reader checks files against; docs/hardware.md
// holds it verbatim (`mpsim hw keys`).
std::string hardware_keys_markdown();

}  // namespace mpsim
