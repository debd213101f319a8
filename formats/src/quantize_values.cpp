#include "formats/quantize_values.h"

#include <limits>
#include <string>

#include "formats/error.h"
#include "formats/mx.h"

namespace mpsim {

Format checked_quantize_format(const QuantizeRequest& o) {
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

void quantize_values(const QuantizeRequest& r, std::span<const float> in, std::span<float> out) {
  const Format f = checked_quantize_format(r);
  if (out.size() != in.size())
    throw UserError("quantize: the output holds " + std::to_string(out.size()) +
                    " values, the input " + std::to_string(in.size()));
  if (f.is_block()) {
    const std::int64_t shape[1] = {static_cast<std::int64_t>(in.size())};
    mx_quantize(f, in, out, shape, 0, r.saturation);
    return;
  }
  QuantParams p;
  if (r.scale) {
    p = {static_cast<float>(*r.scale), r.zero_point.value_or(0)};
  } else if (f.is_integer()) {
    p = params_from_data(f, in);
  }
  fake_quant(f, in, out, p, r.saturation);
}

}  // namespace mpsim
