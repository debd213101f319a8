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

enum class Dataflow { kWeightStationary, kOutputStationary, kInputStationary };
std::string dataflow_name(Dataflow d);  // "ws", "os", "is"
// The parsers take the exact lower-case names and return nullopt for anything else, so callers
// can name the key and list *_names() in their message.
std::optional<Dataflow> parse_dataflow(std::string_view name);
std::vector<std::string> dataflow_names();

// The design of the MAC unit in each PE; it decides how energy and area depend on the formats.
enum class MacUnitKind {
  kFixed,        // one datapath at one precision (e.g. an int8 x int8 MAC)
  kFusion,       // precision-scalable integer unit in the style of Bit Fusion: 2-bit bricks fused
  kMultiFormat,  // separate integer and floating-point datapaths sharing the accumulator
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
};

struct MacUnitSpec {
  MacUnitKind kind = MacUnitKind::kFixed;
  std::vector<FormatPair> pairs;                // at least one
  Format accumulator = Format::parse("int32");  // int32, int24, fp32, fp16, ...
  // When a layer asks for a pair the unit lacks: run it on the cheapest supported pair whose
  // formats are at least as wide (true), or report an error naming the supported pairs (false).
  bool fallback_to_wider = false;
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

struct TechnologySpec {
  int node_nm = 45;
  double vdd_v = 0;  // 0 = the node's nominal supply
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

}  // namespace mpsim
