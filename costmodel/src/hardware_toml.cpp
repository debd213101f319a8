// Reads a hardware config tree (after --set overrides) into a HardwareSpec. Types, bounds and
// names come from the schema (hardware_schema.cpp); what involves several keys is checked here
// and in hardware_validate.cpp. Keys absent from the tree keep the defaults of the structs in
// costmodel/hardware.h, which the schema declares.
#include <algorithm>

#include "costmodel/src/hardware_tree.h"
#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

// A key naming one value of an enum; the schema has checked the name.
template <typename E, typename Parse>
void read_name(const Table& t, std::string_view key, Parse parse, E& out) {
  if (auto name = t.string(key)) out = *parse(*name);
}

// Bit Fusion fuses 2-bit BitBricks in powers of two, so an operand takes the smallest such
// width that holds it: int3 runs as int4, binary as int2.
int fused_width(const Format& f) {
  int w = 2;
  while (w < f.bits())
    w *= 2;
  return w;
}

bool fusion_capable(const Format& f) {
  switch (f.kind()) {
    case FormatKind::kSignedInt:
    case FormatKind::kUnsignedInt:
    case FormatKind::kBinary:
    case FormatKind::kTernary:
      return true;
    default:
      return false;
  }
}

void read_explicit_pairs(const Table& mac_table, MacUnitSpec& mac, SpecPaths& paths) {
  for (const Table& t : mac_table.entries("pairs")) {
    const auto w = t.format("weight");
    const auto a = t.format("activation");
    const auto per_cycle = t.integer("per_cycle").value_or(1);
    const auto acc = t.format("accumulator");
    if (w && a) {
      mac.pairs.push_back({*w, *a, static_cast<int>(per_cycle), acc});
      paths.pairs.push_back(t.path());
    }
  }
}

// The compact form: every (weight, activation) pair of `formats`. A fusion unit of max_bits does
// (max_bits / b_w) * (max_bits / b_a) products per cycle; other kinds do one.
void derive_pairs(const Table& t, MacUnitSpec& mac, SpecPaths& paths) {
  const std::string path = t.path_of("formats");
  const auto listed = t.formats("formats");
  if (!listed) return;
  if (t.get("formats")->as_array()->empty()) t.error("formats", "needs at least one format");
  const std::vector<Format>& formats = *listed;
  const auto max = t.integer("max_bits");
  if (mac.kind != MacUnitKind::kFusion) {
    if (t.has("max_bits"))
      t.error("max_bits", "applies to kind = \"fusion\" only (this unit is \"" +
                              mac_unit_kind_name(mac.kind) +
                              "\": every pair of formats runs at 1 product per cycle)");
    for (const auto& w : formats)
      for (const auto& a : formats) {
        mac.pairs.push_back({w, a, 1, std::nullopt});
        paths.pairs.push_back(path);
      }
    return;
  }
  bool usable = true;
  for (const auto& f : formats)
    if (!fusion_capable(f)) {
      t.error("formats", "a fusion unit multiplies integers only; '" + f.name() +
                             "' is not an integer format (use kind = \"multiformat\")");
      usable = false;
    }
  if (!usable || formats.empty()) return;
  int widest = 0;
  for (const auto& f : formats)
    widest = std::max(widest, fused_width(f));
  std::int64_t max_bits = widest;
  if (!max) {
    if (t.has("max_bits")) return;  // present but wrong: already reported
  } else if ((*max & (*max - 1)) != 0) {
    t.error("max_bits", "must be a power of two (2-bit bricks fuse in powers of two), found " +
                            std::to_string(*max));
    return;
  } else if (*max < widest) {
    t.error("max_bits", "is " + std::to_string(*max) + " but formats holds a " +
                            std::to_string(widest) + "-bit operand");
    return;
  } else {
    max_bits = *max;
  }
  const int m = static_cast<int>(max_bits);
  for (const auto& w : formats)
    for (const auto& a : formats) {
      mac.pairs.push_back({w, a, (m / fused_width(w)) * (m / fused_width(a)), std::nullopt});
      paths.pairs.push_back(path);
    }
}

void read_mac(const Table& t, MacUnitSpec& mac, SpecPaths& paths) {
  mac.pairs.clear();
  const bool has_pairs = t.has("pairs");
  const bool has_formats = t.has("formats");
  if (!has_pairs && !has_formats) {
    mac.pairs.push_back(FormatPair{});  // the documented default: int8 x int8, 1 per cycle
    paths.pairs.push_back("array.mac");
  }
  if (!t.present()) return;
  read_name(t, "kind", parse_mac_unit_kind, mac.kind);
  if (auto f = t.format("accumulator")) mac.accumulator = *f;
  if (auto v = t.boolean("fallback_to_wider")) mac.fallback_to_wider = *v;
  if (auto v = t.integer("lossless_sum")) mac.lossless_sum = *v;
  if (auto v = t.integer("serial_bits")) mac.serial_bits = static_cast<int>(*v);
  if (auto v = t.string("serial")) mac.serial_both = *v == "both";
  if ((t.has("serial_bits") || t.has("serial")) && mac.kind != MacUnitKind::kBitSerial)
    t.error(t.has("serial") ? "serial" : "serial_bits", "applies to kind = \"bitserial\" only");
  read_name(t, "narrow_accumulator", parse_narrow_accumulator, mac.narrow_accumulator);
  if (has_pairs && has_formats) {
    t.error("formats", "give either [[array.mac.pairs]] or formats (the compact form), not both");
    return;
  }
  if (has_pairs) {
    if (t.has("max_bits"))
      t.error("max_bits", "goes with formats (the compact form), not with [[array.mac.pairs]]");
    read_explicit_pairs(t, mac, paths);
  } else if (has_formats) {
    derive_pairs(t, mac, paths);
  } else if (t.has("max_bits")) {
    t.error("max_bits", "goes with formats (the compact form)");
  }
}

