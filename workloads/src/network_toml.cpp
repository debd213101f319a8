// Parses network files. TOML types stay in this file; the rest of mpsim sees a Network.
#include <toml++/toml.h>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/src/toml_util.h"

namespace mpsim {

namespace {

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::source_region& where, const std::string& message) const {
    throw UserError(located(source_, static_cast<int>(where.begin.line),
                            static_cast<int>(where.begin.column), message));
  }

  std::int64_t integer(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::int64_t>()) return *v;
    fail(n.source(), "key '" + key + "': expected an integer, found " + type_name(n));
  }

  bool boolean(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<bool>()) return *v;
    fail(n.source(), "key '" + key + "': expected true or false, found " + type_name(n));
  }

  double number(const toml::node& n, const std::string& key) const {
    if (auto v = n.value<double>()) return *v;
    fail(n.source(), "key '" + key + "': expected a number, found " + type_name(n));
  }

  // A number stored as a float: beyond float's range the conversion would be undefined.
  float single(const toml::node& n, const std::string& key) const {
    const double v = number(n, key);
    if (std::isfinite(v) && std::fabs(v) > std::numeric_limits<float>::max())
      fail(n.source(), "key '" + key + "': " + number_text(v) + " is beyond the float range (" +
                           number_text(std::numeric_limits<float>::max(), 7) + ")");
    return static_cast<float>(v);
  }

  std::string string(const toml::node& n, const std::string& key) const {
    if (auto v = n.value_exact<std::string>()) return *v;
    fail(n.source(), "key '" + key + "': expected a string, found " + type_name(n));
  }

  std::vector<std::int64_t> integers(const toml::node& n, const std::string& key) const {
    const auto* arr = n.as_array();
    if (!arr)
      fail(n.source(), "key '" + key + "': expected an array of integers, found " + type_name(n));
    std::vector<std::int64_t> out;
    for (const auto& e : *arr)
      out.push_back(integer(e, key));
    return out;
  }

  std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
    const auto* arr = n.as_array();
    if (!arr)
      fail(n.source(), "key '" + key + "': expected an array of strings, found " + type_name(n));
    std::vector<std::string> out;
    for (const auto& e : *arr)
      out.push_back(string(e, key));
    return out;
  }

  // An int for both dims, or [h, w].
  std::pair<std::int64_t, std::int64_t> pair(const toml::node& n, const std::string& key) const {
    if (n.is_integer()) {
      const auto v = integer(n, key);
      return {v, v};
    }
    const auto v = n.is_array() ? integers(n, key) : std::vector<std::int64_t>{};
    if (v.size() != 2)
      fail(n.source(), "key '" + key + "': expected an integer or [h, w], found " + type_name(n));
    return {v[0], v[1]};
  }

  // An int, [h, w] or [top, left, bottom, right].
  std::array<std::int64_t, 4> padding(const toml::node& n, const std::string& key) const {
    if (n.is_integer()) {
      const auto v = integer(n, key);
      return {v, v, v, v};
    }
    const auto v = n.is_array() ? integers(n, key) : std::vector<std::int64_t>{};
    if (v.size() == 2) return {v[0], v[1], v[0], v[1]};
    if (v.size() == 4) return {v[0], v[1], v[2], v[3]};
    fail(n.source(), "key '" + key +
                         "': expected an integer, [h, w] or [top, left, bottom, right], found " +
                         type_name(n));
  }

  static std::string type_name(const toml::node& n) {
    switch (n.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a float";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::array:
        return "an array";
      case toml::node_type::table:
        return "a table";
      default:
        return "a date or time";
    }
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

// Keys each op accepts besides name, op, input and inputs.
const std::set<std::string>& keys_for(const Layer& l) {
  static const std::map<std::string, std::set<std::string>> table = {
      {"conv2d", {"out_channels", "kernel", "stride", "padding", "dilation", "groups", "bias"}},
      {"linear", {"out_features", "bias"}},
      {"matmul", {"transpose_b"}},
      {"pool", {"kernel", "stride", "padding", "ceil_mode", "count_include_pad"}},
      {"axis", {"axis"}},
      {"reduce", {"axes", "keepdims"}},
      {"reshape", {"shape"}},
      {"transpose", {"perm"}},
      {"slice", {"axis", "start", "end", "step"}},
      {"gather", {"axis", "index"}},
      {"pad", {"padding"}},
      {"clip", {"min", "max"}},
      {"none", {}},
  };
  switch (l.op) {
    case Op::kConv2d:
      return table.at("conv2d");
    case Op::kLinear:
      return table.at("linear");
    case Op::kMatMul:
      return table.at("matmul");
    case Op::kMaxPool:
    case Op::kAvgPool:
      return table.at("pool");
    case Op::kLayerNorm:
    case Op::kSoftmax:
    case Op::kConcat:
      return table.at("axis");
    case Op::kReduce:
      return table.at("reduce");
    case Op::kReshape:
      return table.at("reshape");
    case Op::kTranspose:
      return table.at("transpose");
    case Op::kSlice:
      return table.at("slice");
    case Op::kGather:
      return table.at("gather");
    case Op::kPad:
      return table.at("pad");
    case Op::kUnary:
      return l.unary == UnaryOp::kClip ? table.at("clip") : table.at("none");
    default:
      return table.at("none");
  }
}

void read_layer_keys(const Reader& r, const toml::table& t, Layer& l) {
  const std::string where = "layer " + quote(l.name) + ": ";
  const auto& allowed = keys_for(l);
  for (const auto& [k, v] : t) {
    const std::string key(k.str());
    if (key == "name" || key == "op" || key == "input" || key == "inputs") continue;
    if (!allowed.count(key)) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      r.fail(v.source(),
             where + "unknown key " + quote(key) + " for op '" + op_name(l) + "'" +
                 (names.empty() ? " (it takes none)" : "; expected one of: " + join(names)));
    }
    if (key == "out_channels")
      l.conv.out_channels = r.integer(v, key);
    else if (key == "kernel") {
      auto [h, w] = r.pair(v, key);
      l.conv.kernel_h = l.pool.kernel_h = h;
      l.conv.kernel_w = l.pool.kernel_w = w;
    } else if (key == "stride") {
      auto [h, w] = r.pair(v, key);
      l.conv.stride_h = l.pool.stride_h = h;
      l.conv.stride_w = l.pool.stride_w = w;
    } else if (key == "padding") {
      auto p = r.padding(v, key);
      l.conv.pad_top = l.pool.pad_top = p[0];
      l.conv.pad_left = l.pool.pad_left = p[1];
      l.conv.pad_bottom = l.pool.pad_bottom = p[2];
      l.conv.pad_right = l.pool.pad_right = p[3];
    } else if (key == "dilation") {
      auto [h, w] = r.pair(v, key);
      l.conv.dilation_h = h;
      l.conv.dilation_w = w;
    } else if (key == "groups")
      l.conv.groups = r.integer(v, key);
    else if (key == "bias")
      l.has_bias = r.boolean(v, key);
    else if (key == "out_features")
      l.out_features = r.integer(v, key);
    else if (key == "transpose_b")
      l.transpose_b = r.boolean(v, key);
    else if (key == "ceil_mode")
      l.pool.ceil_mode = r.boolean(v, key);
    else if (key == "count_include_pad")
      l.pool.count_include_pad = r.boolean(v, key);
    else if (key == "axis")
      l.axis = r.integer(v, key);
    else if (key == "axes")
      l.axes = r.integers(v, key);
    else if (key == "keepdims")
      l.keepdims = r.boolean(v, key);
    else if (key == "shape")
      l.target_shape = r.integers(v, key);
    else if (key == "perm")
      l.axes = r.integers(v, key);
    else if (key == "start")
      l.start = r.integer(v, key);
    else if (key == "end")
      l.end = r.integer(v, key);
    else if (key == "step")
      l.step = r.integer(v, key);
    else if (key == "index")
      l.index = r.integer(v, key);
    else if (key == "min")
      l.clip_min = r.single(v, key);
    else if (key == "max")
      l.clip_max = r.single(v, key);
  }
  // Defaults that depend on other keys.
  if ((l.op == Op::kMaxPool || l.op == Op::kAvgPool) && !t.contains("stride")) {
    l.pool.stride_h = l.pool.kernel_h;
    l.pool.stride_w = l.pool.kernel_w;
  }
  if (l.op == Op::kConcat && !t.contains("axis")) l.axis = 1;
  auto require = [&](const char* key) {
    if (!t.contains(key))
      r.fail(t.source(), where + "op '" + op_name(l) + "' needs key '" + key + "'");
  };
  if (l.op == Op::kConv2d) require("out_channels"), require("kernel");
  if (l.op == Op::kLinear) require("out_features");
  if (l.op == Op::kMaxPool || l.op == Op::kAvgPool) require("kernel");
  if (l.op == Op::kReshape) require("shape");
  if (l.op == Op::kTranspose) require("perm");
  if (l.op == Op::kSlice) require("axis"), require("end");
  if (l.op == Op::kGather) require("axis"), require("index");
  if (l.op == Op::kPad) require("padding");
}

}  // namespace

