// Checks that involve more than one key of a hardware config (each key's own type and range is
// checked as it is read). Every problem is recorded at the place of the key it names.
#include <algorithm>
#include <cctype>
#include <set>

#include "costmodel/accumulator.h"
#include "costmodel/src/hardware_tree.h"
#include "costmodel/technology.h"
#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

// The longest list the array can be built with: the layer model assigns each operand to the
// first buffer holding it, and more levels would need a mapping search we do not do.
constexpr std::size_t kMaxBuffers = 4;

// The most PEs an array may have (4096 x 4096). Each key is range-checked alone (rows, cols up to
// 65536), but their product is what every cost scales with: capped here, PE counts times per-PE
// figures and per-layer cycle counts stay exact in int64 and double. The largest announced arrays
// are far below it (docs/limits.md).
constexpr std::int64_t kMaxPes = std::int64_t{1} << 24;

std::string pair_text(const FormatPair& p) {
  return p.weight.name() + " x " + p.activation.name();
}

void check_mac(const MacUnitSpec& mac, const SpecPaths& paths, Reader& r) {
  if (mac.pairs.empty()) {
    r.error_at("array.mac.pairs",
               "the MAC unit needs at least one (weight, activation) format pair");
    return;
  }
  for (std::size_t i = 0; i < mac.pairs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (mac.pairs[i].weight == mac.pairs[j].weight &&
          mac.pairs[i].activation == mac.pairs[j].activation)
        r.error_at(paths.pairs[i], "pair " + pair_text(mac.pairs[i]) + " is listed twice");
  if (mac.kind == MacUnitKind::kFixed && mac.pairs.size() > 1)
    r.error_at("array.mac.kind", "a fixed unit has one datapath, so one format pair, but " +
                                     std::to_string(mac.pairs.size()) +
                                     " are listed (use kind = \"fusion\" or \"multiformat\")");
  if (mac.kind == MacUnitKind::kBitSerial)
    for (std::size_t i = 0; i < mac.pairs.size(); ++i) {
      for (const Format* f : {&mac.pairs[i].weight, &mac.pairs[i].activation})
        if (f->is_float() || f->is_block())
          r.error_at(paths.pairs[i], "a bit-serial unit multiplies integers only; '" + f->name() +
                                         "' is not an integer format");
      if (mac.pairs[i].products_per_cycle != 1)
        r.error_at(paths.pairs[i],
                   "a bit-serial unit completes at most one product per cycle "
                   "(it takes several cycles per product instead)");
    }
  if (mac.kind == MacUnitKind::kFusion)
    for (std::size_t i = 0; i < mac.pairs.size(); ++i)
      for (const Format* f : {&mac.pairs[i].weight, &mac.pairs[i].activation})
        if (f->is_float() || f->kind() == FormatKind::kMxInt)
          r.error_at(paths.pairs[i], "a fusion unit multiplies integers only; '" + f->name() +
                                         "' is not an integer format (use kind = \"multiformat\")");
  auto usable_accumulator = [](const Format& acc) {
    return !acc.is_block() &&
           (acc.kind() == FormatKind::kSignedInt || acc.kind() == FormatKind::kFloat);
  };
  if (!usable_accumulator(mac.accumulator)) {
    r.error_at("array.mac.accumulator",
               "the accumulator must be a signed integer or a float format, not '" +
                   mac.accumulator.name() + "'");
    return;
  }
  for (std::size_t i = 0; i < mac.pairs.size(); ++i) {
    const FormatPair& p = mac.pairs[i];
    const std::string key =
        p.accumulator ? child_path(paths.pairs[i], "accumulator") : "array.mac.accumulator";
    const Format& acc = mac.accumulator_of(p);
    if (!usable_accumulator(acc)) {
      r.error_at(key, "the accumulator must be a signed integer or a float format, not '" +
                          acc.name() + "'");
      continue;
    }
    if (mac.kind == MacUnitKind::kFusion && p.accumulator && !(*p.accumulator == mac.accumulator))
      r.error_at(key, "a fusion unit's bricks share one accumulator; set array.mac.accumulator");
    const auto shortfall = accumulator_shortfall(p, acc, mac.lossless_sum);
    if (!shortfall) continue;
    const bool mx = p.weight.is_block() || p.activation.is_block();
    if (mac.narrow_accumulator == NarrowAccumulator::kError || mx)
      r.error_at(key,
                 *shortfall + (mx ? std::string()
                                  : "; widen the accumulator, lower array.mac.lossless_sum, or set "
                                    "array.mac.narrow_accumulator = \"round\" to price rounding "
                                    "into it"));
  }
}

// Names are path segments of --set (buffer.NAME.capacity_kib): no dots, and not all digits,
// which select an entry by index.
bool usable_name(const std::string& name) {
  if (name.empty()) return false;
  bool all_digits = true;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
    all_digits = all_digits && std::isdigit(c);
  }
  return !all_digits;
}