void read_array(const Table& t, ArraySpec& a, SpecPaths& paths) {
  if (auto v = t.integer("rows")) a.rows = static_cast<int>(*v);
  if (auto v = t.integer("cols")) a.cols = static_cast<int>(*v);
  read_name(t, "dataflow", parse_dataflow, a.dataflow);
  if (auto v = t.number("clock_mhz")) a.clock_mhz = *v;
  read_mac(t.table("mac"), a.mac, paths);
}

std::vector<Operand> read_holds(const Table& t) {
  std::vector<Operand> out;
  for (const auto& name : t.strings("holds").value_or(std::vector<std::string>{}))
    out.push_back(*parse_operand(name));
  return out;
}

void read_register_files(const Table& root, HardwareSpec& spec, SpecPaths& paths) {
  for (const Table& t : root.entries("register_file")) {
    RegisterFileSpec rf;
    if (auto v = t.string("name")) rf.name = *v;
    rf.holds = read_holds(t);
    if (auto v = t.integer("entries")) rf.entries = *v;
    if (auto v = t.integer("word_bits")) rf.word_bits = static_cast<int>(*v);
    spec.register_files.push_back(std::move(rf));
    paths.register_files.push_back(t.path());
  }
}

void read_buffers(const Table& root, HardwareSpec& spec, SpecPaths& paths) {
  for (const Table& t : root.entries("buffer")) {
    BufferSpec b;
    if (auto v = t.string("name")) b.name = *v;
    b.holds = read_holds(t);
    const bool kib = t.has("capacity_kib");
    const bool bytes = t.has("capacity_bytes");
    if (kib && bytes)
      t.error("capacity_bytes", "give either capacity_kib or capacity_bytes, not both");
    else if (!kib && !bytes)
      t.error("capacity_kib", "missing: give the capacity as capacity_kib or capacity_bytes");
    if (auto capacity_kib = kib ? t.number("capacity_kib") : std::nullopt) {
      const double b_bytes = *capacity_kib * 1024;
      if (b_bytes != static_cast<double>(static_cast<std::int64_t>(b_bytes)))
        t.error("capacity_kib", "is not a whole number of bytes");
      b.capacity_bytes = static_cast<std::int64_t>(b_bytes);
    }
    if (bytes)
      if (auto v = t.integer("capacity_bytes")) b.capacity_bytes = *v;
    if (auto v = t.integer("width_bits")) b.width_bits = static_cast<int>(*v);
    if (auto v = t.integer("banks")) b.banks = static_cast<int>(*v);
    if (auto v = t.boolean("distributed")) b.distributed = *v;
    spec.buffers.push_back(std::move(b));
    paths.buffers.push_back(t.path());
  }
}

void read_dram(const Table& t, DramSpec& d) {
  read_name(t, "kind", parse_dram_kind, d.kind);
  if (auto v = t.number("bandwidth_gbytes_per_s")) d.bandwidth_gbytes_per_s = *v;
  if (auto v = t.number("energy_pj_per_bit")) d.energy_pj_per_bit = *v;
  if (auto v = t.number("latency_ns")) d.latency_ns = *v;
}

void read_technology(const Table& t, TechnologySpec& tech) {
  if (auto v = t.integer("node_nm")) tech.node_nm = static_cast<int>(*v);
  if (auto v = t.number("vdd_v")) tech.vdd_v = *v;
  read_name(t, "device", parse_device, tech.device);
  if (auto v = t.number("temperature_k")) tech.temperature_k = *v;
  if (auto v = t.boolean("power_gating")) tech.power_gating = *v;
}

}  // namespace

HardwareSpec spec_from_tree(const toml::table& root, const std::string& source,
                            const std::string& default_name, const Locations& fallback) {
  Reader r(source, fallback);
  const Table top(r, &root, root_schema(), "");
  top.check();
  HardwareSpec spec;
  spec.source = source;
  spec.name = default_name;
  if (auto v = top.string("name")) {
    if (v->empty()) top.error("name", "must not be empty");
    spec.name = *v;
  }
  if (auto v = top.string("description")) spec.description = *v;
  SpecPaths paths;
  read_array(top.table("array"), spec.array, paths);
  read_register_files(top, spec, paths);
  read_buffers(top, spec, paths);
  read_dram(top.table("dram"), spec.dram);
  read_technology(top.table("technology"), spec.technology);
  // Cross-key checks would only repeat or confuse what a type error already said.
  if (r.ok()) validate_spec(spec, paths, r);
  r.finish();
  return spec;
}

}  // namespace mpsim::hwcfg