Network parse_network_toml(std::string_view text, const std::string& source,
                           std::optional<std::int64_t> batch) {
  constexpr std::int64_t kMaxBatch = std::int64_t{1} << 31;
  if (batch && (*batch <= 0 || *batch > kMaxBatch))
    throw UserError("--batch " + std::to_string(*batch) + ": must be from 1 to " +
                    std::to_string(kMaxBatch));
  const toml::table root = parse_toml(text, source);
  const Reader r(source);
  static const std::set<std::string> top_keys = {"name", "description", "source", "input", "layer"};
  for (const auto& [k, v] : root)
    if (!top_keys.count(std::string(k.str())))
      r.fail(v.source(), "unknown key " + quote(k.str()) +
                             "; expected one of: name, description, source, input, layer");

  Network net(root.contains("name") ? r.string(*root.get("name"), "name") : source);

  const auto* inputs = root.get("input");
  if (!inputs || !inputs->is_array_of_tables())
    r.fail(root.source(), "a network needs at least one [[input]] table with name and shape");
  for (const auto& node : *inputs->as_array()) {
    const auto& t = *node.as_table();
    for (const auto& [k, v] : t)
      if (k.str() != "name" && k.str() != "shape")
        r.fail(v.source(),
               "[[input]]: unknown key " + quote(k.str()) + "; expected name and shape");
    if (!t.contains("name") || !t.contains("shape"))
      r.fail(t.source(), "[[input]] needs name and shape");
    const auto name = r.string(*t.get("name"), "name");
    try {
      Shape shape = r.integers(*t.get("shape"), "shape");
      if (batch && !shape.empty()) shape[0] = *batch;
      net.add_input(name, std::move(shape), static_cast<int>(t.source().begin.line));
    } catch (const UserError& e) {
      throw UserError(located(source, static_cast<int>(t.source().begin.line), 0, e.what()));
    }
  }

  const auto* layers = root.get("layer");
  if (!layers) return net;
  if (!layers->is_array_of_tables())
    r.fail(layers->source(), "'layer' must be an array of tables ([[layer]])");
  // A layer without input/inputs reads the layer above; the first layer reads the network's
  // input when there is exactly one.
  const std::size_t input_count = net.size();
  int previous = input_count == 1 ? 0 : -1;
  for (const auto& node : *layers->as_array()) {
    const auto& t = *node.as_table();
    const int line = static_cast<int>(t.source().begin.line);
    if (!t.contains("name")) r.fail(t.source(), "[[layer]] needs a name");
    if (!t.contains("op")) r.fail(t.source(), "[[layer]] needs an op");
    Layer l;
    l.name = r.string(*t.get("name"), "name");
    l.source_line = line;
    const auto op_text = r.string(*t.get("op"), "op");
    const auto op = parse_op_name(op_text);
    if (!op || op->op == Op::kInput) {
      auto hint = closest_names(op_text, op_names());
      r.fail(t.get("op")->source(),
             "layer " + quote(l.name) + ": unknown op " + quote(op_text) +
                 (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)") +
                 "; valid ops: " + join(op_names()));
    }
    static_cast<OpKind&>(l) = *op;  // the op with its sub-op

    std::vector<std::string> input_names;
    if (t.contains("input") && t.contains("inputs"))
      r.fail(t.source(), "layer " + quote(l.name) + ": give either input or inputs, not both");
    if (const auto* in = t.get("input")) input_names.push_back(r.string(*in, "input"));
    if (const auto* in = t.get("inputs")) input_names = r.strings(*in, "inputs");
    if (input_names.empty()) {
      if (previous < 0)
        r.fail(t.source(), "layer " + quote(l.name) + " names no input and the network has " +
                               std::to_string(input_count) + " inputs; give input = \"...\"");
      l.inputs.push_back(previous);  // default: the layer above
    }
    for (const auto& name : input_names) {
      const auto id = net.find(name);
      if (!id) {
        std::vector<std::string> hint;
        for (const auto& close : closest_names(name, net.layer_names()))
          hint.push_back(printable(close));
        r.fail(t.source(), "layer " + quote(l.name) + ": input " + quote(name) +
                               " is not defined above" +
                               (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)"));
      }
      l.inputs.push_back(*id);
    }
    read_layer_keys(r, t, l);
    try {
      previous = net.add_layer(std::move(l));
    } catch (const UserError& e) {
      std::string hint;
      if (batch && *batch != 1)
        hint = " (with --batch " + std::to_string(*batch) + " every input's leading dimension is " +
               std::to_string(*batch) +
               "; a reshape follows it when its shape gives 0 for the batch)";
      throw UserError(located(source, line, 0, e.what() + hint));
    }
  }
  return net;
}

Network load_network_toml(const std::string& path, std::optional<std::int64_t> batch) {
  return parse_network_toml(read_text_file(path, "network file"), path, batch);
}

}  // namespace mpsim
