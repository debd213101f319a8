// The shapes of an ONNX model's graph inputs. Models exported with dynamic axes carry symbolic
// or unset dimensions; each gets a size here, from the user's --input-shape settings, the batch
// (a dynamic leading dimension), or the data an evaluation feeds, and one left open is an error
// saying how to set it.
#include "workloads/src/onnx_inputs.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "formats/error.h"

namespace mpsim {

namespace {

// Sizes accepted for one dimension and for a whole input: well past any real network, small
// enough that element counts and MAC products stay far from int64 overflow.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 31;
constexpr std::int64_t kMaxElements = std::int64_t{1} << 36;

std::optional<std::int64_t> positive_integer(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0 || v > kMaxDim) return std::nullopt;
  return v;
}

}  // namespace

InputShape parse_input_shape(const std::string& text, const std::string& flag) {
  const auto bad = [&](const std::string& why) -> UserError {
    return UserError(flag + " '" + text + "': " + why +
                     "; expected NAME=D1xD2x... (a graph input's whole shape, e.g. "
                     "input=1x3x224x224) or NAME=SIZE (a named dimension, e.g. seq=128)");
  };
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) throw bad("no NAME= before the shape");
  InputShape s;
  s.name = text.substr(0, eq);
  const std::string dims = text.substr(eq + 1);
  std::size_t from = 0;
  while (true) {
    const auto x = dims.find('x', from);
    const std::string part = dims.substr(from, x == std::string::npos ? x : x - from);
    const auto v = positive_integer(part);
    if (!v)
      throw bad("'" + part + "' is not a size (a whole number from 1 to " +
                std::to_string(kMaxDim) + ")");
    s.shape.push_back(*v);
    if (x == std::string::npos) break;
    from = x + 1;
  }
  return s;
}

namespace onnx_import {

namespace {

struct Dim {
  std::int64_t value = 0;  // 0 while dynamic
  std::string param;       // the dim_param, empty when anonymous or fixed
  bool fixed = false;      // a dim_value in the model
};

struct Declared {
  std::string name;
  bool has_shape = false;
  std::vector<Dim> dims;
};

std::string dims_text(const std::vector<Dim>& dims) {
  std::string s;
  for (const auto& d : dims) {
    if (!s.empty()) s += 'x';
    s += d.value > 0 ? std::to_string(d.value) : d.param.empty() ? "?" : printable(d.param);
  }
  return s.empty() ? "a scalar" : s;
}

std::string inputs_text(const std::vector<Declared>& inputs) {
  std::vector<std::string> parts;
  for (const auto& in : inputs)
    parts.push_back(quote(in.name) + " (" + (in.has_shape ? dims_text(in.dims) : "no shape") + ")");
  return join(parts);
}

class Resolver {
 public:
  Resolver(const std::string& path, const OnnxImportOptions& options)
      : path_(path), options_(options) {}

  std::vector<GraphInput> run(std::vector<Declared> inputs) {
    inputs_ = std::move(inputs);
    apply_user_settings();
    apply_batch();
    apply_data_shape();
    for (auto& in : inputs_)
      for (auto& dim : in.dims)
        if (dim.value == 0 && !dim.param.empty() && symbols_.count(dim.param))
          dim.value = symbols_.at(dim.param);
    std::vector<GraphInput> out;
    for (auto& in : inputs_) {
      const std::string where = path_ + ": graph input " + quote(in.name);
      Shape shape;
      for (std::size_t d = 0; d < in.dims.size(); ++d) {
        Dim& dim = in.dims[d];
        if (dim.value == 0) throw open_dimension(in, d);
        if (dim.value > kMaxDim || element_count(shape) > kMaxElements / dim.value)
          throw UserError(where + " has an implausibly large shape (" + dims_text(in.dims) + ")");
        shape.push_back(dim.value);
      }
      if (shape.empty()) throw UserError(where + " is a scalar; mpsim needs a tensor input");
      out.push_back({in.name, std::move(shape)});
    }
    return out;
  }

