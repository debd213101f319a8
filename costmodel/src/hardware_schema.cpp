// The hardware config schema: each key's type, default, range, unit and meaning, declared once.
// The defaults are those of the structs in costmodel/hardware.h (tests/costmodel/
// test_hardware_keys.cpp checks that writing a default changes nothing).
#include "costmodel/src/hardware_schema.h"

#include "costmodel/hardware.h"

namespace mpsim::hwcfg {

namespace {

using T = ValueType;

std::vector<std::string> serial_names() {
  return {"weight", "both"};
}

}  // namespace

const TableSchema& root_schema() {
  // Built once on first use, leaves first, so the pointers between tables are stable.
  static const TableSchema pair{
      "[[array.mac.pairs]]",
      {{.key = "weight", .type = T::kFormat, .required = true, .description = "weight format"},
       {.key = "activation",
        .type = T::kFormat,
        .required = true,
        .description = "activation format"},
       {.key = "per_cycle",
        .type = T::kInteger,
        .default_value = "1",
        .min = 1,
        .max = 4096,
        .unit = "products per PE per cycle",
        .description = "throughput of the pair (1 on a bit-serial unit)"},
       {.key = "accumulator",
        .type = T::kFormat,
        .default_note = "the unit's",
        .description = "this pair's own accumulator (an int32 integer path beside an fp32 float "
                       "path); a fusion unit's pairs share the unit's"}}};
  static const TableSchema mac{
      "[array.mac]",
      {{.key = "kind",
        .type = T::kChoice,
        .default_value = "\"fixed\"",
        .choices = mac_unit_kind_names,
        .noun = "MAC unit kind",
        .description = "`fixed`: one datapath at one precision; `fusion`: precision-scalable "
                       "integer unit in the style of Bit Fusion; `multiformat`: separate integer, "
                       "floating-point and select datapaths (sub-word parallel when narrower "
                       "pairs pack several per cycle); `bitserial`: an integer unit taking "
                       "`serial_bits` bits of the weight (or of both operands) per cycle"},
       {.key = "accumulator",
        .type = T::kFormat,
        .default_value = "\"int32\"",
        .description = "the accumulator's format: a signed integer or float format (`int32`, "
                       "`int24`, `fp32`, ...)"},
       {.key = "fallback_to_wider",
        .type = T::kBoolean,
        .default_value = "false",
        .description = "a layer whose pair the unit lacks runs on the cheapest supported pair "
                       "whose formats are at least as wide (`true`) or is an error naming the "
                       "supported pairs (`false`)"},
       {.key = "lossless_sum",
        .type = T::kInteger,
        .default_value = "256",
        .min = 1,
        .max = 1099511627776.0,  // 2^40
        .unit = "products",
        .description = "every pair's accumulator must sum this many products without loss "
                       "(integer) or hold every product exactly without overflowing over this "
                       "many (float); docs/costmodel.md, \"Accumulators\""},
       {.key = "narrow_accumulator",
        .type = T::kChoice,
        .default_value = "\"error\"",
        .choices = narrow_accumulator_names,
        .noun = "narrow-accumulator policy",
        .description = "a narrower accumulator is an `error` naming the pair and the bits it "
                       "needs, or the unit `round`s into it and pays for that"},
       {.key = "serial_bits",
        .type = T::kInteger,
        .default_value = "1",
        .min = 1,
        .max = 16,
        .unit = "bits",
        .description = "bitserial only: bits of the serial operand(s) per cycle"},
       {.key = "serial",
        .type = T::kChoice,
        .default_value = "\"weight\"",
        .choices = serial_names,
        .noun = "serial operand choice",
        .description = "bitserial only: `weight` (cycles = ceil(b_w / n)) or `both` (x ceil(b_a "
                       "/ n))"},
       {.key = "pairs",
        .type = T::kTables,
        .default_note = "one `int8` x `int8` pair at 1 per cycle",
        .description = "the pairs the unit runs natively (`[[array.mac.pairs]]`); excludes "
                       "`formats`",
        .table = &pair,
        .replaces = {"formats", "max_bits"}},
       {.key = "formats",
        .type = T::kFormats,
        .default_note = "see `pairs`",
        .description = "compact form: every (weight, activation) pair of these formats",
        .replaces = {"pairs"}},
       {.key = "max_bits",
        .type = T::kInteger,
        .default_note = "the widest of `formats`, rounded up to a power of two",
        .min = 2,
        .max = 64,
        .unit = "bits",
        .description = "fusion units only, a power of two: the widest operand the unit "
                       "multiplies in one cycle",
        .replaces = {"pairs"}}}};
  static const TableSchema array{
      "[array]",
      {{.key = "rows",
        .type = T::kInteger,
        .default_value = "16",
        .min = 1,
        .max = 65536,
        .unit = "PEs",
        .description = "rows of the PE array"},
       {.key = "cols",
        .type = T::kInteger,
        .default_value = "16",
        .min = 1,
        .max = 65536,
        .unit = "PEs",
        .description = "columns of the PE array"},
       {.key = "dataflow",
        .type = T::kChoice,
        .default_value = "\"ws\"",
        .choices = dataflow_names,
        .noun = "dataflow",
        .description = "`ws` weight-, `os` output-, `is` input-stationary (SCALE-Sim's systolic "
                       "arrays), `rs` row-stationary (Eyeriss; docs/layer-model.md, "
                       "\"Dataflows\")"},
       // From 1 kHz: below, every latency and leakage figure runs off to infinity.
       {.key = "clock_mhz",
        .type = T::kNumber,
        .default_value = "500",
        .min = 0.001,
        .max = 100000,
        .unit = "MHz",
        .description = "array clock"},
       {.key = "mac",
        .type = T::kTable,
        .description = "the MAC unit in every PE",
        .table = &mac}}};
  static const TableSchema register_file{
      "[[register_file]]",
      {{.key = "name",
        .type = T::kString,
        .required = true,
        .description = "unique among register files and buffers; letters, digits, `_`, `-`, not "
                       "all digits"},
       {.key = "holds",
        .type = T::kChoices,
        .required = true,
        .choices = operand_names,
        .noun = "operand",
        .description = "the operands it keeps"},
       {.key = "entries",
        .type = T::kInteger,
        .default_value = "1",
        .min = 1,
        .max = 1 << 20,
        .unit = "words",
        .description = "words in each PE's register file"},
       {.key = "word_bits",
        .type = T::kInteger,
        .default_value = "16",
        .min = 1,
        .max = 4096,
        .unit = "bits",
        .description = "bits per word (one word per access)"}}};
  static const TableSchema buffer{
      "[[buffer]]",
      {{.key = "name",
        .type = T::kString,
        .required = true,
        .description = "as for register files"},
       {.key = "holds",
        .type = T::kChoices,
        .required = true,
        .choices = operand_names,
        .noun = "operand",
        .description = "the operands it keeps"},
       {.key = "capacity_kib",
        .type = T::kNumber,
        .default_note = "required, or `capacity_bytes`",
        .min = 0,
        .max = 1 << 30,
        .min_exclusive = true,
        .unit = "KiB (1024 bytes)",
        .description = "capacity; must come to whole bytes",
        .replaces = {"capacity_bytes"}},
       {.key = "capacity_bytes",
        .type = T::kInteger,
        .default_note = "required, or `capacity_kib`",
        .min = 1,
        .max = 1099511627776.0,  // 2^40
        .unit = "bytes",
        .description = "capacity (give one of the two)",
        .replaces = {"capacity_kib"}},
       {.key = "width_bits",
        .type = T::kInteger,
        .default_value = "64",
        .min = 1,
        .max = 65536,
        .unit = "bits",
        .description = "bits per access (the port width)"},
       {.key = "banks",
        .type = T::kInteger,
        .default_value = "1",
        .min = 1,
        .max = 4096,
        .description = "banks; an access touches one and crosses the array on global wires to "
                       "reach it"},
       {.key = "distributed",
        .type = T::kBoolean,
        .default_value = "false",
        .description = "the banks sit beside the PEs that use them (per-PE buffers): no wires "
                       "across the array"}}};
  static const TableSchema dram{
      "[dram]",
      {{.key = "kind",
        .type = T::kChoice,
        .default_value = "\"lpddr4\"",
        .choices = dram_kind_names,
        .noun = "DRAM kind",
        .description = "the memory technology; `ideal` has unlimited bandwidth and never stalls "
                       "(SCALE-Sim's CALC mode), its energy still counted"},
       {.key = "bandwidth_gbytes_per_s",
        .type = T::kNumber,
        .default_value = "0",
        .default_note = "the kind's",
        .min = 0,
        .max = 1e6,
        .unit = "GB/s (10^9 bytes/s)",
        .description = "sustained bandwidth, 0 for the kind's; must stay 0 for `ideal` "
                       "(unlimited)"},
       {.key = "energy_pj_per_bit",
        .type = T::kNumber,
        .default_value = "0",
        .default_note = "the kind's",
        .min = 0,
        .max = 1e4,
        .unit = "pJ per bit",
        .description = "access energy, 0 for the kind's"},
       {.key = "latency_ns",
        .type = T::kNumber,
        .default_value = "0",
        .default_note = "the kind's",
        .min = 0,
        .max = 1e6,
        .unit = "ns",
        .description = "access latency, 0 for the kind's"}}};
  static const TableSchema technology{
      "[technology]",
      {{.key = "node_nm",
        .type = T::kInteger,
        .default_value = "45",
        .min = 1,
        .max = 1000,
        .unit = "nm",
        .description = "process node: 130, 90, 65, 45, 32, 28, 22, 20, 16, 14, 10, 7 or 5"},
       {.key = "vdd_v",
        .type = T::kNumber,
        .default_value = "0",
        .default_note = "the node's nominal supply",
        .min = 0,
        .max = 5,
        .unit = "V",
        .description = "core supply, 0 for the node's nominal; the technology model bounds it "
                       "per node"},
       {.key = "device",
        .type = T::kChoice,
        .default_value = "\"hp\"",
        .choices = device_names,
        .noun = "device",
        .description = "the transistors of logic and SRAM alike: `hp` high performance, `lop` "
                       "low operating power, `lstp` low standby power (CACTI's ITRS devices); "
                       "sets leakage"},
       {.key = "temperature_k",
        .type = T::kNumber,
        .default_value = "360",
        .min = 300,
        .max = 360,
        .unit = "K",
        .description = "junction temperature; sets leakage"},
       {.key = "power_gating",
        .type = T::kBoolean,
        .default_value = "false",
        .description = "a layer's buffer leakage counts only the banks its data fills"}}};
  static const TableSchema root{
      "the top level",
      {{.key = "name",
        .type = T::kString,
        .default_note = "the file name without extension",
        .description = "the config's name in reports"},
       {.key = "description",
        .type = T::kString,
        .default_value = "\"\"",
        .description = "one line on what it models"},
       {.key = "array", .type = T::kTable, .description = "the PE array", .table = &array},
       {.key = "register_file",
        .type = T::kTables,
        .default_note = "none",
        .description = "register files in every PE, any number, in order",
        .table = &register_file},
       {.key = "buffer",
        .type = T::kTables,
        .default_note = "none",
        .description = "on-chip buffers shared by the array, at most 4, in order",
        .table = &buffer},
       {.key = "dram", .type = T::kTable, .description = "off-chip memory", .table = &dram},
       {.key = "technology",
        .type = T::kTable,
        .description = "process, supply and temperature",
        .table = &technology}}};
  return root;
}

}  // namespace mpsim::hwcfg

namespace mpsim {

std::string hardware_keys_markdown() {
  return config::markdown_table(hwcfg::root_schema());
}

}  // namespace mpsim