void check_memory_names(const HardwareSpec& spec, const SpecPaths& paths, Reader& r) {
  std::set<std::string> seen;
  auto check = [&](const std::string& name, const std::vector<Operand>& holds,
                   const std::string& path) {
    if (!usable_name(name))
      r.error_at(
          child_path(path, "name"),
          quote(name) + " is not a usable name: letters, digits, '_' and '-' only, not all digits");
    else if (!seen.insert(name).second)
      r.error_at(child_path(path, "name"),
                 "'" + name + "' names another register file or buffer too");
    if (holds.empty())
      r.error_at(child_path(path, "holds"),
                 "must list at least one operand of: " + join(operand_names()));
  };
  for (std::size_t i = 0; i < spec.register_files.size(); ++i)
    check(spec.register_files[i].name, spec.register_files[i].holds, paths.register_files[i]);
  for (std::size_t i = 0; i < spec.buffers.size(); ++i)
    check(spec.buffers[i].name, spec.buffers[i].holds, paths.buffers[i]);
}

void check_array_size(const ArraySpec& a, Reader& r) {
  const std::int64_t pes = std::int64_t{a.rows} * a.cols;
  if (pes > kMaxPes)
    r.error_at("array.cols", "an array of " + std::to_string(a.rows) + " x " +
                                 std::to_string(a.cols) + " = " + std::to_string(pes) +
                                 " PEs is larger than the " + std::to_string(kMaxPes) +
                                 " (4096 x 4096) mpsim models");
}

void check_buffers(const HardwareSpec& spec, const SpecPaths& paths, Reader& r) {
  if (spec.buffers.size() > kMaxBuffers)
    r.error_at(paths.buffers[kMaxBuffers], "at most " + std::to_string(kMaxBuffers) +
                                               " buffers are supported, found " +
                                               std::to_string(spec.buffers.size()));
  for (std::size_t i = 0; i < spec.buffers.size(); ++i) {
    const auto& b = spec.buffers[i];
    // Each bank must hold at least one row of the port width.
    const std::int64_t row_bits = std::int64_t{b.width_bits} * b.banks;
    if (b.capacity_bytes * 8 < row_bits)
      r.error_at(child_path(paths.buffers[i], "width_bits"),
                 "buffer '" + b.name + "' of " + std::to_string(b.capacity_bytes) +
                     " bytes cannot hold one " + std::to_string(b.width_bits) +
                     "-bit row in each of its " + std::to_string(b.banks) + " bank(s)");
  }
}

// Without a memory holding an operand the array would read it from DRAM on every use; only ideal
// memory (SCALE-Sim's CALC mode: unlimited bandwidth, no stalls) makes that a meaningful design.
void check_operands_held(const HardwareSpec& spec, Reader& r) {
  if (spec.ideal_memory()) return;
  for (Operand o : {Operand::kWeight, Operand::kInput, Operand::kOutput}) {
    bool held = false;
    for (const auto& rf : spec.register_files)
      held = held || std::count(rf.holds.begin(), rf.holds.end(), o) > 0;
    for (const auto& b : spec.buffers)
      held = held || std::count(b.holds.begin(), b.holds.end(), o) > 0;
    if (!held)
      r.error_at(spec.buffers.empty() ? "buffer" : "buffer." + spec.buffers.front().name,
                 "no register file or buffer holds operand '" + operand_name(o) +
                     "' (add it to some `holds`; only dram.kind = \"ideal\" may feed the array "
                     "straight from memory)");
  }
}

void check_dram(const DramSpec& d, Reader& r) {
  if (d.kind == DramKind::kIdeal && d.bandwidth_gbytes_per_s > 0)
    r.error_at("dram.bandwidth_gbytes_per_s",
               "ideal memory has unlimited bandwidth; leave bandwidth_gbytes_per_s at 0 or choose "
               "another dram.kind");
}

void check_technology(const TechnologySpec& t, Reader& r) {
  const auto nodes = supported_nodes_nm();
  if (std::find(nodes.begin(), nodes.end(), t.node_nm) == nodes.end()) {
    std::vector<std::string> names;
    for (int n : nodes)
      names.push_back(std::to_string(n));
    r.error_at("technology.node_nm",
               "unsupported node " + std::to_string(t.node_nm) + " nm; supported: " + join(names));
    return;
  }
  try {
    technology_scale(t);  // the technology model owns the supply range of each node
  } catch (const UserError& e) {
    r.error_at(t.vdd_v > 0 ? "technology.vdd_v" : "technology.node_nm", e.what());
  }
}

}  // namespace

void validate_spec(const HardwareSpec& spec, const SpecPaths& paths, Reader& r) {
  check_array_size(spec.array, r);
  check_mac(spec.array.mac, paths, r);
  check_memory_names(spec, paths, r);
  check_buffers(spec, paths, r);
  check_operands_held(spec, r);
  check_dram(spec.dram, r);
  check_technology(spec.technology, r);
}

}  // namespace mpsim::hwcfg