 private:
  UserError open_dimension(const Declared& in, std::size_t d) const {
    std::string example;
    for (std::size_t i = 0; i < in.dims.size(); ++i) {
      if (i) example += 'x';
      const Dim& dim = in.dims[i];
      example += dim.value > 0 ? std::to_string(dim.value)
                               : "<" + (dim.param.empty() ? "size" : dim.param) + ">";
    }
    const std::string& param = in.dims[d].param;
    return UserError(path_ + ": graph input " + quote(in.name) + " has a dynamic dimension " +
                     std::to_string(d) + (param.empty() ? "" : " (" + quote(param) + ")") +
                     " that nothing sets: give its size with --input-shape " + printable(in.name) +
                     "=" + printable(example) +
                     (param.empty() ? "" : " or --input-shape " + printable(param) + "=SIZE"));
  }

  void bind(const std::string& param, std::int64_t value, const std::string& by) {
    if (param.empty()) return;
    const auto [it, fresh] = symbols_.emplace(param, value);
    if (!fresh && it->second != value)
      throw UserError(path_ + ": dimension " + quote(param) + " is set to " +
                      std::to_string(it->second) + " by " + bound_by_.at(param) + " but to " +
                      std::to_string(value) + " by " + by);
    if (fresh) bound_by_[param] = by;
  }

  Declared* find_input(const std::string& name) {
    for (auto& in : inputs_)
      if (in.name == name) return &in;
    return nullptr;
  }

  bool is_param(const std::string& name) const {
    for (const auto& in : inputs_)
      for (const auto& d : in.dims)
        if (d.param == name) return true;
    return false;
  }

  std::string params_text() const {
    std::vector<std::string> names;
    for (const auto& in : inputs_)
      for (const auto& d : in.dims)
        if (!d.param.empty() && std::find(names.begin(), names.end(), d.param) == names.end())
          names.push_back(d.param);
    for (auto& n : names)
      n = quote(n);
    return names.empty() ? "none" : join(names);
  }

  void apply_user_settings() {
    std::map<std::string, bool> seen;
    for (const auto& s : options_.input_shapes) {
      const std::string flag = "--input-shape " + s.name + "=" + shape_string(s.shape);
      if (seen[s.name]) throw UserError(flag + ": '" + s.name + "' is set twice");
      seen[s.name] = true;
      if (Declared* in = find_input(s.name)) {
        if (!in->has_shape) {
          in->has_shape = true;
          in->dims.assign(s.shape.size(), Dim{});
        }
        if (in->dims.size() != s.shape.size())
          throw UserError(flag + ": " + path_ + "'s input " + quote(in->name) + " has rank " +
                          std::to_string(in->dims.size()) + " (" + dims_text(in->dims) + "), not " +
                          std::to_string(s.shape.size()));
        for (std::size_t d = 0; d < s.shape.size(); ++d) {
          Dim& dim = in->dims[d];
          if (dim.fixed && dim.value != s.shape[d])
            throw UserError(flag + ": dimension " + std::to_string(d) + " of " + quote(in->name) +
                            " is fixed at " + std::to_string(dim.value) + " in " + path_);
          if (!dim.fixed) {
            bind(dim.param, s.shape[d], flag);
            dim.value = s.shape[d];
          }
        }
        set_by_user_.push_back(in->name);
      } else if (is_param(s.name)) {
        if (s.shape.size() != 1)
          throw UserError(flag + ": '" + s.name +
                          "' names a dimension, which takes one size (NAME=SIZE)");
        bind(s.name, s.shape[0], flag);
      } else {
        throw UserError(flag + ": " + path_ + " has no input or dimension named '" + s.name +
                        "'; its inputs: " + inputs_text(inputs_) +
                        "; its named dimensions: " + params_text());
      }
    }
  }

  bool user_set(const Declared& in) const {
    return std::find(set_by_user_.begin(), set_by_user_.end(), in.name) != set_by_user_.end();
  }

  // Without --batch, a batch the user gave one input (--input-shape a=8x...) is every input's.
  std::int64_t default_batch() const {
    for (const auto& in : inputs_)
      if (user_set(in) && !in.dims.empty() && !in.dims[0].fixed) return in.dims[0].value;
    return 1;
  }

