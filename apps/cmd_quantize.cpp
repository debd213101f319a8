// mpsim quantize: numbers on standard input, each rounded into a format and printed back as a
// real value. The output is written only once every line has parsed, so an error leaves
// standard output empty.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>

#include "apps/commands.h"
#include "formats/error.h"
#include "formats/fake_quant.h"
#include "formats/format.h"
#include "formats/mx.h"

namespace mpsim::cli {

namespace {

struct QuantizeOptions {
  std::string format;
  bool saturate = false;
  bool no_saturate = false;
  std::optional<double> scale;
  std::optional<std::int64_t> zero_point;
};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

// One number per line: decimal or hexadecimal floats, "nan", "inf", "-inf" (fp32, rounded to
// nearest; magnitudes beyond fp32 become infinities).
std::vector<float> read_values(std::istream& in) {
  std::vector<float> values;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string token(trim(line));
    char* end = nullptr;
    const float v = token.empty() ? 0.0f : std::strtof(token.c_str(), &end);
    if (token.empty() || end != token.c_str() + token.size())
      throw UserError(located("stdin", number, 0,
                              token.empty() ? "expected a number, found an empty line"
                                            : "expected a number, found " + quote(token)));
    values.push_back(v);
  }
  return values;
}

std::string print_value(float v) {
  if (std::isnan(v)) return "nan";  // never "-nan"
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
  return buf;
}

Format checked_format(const QuantizeOptions& o) {
  const Format f = Format::parse(o.format);
  // Range first: converting a double beyond fp32's range to float is undefined.
  if (o.scale && !(*o.scale > 0 && *o.scale <= std::numeric_limits<float>::max() &&
                   static_cast<float>(*o.scale) > 0))
    throw UserError("--scale must be a positive number within fp32's range, got " +
                    number_text(*o.scale));
  if (o.scale && f.is_block())
    throw UserError("--scale does not apply to " + f.name() +
                    ": MX blocks carry their own power-of-two scales");
  if (o.zero_point) {
    if (f.kind() != FormatKind::kUnsignedInt)
      throw UserError("--zero-point applies to uint formats only; " + f.name() +
                      " is symmetric (zero point 0)");
    if (!o.scale)
      throw UserError("--zero-point needs --scale (without --scale both come from the data)");
    if (*o.zero_point < f.qmin() || *o.zero_point > f.qmax())
      throw UserError("--zero-point " + std::to_string(*o.zero_point) + " is outside " + f.name() +
                      "'s range " + std::to_string(f.qmin()) + ".." + std::to_string(f.qmax()));
  }
  return f;
}

void quantize(const QuantizeOptions& o, Io& io) {
  const Format f = checked_format(o);
  const Saturation sat = o.no_saturate ? Saturation::kNoSaturate : Saturation::kSaturate;
  const std::vector<float> in = read_values(io.in);
  std::vector<float> out(in.size());
  if (f.is_block()) {
    out = mx_quantize(f, in, sat);
  } else {
    QuantParams p;
    if (o.scale) {
      p = {static_cast<float>(*o.scale), o.zero_point.value_or(0)};
    } else if (f.is_integer()) {
      p = params_from_data(f, in);
    }
    fake_quant(f, in, out, p, sat);
  }
  std::string text;
  for (float v : out) {
    text += print_value(v);
    text += '\n';
  }
  io.out << text;
}

}  // namespace

void add_quantize_command(CLI::App& app, Io& io) {
  auto o = std::make_shared<QuantizeOptions>();
  auto* cmd = app.add_subcommand(
      "quantize",
      "Round numbers from standard input (one per line) into a format; print the real values");
  cmd->add_option("--format", o->format,
                  "Number format, e.g. fp8_e4m3, int8, uint4, mxfp4_e2m1, e3m4 (see mpsim formats)")
      ->required();
  auto* sat = cmd->add_flag("--saturate", o->saturate,
                            "Out-of-range values and infinities clamp to +-max (the default)");
  auto* nosat = cmd->add_flag("--no-saturate", o->no_saturate,
                              "Overflow gives NaN (fp8_e4m3, eXmYfn) or infinity (fp8_e5m2, fp16, "
                              "bf16, eXmY); FP6, FP4 and integers clamp regardless");
  sat->excludes(nosat);
  cmd->add_option("--scale", o->scale,
                  "Quantize x/scale and multiply back. Integer formats without it take the scale "
                  "from the data: max|x|/qmax, or min/max with a zero point for uint");
  cmd->add_option("--zero-point", o->zero_point, "Zero point for uint formats (needs --scale)");
  cmd->footer(
      "\nInput lines: numbers, nan, inf, -inf. Output: one value per line, %.9g. MX formats "
      "take runs of 32 lines as blocks (a short last block is padded with zeros).\n"
      "Example: printf '0.1\\n3.7\\n-500\\n' | mpsim quantize --format fp8_e4m3");
  cmd->callback([o, &io] { quantize(*o, io); });
}

}  // namespace mpsim::cli
