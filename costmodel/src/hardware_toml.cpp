// Reads a hardware config tree (after --set overrides) into a HardwareSpec. Keys absent from the
// tree keep the defaults of the structs in costmodel/hardware.h, which docs/hardware.md lists.
#include <algorithm>

#include "costmodel/src/hardware_tree.h"
#include "formats/error.h"

namespace mpsim::hwcfg {

namespace {

const TableSchema& sub_schema(const TableSchema& parent, std::string_view key) {
  return *parent.find(key)->table;
}

std::optional<Format> read_format(Reader& r, const toml::table& t, std::string_view key,
                                  const std::string& table_path) {
  std::string name;
  if (!r.read_string(t, key, table_path, name)) return std::nullopt;
  try {
    return Format::parse(name);
  } catch (const UserError& e) {
    r.error(t.get(key), child_path(table_path, key), e.what());
    return std::nullopt;
  }
}

// A key naming one value of an enum: parsed by `parse`, or an error listing `names`.
template <typename E, typename Parse>
void read_name(Reader& r, const toml::table& t, std::string_view key, const std::string& table,
               const std::string& what, Parse parse, const std::vector<std::string>& names,
               E& out) {
  std::string name;
  if (!r.read_string(t, key, table, name)) return;
  if (auto v = parse(name))
    out = *v;
  else
    r.error(t.get(key), child_path(table, key), unknown_name_message(what, name, names));
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

void read_explicit_pairs(Reader& r, const toml::table& mac_table, const TableSchema& schema,
                         MacUnitSpec& mac, SpecPaths& paths) {
  const auto* arr = r.read_tables(mac_table, "pairs", "array.mac");
  if (!arr) return;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (!t) continue;
    const std::string path = "array.mac.pairs." + std::to_string(i);
    r.remember(path, *t);
    r.check_keys(*t, sub_schema(schema, "pairs"), path);
    for (const char* key : {"weight", "activation"})
      if (!t->contains(key))
        r.error(t, child_path(path, key),
                std::string("missing: the ") + key + " format of the pair, e.g. \"int8\"");
    const auto w = read_format(r, *t, "weight", path);
    const auto a = read_format(r, *t, "activation", path);
    std::int64_t per_cycle = 1;
    r.read_integer(*t, "per_cycle", path, per_cycle, 1, 4096);
    const auto acc = read_format(r, *t, "accumulator", path);
    if (w && a) {
      mac.pairs.push_back({*w, *a, static_cast<int>(per_cycle), acc});
      paths.pairs.push_back(path);
    }
  }
}

// The compact form: every (weight, activation) pair of `formats`. A fusion unit of max_bits does
// (max_bits / b_w) * (max_bits / b_a) products per cycle; other kinds do one.
void derive_pairs(Reader& r, const toml::table& t, MacUnitSpec& mac, SpecPaths& paths) {
  const std::string path = "array.mac.formats";
  std::vector<std::string> names;
  if (!r.read_strings(t, "formats", "array.mac", names)) return;
  if (names.empty()) r.error(t.get("formats"), path, "needs at least one format");
  std::vector<Format> formats;
  for (const auto& name : names) {
    try {
      const auto f = Format::parse(name);
      if (std::find(formats.begin(), formats.end(), f) != formats.end())
        r.error(t.get("formats"), path, "format '" + f.name() + "' is listed twice");
      else
        formats.push_back(f);
    } catch (const UserError& e) {
      r.error(t.get("formats"), path, e.what());
    }
  }
  std::int64_t max_bits = 0;
  const bool has_max = r.read_integer(t, "max_bits", "array.mac", max_bits, 2, 64);
  if (mac.kind != MacUnitKind::kFusion) {
    if (t.contains("max_bits"))
      r.error(t.get("max_bits"), "array.mac.max_bits",
              "applies to kind = \"fusion\" only (this unit is \"" + mac_unit_kind_name(mac.kind) +
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
      r.error(t.get("formats"), path,
              "a fusion unit multiplies integers only; '" + f.name() +
                  "' is not an integer format (use kind = \"multiformat\")");
      usable = false;
    }
  if (!usable || formats.empty()) return;
  int widest = 0;
  for (const auto& f : formats)
    widest = std::max(widest, fused_width(f));
  if (!has_max) {
    if (t.contains("max_bits")) return;  // present but wrong: already reported
    max_bits = widest;
  } else if ((max_bits & (max_bits - 1)) != 0) {
    r.error(t.get("max_bits"), "array.mac.max_bits",
            "must be a power of two (2-bit bricks fuse in powers of two), found " +
                std::to_string(max_bits));
    return;
  } else if (max_bits < widest) {
    r.error(t.get("max_bits"), "array.mac.max_bits",
            "is " + std::to_string(max_bits) + " but formats holds a " + std::to_string(widest) +
                "-bit operand");
    return;
  }
  const int m = static_cast<int>(max_bits);
  for (const auto& w : formats)
    for (const auto& a : formats) {
      mac.pairs.push_back({w, a, (m / fused_width(w)) * (m / fused_width(a)), std::nullopt});
      paths.pairs.push_back(path);
    }
}

void read_mac(Reader& r, const toml::table* t, const TableSchema& schema, MacUnitSpec& mac,
              SpecPaths& paths) {
  mac.pairs.clear();
  const bool has_pairs = t && t->contains("pairs");
  const bool has_formats = t && t->contains("formats");
  if (!has_pairs && !has_formats) {
    mac.pairs.push_back(FormatPair{});  // the documented default: int8 x int8, 1 per cycle
    paths.pairs.push_back("array.mac");
  }
  if (!t) return;
  read_name(r, *t, "kind", "array.mac", "MAC unit kind", parse_mac_unit_kind, mac_unit_kind_names(),
            mac.kind);
  if (auto f = read_format(r, *t, "accumulator", "array.mac")) mac.accumulator = *f;
  r.read_boolean(*t, "fallback_to_wider", "array.mac", mac.fallback_to_wider);
  r.read_integer(*t, "lossless_sum", "array.mac", mac.lossless_sum, 1, std::int64_t{1} << 40);
  std::int64_t serial_bits = mac.serial_bits;
  if (r.read_integer(*t, "serial_bits", "array.mac", serial_bits, 1, 16))
    mac.serial_bits = static_cast<int>(serial_bits);
  std::string serial;
  if (r.read_string(*t, "serial", "array.mac", serial)) {
    if (serial == "weight" || serial == "both")
      mac.serial_both = serial == "both";
    else
      r.error(t->get("serial"), "array.mac.serial",
              unknown_name_message("serial operand choice", serial, {"weight", "both"}));
  }
  if ((t->contains("serial_bits") || t->contains("serial")) && mac.kind != MacUnitKind::kBitSerial)
    r.error(t->get(t->contains("serial") ? "serial" : "serial_bits"),
            t->contains("serial") ? "array.mac.serial" : "array.mac.serial_bits",
            "applies to kind = \"bitserial\" only");
  read_name(r, *t, "narrow_accumulator", "array.mac", "narrow-accumulator policy",
            parse_narrow_accumulator, narrow_accumulator_names(), mac.narrow_accumulator);
  if (has_pairs && has_formats) {
    r.error(t->get("formats"), "array.mac.formats",
            "give either [[array.mac.pairs]] or formats (the compact form), not both");
    return;
  }
  if (has_pairs) {
    if (t->contains("max_bits"))
      r.error(t->get("max_bits"), "array.mac.max_bits",
              "goes with formats (the compact form), not with [[array.mac.pairs]]");
    read_explicit_pairs(r, *t, schema, mac, paths);
  } else if (has_formats) {
    derive_pairs(r, *t, mac, paths);
  } else if (t->contains("max_bits")) {
    r.error(t->get("max_bits"), "array.mac.max_bits", "goes with formats (the compact form)");
  }
}

void read_array(Reader& r, const toml::table* t, const TableSchema& schema, ArraySpec& a,
                SpecPaths& paths) {
  const TableSchema& mac_schema = sub_schema(schema, "mac");
  if (!t) {
    read_mac(r, nullptr, mac_schema, a.mac, paths);
    return;
  }
  std::int64_t v = 0;
  if (r.read_integer(*t, "rows", "array", v, 1, 65536)) a.rows = static_cast<int>(v);
  if (r.read_integer(*t, "cols", "array", v, 1, 65536)) a.cols = static_cast<int>(v);
  read_name(r, *t, "dataflow", "array", "dataflow", parse_dataflow, dataflow_names(), a.dataflow);
  // From 1 kHz: below, every latency and leakage figure runs off to infinity.
  r.read_number(*t, "clock_mhz", "array", a.clock_mhz, 0.001, 100000);
  read_mac(r, r.read_table(*t, "mac", "array", mac_schema), mac_schema, a.mac, paths);
}

std::vector<Operand> read_holds(Reader& r, const toml::table& t, const std::string& path) {
  std::vector<std::string> names;
  if (!r.read_strings(t, "holds", path, names)) return {};
  std::vector<Operand> out;
  const std::string key = child_path(path, "holds");
  for (const auto& name : names) {
    const auto o = parse_operand(name);
    if (!o)
      r.error(t.get("holds"), key, unknown_name_message("operand", name, operand_names()));
    else if (std::find(out.begin(), out.end(), *o) != out.end())
      r.error(t.get("holds"), key, "operand " + quote(name) + " is listed twice");
    else
      out.push_back(*o);
  }
  return out;
}

// "buffer.global_buffer" when the entry has a string name, else "buffer.3": the path --set uses.
std::string entry_path(const std::string& array_key, const toml::table& t, std::size_t index) {
  if (auto name = t["name"].value_exact<std::string>(); name && !name->empty())
    return array_key + "." + *name;
  return array_key + "." + std::to_string(index);
}

void require_keys(Reader& r, const toml::table& t, const std::string& path,
                  std::initializer_list<const char*> keys) {
  for (const char* key : keys)
    if (!t.contains(key)) r.error(&t, child_path(path, key), "missing (it has no default)");
}

void read_register_files(Reader& r, const toml::table& root, HardwareSpec& spec, SpecPaths& paths) {
  const auto* arr = r.read_tables(root, "register_file", "");
  if (!arr) return;
  const TableSchema& schema = sub_schema(root_schema(), "register_file");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (!t) continue;
    const std::string path = entry_path("register_file", *t, i);
    r.remember(path, *t);
    r.check_keys(*t, schema, path);
    require_keys(r, *t, path, {"name", "holds"});
    RegisterFileSpec rf;
    r.read_string(*t, "name", path, rf.name);
    rf.holds = read_holds(r, *t, path);
    r.read_integer(*t, "entries", path, rf.entries, 1, 1 << 20);
    std::int64_t bits = rf.word_bits;
    if (r.read_integer(*t, "word_bits", path, bits, 1, 4096)) rf.word_bits = static_cast<int>(bits);
    spec.register_files.push_back(std::move(rf));
    paths.register_files.push_back(path);
  }
}

void read_buffers(Reader& r, const toml::table& root, HardwareSpec& spec, SpecPaths& paths) {
  const auto* arr = r.read_tables(root, "buffer", "");
  if (!arr) return;
  const TableSchema& schema = sub_schema(root_schema(), "buffer");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (!t) continue;
    const std::string path = entry_path("buffer", *t, i);
    r.remember(path, *t);
    r.check_keys(*t, schema, path);
    require_keys(r, *t, path, {"name", "holds"});
    BufferSpec b;
    r.read_string(*t, "name", path, b.name);
    b.holds = read_holds(r, *t, path);
    const bool kib = t->contains("capacity_kib");
    const bool bytes = t->contains("capacity_bytes");
    if (kib && bytes)
      r.error(t->get("capacity_bytes"), child_path(path, "capacity_bytes"),
              "give either capacity_kib or capacity_bytes, not both");
    else if (!kib && !bytes)
      r.error(t, child_path(path, "capacity_kib"),
              "missing: give the capacity as capacity_kib or capacity_bytes");
    double capacity_kib = 0;
    if (kib && r.read_number(*t, "capacity_kib", path, capacity_kib, 0, 1 << 30, true)) {
      const double b_bytes = capacity_kib * 1024;
      if (b_bytes != static_cast<double>(static_cast<std::int64_t>(b_bytes)))
        r.error(t->get("capacity_kib"), child_path(path, "capacity_kib"),
                "is not a whole number of bytes");
      b.capacity_bytes = static_cast<std::int64_t>(b_bytes);
    }
    if (bytes)
      r.read_integer(*t, "capacity_bytes", path, b.capacity_bytes, 1, std::int64_t{1} << 40);
    std::int64_t v = 0;
    if (r.read_integer(*t, "width_bits", path, v, 1, 65536)) b.width_bits = static_cast<int>(v);
    if (r.read_integer(*t, "banks", path, v, 1, 4096)) b.banks = static_cast<int>(v);
    r.read_boolean(*t, "distributed", path, b.distributed);
    spec.buffers.push_back(std::move(b));
    paths.buffers.push_back(path);
  }
}

void read_dram(Reader& r, const toml::table* t, DramSpec& d) {
  if (!t) return;
  read_name(r, *t, "kind", "dram", "DRAM kind", parse_dram_kind, dram_kind_names(), d.kind);
  r.read_number(*t, "bandwidth_gbytes_per_s", "dram", d.bandwidth_gbytes_per_s, 0, 1e6);
  r.read_number(*t, "energy_pj_per_bit", "dram", d.energy_pj_per_bit, 0, 1e4);
  r.read_number(*t, "latency_ns", "dram", d.latency_ns, 0, 1e6);
}

void read_technology(Reader& r, const toml::table* t, TechnologySpec& tech) {
  if (!t) return;
  std::int64_t node = 0;
  if (r.read_integer(*t, "node_nm", "technology", node, 1, 1000))
    tech.node_nm = static_cast<int>(node);
  r.read_number(*t, "vdd_v", "technology", tech.vdd_v, 0, 5);
  read_name(r, *t, "device", "technology", "device", parse_device, device_names(), tech.device);
  r.read_number(*t, "temperature_k", "technology", tech.temperature_k, 300, 360);
  r.read_boolean(*t, "power_gating", "technology", tech.power_gating);
}

}  // namespace