  void apply_batch() {
    if (options_.batch && (*options_.batch <= 0 || *options_.batch > kMaxDim))
      throw UserError("--batch " + std::to_string(*options_.batch) + ": must be from 1 to " +
                      std::to_string(kMaxDim));
    const std::int64_t batch = options_.batch.value_or(default_batch());
    const std::string by = options_.batch ? "--batch " + std::to_string(batch)
                                          : "the batch (" + std::to_string(batch) + ")";
    bool any_dynamic = false;
    const Declared* fixed_example = nullptr;
    for (auto& in : inputs_) {
      if (!in.has_shape || in.dims.empty()) continue;
      Dim& dim = in.dims[0];
      if (dim.fixed) {
        if (!fixed_example || dim.value != batch) fixed_example = &in;
        continue;
      }
      any_dynamic = true;
      if (user_set(in)) {
        if (options_.batch && dim.value != batch)
          throw UserError("--batch " + std::to_string(batch) + " and --input-shape " + in.name +
                          "=... give " + quote(in.name) + " different batch sizes (" +
                          std::to_string(batch) + " and " + std::to_string(dim.value) + ")");
        continue;
      }
      if (!dim.param.empty() && symbols_.count(dim.param)) {
        if (options_.batch && symbols_.at(dim.param) != batch) bind(dim.param, batch, by);
        continue;
      }
      dim.value = batch;
      bind(dim.param, batch, by);
    }
    if (options_.batch && !any_dynamic && fixed_example && fixed_example->dims[0].value != batch)
      throw UserError("--batch " + std::to_string(batch) + ": " + path_ +
                      " has a fixed batch dimension (input " + quote(fixed_example->name) + " is " +
                      dims_text(fixed_example->dims) +
                      "); export the model with a dynamic batch, e.g. torch.onnx.export(..., "
                      "dynamic_axes={'" +
                      printable(fixed_example->name) + "': {0: 'N'}}), to cost another batch size");
  }

  void apply_data_shape() {
    if (!options_.data_shape || inputs_.size() != 1) return;
    Declared& in = inputs_[0];
    const Shape& data = *options_.data_shape;
    if (!in.has_shape || user_set(in) || in.dims.size() != data.size()) return;
    for (std::size_t d = 0; d < data.size(); ++d) {
      Dim& dim = in.dims[d];
      if (dim.value != 0 || (!dim.param.empty() && symbols_.count(dim.param))) continue;
      dim.value = data[d];
      bind(dim.param, data[d], "the data's shape");
    }
  }

  const std::string& path_;
  const OnnxImportOptions& options_;
  std::vector<Declared> inputs_;
  std::vector<std::string> set_by_user_;
  std::map<std::string, std::int64_t> symbols_;
  std::map<std::string, std::string> bound_by_;
};

}  // namespace

std::vector<GraphInput> resolve_graph_inputs(const onnx::GraphProto& graph,
                                             const std::set<std::string>& initializer_names,
                                             const std::string& path,
                                             const OnnxImportOptions& options) {
  std::vector<Declared> inputs;
  for (const auto& in : graph.input()) {
    if (initializer_names.count(in.name())) continue;  // old exporters list weights as inputs
    Declared decl;
    decl.name = in.name();
    const std::string where = path + ": graph input " + quote(in.name());
    if (!in.type().has_tensor_type())
      throw UserError(where + " is not a tensor; mpsim needs tensor inputs");
    decl.has_shape = in.type().tensor_type().has_shape();
    if (decl.has_shape) {
      const auto& dims = in.type().tensor_type().shape().dim();
      for (int d = 0; d < dims.size(); ++d) {
        const auto& dim = dims[d];
        Dim out;
        if (dim.has_dim_value()) {
          if (dim.dim_value() <= 0)
            throw UserError(where + " has dimension " + std::to_string(d) + " of size " +
                            std::to_string(dim.dim_value()) + "; sizes must be positive");
          out.value = dim.dim_value();
          out.fixed = true;
        } else if (dim.has_dim_param()) {
          out.param = dim.dim_param();
        }
        decl.dims.push_back(out);
      }
    }
    inputs.push_back(std::move(decl));
  }
  for (const auto& in : inputs) {
    if (in.has_shape) continue;
    bool given = false;
    for (const auto& s : options.input_shapes)
      given = given || s.name == in.name;
    if (!given)
      throw UserError(path + ": graph input " + quote(in.name) +
                      " has no shape in the model; give it with --input-shape " +
                      printable(in.name) + "=D1xD2x...");
  }
  return Resolver(path, options).run(std::move(inputs));
}

}  // namespace onnx_import

}  // namespace mpsim
