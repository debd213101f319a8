#include "workloads/src/onnx_shape_rules.h"

#include <algorithm>
#include <limits>

#include "workloads/src/onnx_graph.h"
#include "workloads/src/shape_inference.h"

namespace mpsim::onnx_import {

namespace {

std::string ints_string(const Ints& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::int64_t axis_in(std::int64_t axis, std::size_t rank) {
  try {
    return normalize_axis(axis, rank);
  } catch (const UserError& e) {
    throw OpError(e.what());
  }
}

}  // namespace

Ints normalized_axes(const Ints& axes, std::size_t rank) {
  Ints out;
  for (auto a : axes) {
    const auto n = axis_in(a, rank);
    if (std::find(out.begin(), out.end(), n) != out.end())
      throw OpError("axes " + ints_string(axes) + " repeat an axis");
    out.push_back(n);
  }
  return out;
}

Shape unsqueeze_shape(const Shape& in, const Ints& axes) {
  const std::size_t rank = in.size() + axes.size();
  Ints where = normalized_axes(axes, rank);
  Shape out;
  std::size_t next = 0;
  for (std::size_t d = 0; d < rank; ++d) {
    if (std::find(where.begin(), where.end(), static_cast<std::int64_t>(d)) != where.end()) {
      out.push_back(1);
    } else {
      out.push_back(in[next++]);
    }
  }
  return out;
}

Shape squeeze_shape(const Shape& in, const Ints& axes) {
  const Ints where = normalized_axes(axes, in.size());
  for (auto a : where)
    if (in[static_cast<std::size_t>(a)] != 1)
      throw OpError("cannot squeeze axis " + std::to_string(a) + " of " + shape_string(in) +
                    ": its size is not 1");
  Shape out;
  for (std::size_t d = 0; d < in.size(); ++d) {
    const bool drop = where.empty() ? in[d] == 1
                                    : std::find(where.begin(), where.end(),
                                                static_cast<std::int64_t>(d)) != where.end();
    if (!drop) out.push_back(in[d]);
  }
  return out;
}

Shape flatten_shape(const Shape& in, std::int64_t axis) {
  const auto r = static_cast<std::int64_t>(in.size());
  if (axis < -r || axis > r)
    throw OpError("flatten axis " + std::to_string(axis) + " is out of range for rank " +
                  std::to_string(r));
  if (axis < 0) axis += r;
  std::int64_t outer = 1, inner = 1;
  for (std::int64_t d = 0; d < r; ++d)
    (d < axis ? outer : inner) *= in[static_cast<std::size_t>(d)];
  return {outer, inner};
}

Shape reshape_shape(const Shape& in, const Ints& target, bool allowzero) {
  Shape out = target;
  int infer_at = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowzero) {
      if (i >= in.size())
        throw OpError("reshape target " + ints_string(target) + " copies dim " + std::to_string(i) +
                      " that " + shape_string(in) + " does not have");
      out[i] = in[i];
    }
    if (out[i] == -1) {
      if (infer_at >= 0) throw OpError("reshape target " + ints_string(target) + " has two -1");
      infer_at = static_cast<int>(i);
    } else if (out[i] < 0 || out[i] > (std::int64_t{1} << 40)) {
      throw OpError("reshape target " + ints_string(target) + " has a bad dimension");
    } else if (__builtin_mul_overflow(known, out[i], &known) || known > kMaxCount) {
      // A target of 2^40 x 2^40 wrapped int64 here before the counts were compared.
      throw OpError("reshape target " + ints_string(target) + " has more than 2^62 elements");
    }
  }
  const std::int64_t total = element_count(in);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      throw OpError("cannot reshape " + shape_string(in) + " to " + ints_string(target));
    out[static_cast<std::size_t>(infer_at)] = total / known;
  }
  if (element_count(out) != total)
    throw OpError("cannot reshape " + shape_string(in) + " (" + std::to_string(total) +
                  " elements) to " + ints_string(target));
  return out;
}