std::string unknown_name_message(const std::string& what, const std::string& name,
                                 const std::vector<std::string>& valid) {
  std::string message = "unknown " + what + " " + quote(name);
  if (auto hints = closest_names(name, valid); !hints.empty())
    message += " (did you mean '" + hints.front() + "'?)";
  return message + "; valid: " + join(valid);
}

HardwareSpec spec_from_tree(const toml::table& root, const std::string& source,
                            const std::string& default_name, const Locations& fallback) {
  Reader r(source, fallback);
  const TableSchema& schema = root_schema();
  r.check_keys(root, schema, "");
  HardwareSpec spec;
  spec.source = source;
  spec.name = default_name;
  if (r.read_string(root, "name", "", spec.name) && spec.name.empty())
    r.error(root.get("name"), "name", "must not be empty");
  r.read_string(root, "description", "", spec.description);
  SpecPaths paths;
  read_array(r, r.read_table(root, "array", "", sub_schema(schema, "array")),
             sub_schema(schema, "array"), spec.array, paths);
  read_register_files(r, root, spec, paths);
  read_buffers(r, root, spec, paths);
  read_dram(r, r.read_table(root, "dram", "", sub_schema(schema, "dram")), spec.dram);
  read_technology(r, r.read_table(root, "technology", "", sub_schema(schema, "technology")),
                  spec.technology);
  // Cross-key checks would only repeat or confuse what a type error already said.
  if (r.ok()) validate_spec(spec, paths, r);
  r.finish();
  return spec;
}

}  // namespace mpsim::hwcfg
