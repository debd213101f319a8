// mpsim formats: every named number format and its properties.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <ostream>

#include "apps/commands.h"
#include "explore/json_text.h"
#include "explore/text_table.h"
#include "formats/format.h"

namespace mpsim::cli {

namespace {

// The shortest text that reads back as the same double: exact for every property here.
std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

// For people: powers of two far from 1 as 2^k (as the OCP tables write them), others exactly when
// short, else in %.6g.
std::string readable(double v) {
  int e = 0;
  if (v > 0 && std::frexp(v, &e) == 0.5 && (e - 1 < -4 || e - 1 > 10))
    return "2^" + std::to_string(e - 1);
  const std::string exact = number(v);
  if (exact.size() <= 10) return exact;  // integers up to uint32 stay exact
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

constexpr const char* kGenericNote =
    "Also accepted: eXmY (IEEE-style, infinity and NaN in the top binade; e.g. e3m4) and eXmYfn "
    "(finite, NaN = all ones; e.g. e4m3fn). Definitions and conventions: docs/formats.md.";

void list(const std::string& output_format, Io& io) {
  const auto formats = named_formats();
  if (output_format == "json") {
    nlohmann::ordered_json j = nlohmann::ordered_json::array();
    for (const Format& f : formats) {
      nlohmann::ordered_json e;
      e["name"] = f.name();
      e["kind"] = kind_name(f.kind());
      e["bits"] = f.bits();
      e["storage_bits"] = f.storage_bits();
      e["block_size"] = f.block_size();
      e["scale_bits"] = f.scale_bits();
      e["exponent_bits"] = f.exponent_bits();
      e["mantissa_bits"] = f.mantissa_bits();
      if (f.is_float()) e["exponent_bias"] = f.exponent_bias();
      if (!f.is_float()) {
        e["qmin"] = f.qmin();
        e["qmax"] = f.qmax();
      }
      e["max"] = f.max();
      e["min_normal"] = f.min_normal();
      e["min_subnormal"] = f.min_subnormal();
      e["has_infinity"] = f.has_infinity();
      e["has_nan"] = f.has_nan();
      e["special_values"] = f.special_values();
      j.push_back(std::move(e));
    }
    io.out << json_text(j) << '\n';
    return;
  }
  if (output_format == "csv") {
    io.out << csv_row({"name", "kind", "bits", "storage_bits", "block_size", "max", "min_normal",
                       "min_subnormal", "special_values"});
    for (const Format& f : formats)
      io.out << csv_row({f.name(), std::string(kind_name(f.kind())), std::to_string(f.bits()),
                         number(f.storage_bits()), std::to_string(f.block_size()), number(f.max()),
                         number(f.min_normal()), number(f.min_subnormal()), f.special_values()});
    return;
  }
  TextTable t({"format", "kind", "bits", "storage", "block", "max", "min normal", "min subnormal",
               "special values"});
  for (const Format& f : formats)
    t.add_row({f.name(), std::string(kind_name(f.kind())), std::to_string(f.bits()),
               readable(f.storage_bits()), std::to_string(f.block_size()), readable(f.max()),
               readable(f.min_normal()), readable(f.min_subnormal()), f.special_values()});
  t.print(io.out);
  io.out << kGenericNote << '\n';
}

}  // namespace

void add_formats_command(CLI::App& app, Io& io) {
  auto output_format = std::make_shared<std::string>("table");
  auto* cmd = app.add_subcommand(
      "formats", "List the named number formats: bits, storage, range and special values");
  cmd->add_option("--format", *output_format, "Output format")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->footer(std::string("\nIntegers: max is qmax, min normal/subnormal the step (1; 1/64 for "
                          "mxint8). MX: element properties, before the shared scale.\n") +
              kGenericNote);
  cmd->callback([output_format, &io] { list(*output_format, io); });
}

}  // namespace mpsim::cli