SliceSpan slice_span(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) {
  if (step == 0) throw OpError("a slice step is 0");
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  SliceSpan s;
  s.step = step;
  // ceil(span / |step|) without forming span + |step| - 1 or -step: a step near the int64
  // limits wrapped both (found by fuzzing).
  const std::uint64_t stride =
      step > 0 ? static_cast<std::uint64_t>(step) : static_cast<std::uint64_t>(-(step + 1)) + 1;
  auto windows = [stride](std::int64_t span) {
    const auto u = static_cast<std::uint64_t>(span);
    return static_cast<std::int64_t>(u / stride + (u % stride != 0 ? 1 : 0));
  };
  if (step > 0) {
    s.start = std::clamp<std::int64_t>(start, 0, dim);
    end = std::clamp<std::int64_t>(end, 0, dim);
    s.count = end > s.start ? windows(end - s.start) : 0;
  } else {
    s.start = std::clamp<std::int64_t>(start, 0, dim - 1);
    end = std::clamp<std::int64_t>(end, -1, dim - 1);
    s.count = s.start > end ? windows(s.start - end) : 0;
  }
  return s;
}

std::vector<SliceSpan> slice_spans(const Shape& in, const Ints& starts, const Ints& ends,
                                   const std::optional<Ints>& axes,
                                   const std::optional<Ints>& steps) {
  if (starts.size() != ends.size())
    throw OpError("slice starts " + ints_string(starts) + " and ends " + ints_string(ends) +
                  " differ in length");
  Ints ax;
  if (axes) {
    ax = normalized_axes(*axes, in.size());
  } else {
    for (std::size_t i = 0; i < starts.size(); ++i)
      ax.push_back(static_cast<std::int64_t>(i));
    if (ax.size() > in.size()) throw OpError("slice has more starts than the input has dims");
  }
  if (ax.size() != starts.size() || (steps && steps->size() != starts.size()))
    throw OpError("slice starts, ends, axes and steps differ in length");
  std::vector<SliceSpan> out;
  for (std::size_t i = 0; i < ax.size(); ++i) {
    auto s = slice_span(in[static_cast<std::size_t>(ax[i])], starts[i], ends[i],
                        steps ? (*steps)[i] : 1);
    s.axis = ax[i];
    out.push_back(s);
  }
  return out;
}

Ints split_sizes(std::int64_t dim, const std::optional<Ints>& split, std::size_t outputs) {
  if (split && !split->empty()) {
    std::int64_t sum = 0;
    for (auto v : *split) {
      if (v < 0) throw OpError("split sizes " + ints_string(*split) + " are negative");
      sum += v;
    }
    if (sum != dim || split->size() != outputs)
      throw OpError("split sizes " + ints_string(*split) + " do not cut a dim of " +
                    std::to_string(dim) + " into " + std::to_string(outputs) + " outputs");
    return *split;
  }
  const auto n = static_cast<std::int64_t>(outputs);
  if (n == 0) throw OpError("split has no outputs");
  // Equal parts; like torch.chunk, the last part is smaller when the dim does not divide.
  const std::int64_t part = (dim + n - 1) / n;
  Ints out;
  std::int64_t left = dim;
  for (std::int64_t k = 0; k < n; ++k) {
    out.push_back(std::min(part, left));
    left -= out.back();
  }
  return out;
}

void check_plausible(std::int64_t v, const std::string& what) {
  if (v < 0 || v > (std::int64_t{1} << 24))
    throw OpError(what + " " + std::to_string(v) + " is out of range");
}

std::size_t checked_elements(const Shape& s) {
  // Constants computed at import time are shape vectors and small tensors; a corrupt file must
  // not make the importer allocate gigabytes.
  constexpr std::int64_t kMax = std::int64_t{1} << 24;  // 128 MiB of int64 at most
  std::int64_t n = 1;
  for (auto d : s) {
    if (d < 0) throw OpError("shape " + shape_string(s) + " has a negative dimension");
    if (d > 0 && n > kMax / d)
      throw OpError("shape " + shape_string(s) + " is too large to compute at import time");
    n *= d;
  }
  return static_cast<std::size_t>(n);
}

}  // namespace mpsim::onnx_import
