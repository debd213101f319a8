// mpsim quantize: numbers on standard input, each rounded into a format and printed back as a
// real value. The output is written only once every line has parsed, so an error leaves
// standard output empty.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <istream>
#include <optional>
#include <ostream>

#include "apps/commands.h"
#include "formats/error.h"
#include "formats/quantize_values.h"

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

void quantize(const QuantizeOptions& o, Io& io) {
  QuantizeRequest r;
  r.format = o.format;
  r.saturation = o.no_saturate ? Saturation::kNoSaturate : Saturation::kSaturate;
  r.scale = o.scale;
  r.zero_point = o.zero_point;
  checked_quantize_format(r);  // before reading standard input
  const std::vector<float> in = read_values(io.in);
  std::vector<float> out(in.size());
  quantize_values(r, in, out);
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
