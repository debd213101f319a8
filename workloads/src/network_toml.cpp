// Parses network files against their schema (network_schema.cpp). TOML types stay in this file;
// the rest of mpsim sees a Network. Every key, type and range error of every layer is reported;
// a layer is added to the network (its shape inferred) only while every layer above it could
// be, since an error there would make the shapes below it meaningless.
#include <toml++/toml.h>

#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/config_reader.h"
#include "workloads/src/network_schema.h"
#include "workloads/src/toml_util.h"

namespace mpsim {

namespace {

using config::Table;

// The op's own keys into the layer. The schema holds only the keys of this op, so each key is
// read only when it is declared.
void read_layer_keys(const Table& t, Layer& l) {
  const auto declared = [&t](std::string_view key) { return t.schema().find(key) != nullptr; };
  if (declared("out_channels"))
    if (auto v = t.integer("out_channels")) l.conv.out_channels = *v;
  if (declared("kernel"))
    if (auto v = t.pair("kernel")) {
      l.conv.kernel_h = l.pool.kernel_h = (*v)[0];
      l.conv.kernel_w = l.pool.kernel_w = (*v)[1];
    }
  if (declared("stride"))
    if (auto v = t.pair("stride")) {
      l.conv.stride_h = l.pool.stride_h = (*v)[0];
      l.conv.stride_w = l.pool.stride_w = (*v)[1];
    }
  if (declared("padding"))
    if (auto p = t.padding("padding")) {
      l.conv.pad_top = l.pool.pad_top = (*p)[0];
      l.conv.pad_left = l.pool.pad_left = (*p)[1];
      l.conv.pad_bottom = l.pool.pad_bottom = (*p)[2];
      l.conv.pad_right = l.pool.pad_right = (*p)[3];
    }
  if (declared("dilation"))
    if (auto v = t.pair("dilation")) {
      l.conv.dilation_h = (*v)[0];
      l.conv.dilation_w = (*v)[1];
    }
  if (declared("groups"))
    if (auto v = t.integer("groups")) l.conv.groups = *v;
  if (declared("bias"))
    if (auto v = t.boolean("bias")) l.has_bias = *v;
  if (declared("out_features"))
    if (auto v = t.integer("out_features")) l.out_features = *v;
  if (declared("transpose_b"))
    if (auto v = t.boolean("transpose_b")) l.transpose_b = *v;
  if (declared("ceil_mode"))
    if (auto v = t.boolean("ceil_mode")) l.pool.ceil_mode = *v;
  if (declared("count_include_pad"))
    if (auto v = t.boolean("count_include_pad")) l.pool.count_include_pad = *v;
  if (declared("axis"))
    if (auto v = t.integer("axis")) l.axis = *v;
  if (declared("axes"))
    if (auto v = t.integers("axes")) l.axes = *v;
  if (declared("keepdims"))
    if (auto v = t.boolean("keepdims")) l.keepdims = *v;
  if (declared("shape"))
    if (auto v = t.integers("shape")) l.target_shape = *v;
  if (declared("perm"))
    if (auto v = t.integers("perm")) l.axes = *v;
  if (declared("start"))
    if (auto v = t.integer("start")) l.start = *v;
  if (declared("end"))
    if (auto v = t.integer("end")) l.end = *v;
  if (declared("step"))
    if (auto v = t.integer("step")) l.step = *v;
  if (declared("index"))
    if (auto v = t.integer("index")) l.index = *v;
  if (declared("min"))
    if (auto v = t.single("min")) l.clip_min = *v;
  if (declared("max"))
    if (auto v = t.single("max")) l.clip_max = *v;
  // Defaults that depend on the op or on other keys.
  if ((l.op == Op::kMaxPool || l.op == Op::kAvgPool) && !t.has("stride")) {
    l.pool.stride_h = l.pool.kernel_h;
    l.pool.stride_w = l.pool.kernel_w;
  }
  if (l.op == Op::kConcat && !t.has("axis")) l.axis = 1;
}

// Builds the network from the tables, reporting into `r`.
class NetworkBuilder {
 public:
  NetworkBuilder(config::Reader& r, Network& net, std::optional<std::int64_t> batch)
      : r_(r), net_(net), batch_(batch) {}

  void add_input(const Table& t) {
    const std::size_t errors = r_.error_count();
    const auto name = t.string("name");
    auto shape = t.integers("shape");
    if (!name || !shape || r_.error_count() != errors) buildable_ = false;
    if (!buildable_) return;
    if (batch_ && !shape->empty()) (*shape)[0] = *batch_;
    const int line = static_cast<int>(t.node()->source().begin.line);
    try {
      net_.add_input(*name, std::move(*shape), line);
    } catch (const UserError& e) {
      r_.error_located(line, 0, e.what());
      buildable_ = false;
    }
  }

  void add_layer(const Table& common) {
    const std::size_t errors = r_.error_count();
    const auto& region = common.node()->source();
    const int line = static_cast<int>(region.begin.line);
    const int column = static_cast<int>(region.begin.column);
    Layer l;
    l.source_line = line;
    const auto op = common.string("op");
    if (!op) {
      common.check_required();  // the op's keys are unknown, so only the common ones are checked
      buildable_ = false;
      return;
    }
    static_cast<OpKind&>(l) = *parse_op_name(*op);  // the op with its sub-op
    const Table t(r_, common.node(), layer_schema(l), common.path());
    t.check();
    l.name = t.string("name").value_or("");
    std::vector<std::string> input_names;
    if (t.has("input") && t.has("inputs"))
      t.error("inputs", "give either input or inputs, not both");
    if (auto v = t.string("input")) input_names.push_back(*v);
    if (auto v = t.strings("inputs")) input_names = *v;
    read_layer_keys(t, l);
    if (r_.error_count() != errors) buildable_ = false;
    if (!buildable_) return;

    if (input_names.empty()) {
      if (previous_ < 0) {
        r_.error_located(line, column,
                         "layer " + quote(l.name) + " names no input and the network has " +
                             std::to_string(net_.size()) + " inputs; give input = \"...\"");
        buildable_ = false;
        return;
      }
      l.inputs.push_back(previous_);  // default: the layer above
    }
    for (const auto& name : input_names) {
      const auto id = net_.find(name);
      if (!id) {
        std::vector<std::string> hint;
        for (const auto& close : closest_names(name, net_.layer_names()))
          hint.push_back(printable(close));
        r_.error_located(line, column,
                         "layer " + quote(l.name) + ": input " + quote(name) +
                             " is not defined above" +
                             (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)"));
        buildable_ = false;
        return;
      }
      l.inputs.push_back(*id);
    }
    try {
      previous_ = net_.add_layer(std::move(l));
    } catch (const UserError& e) {
      std::string hint;
      if (batch_ && *batch_ != 1)
        hint = " (with --batch " + std::to_string(*batch_) +
               " every input's leading dimension is " + std::to_string(*batch_) +
               "; a reshape follows it when its shape gives 0 for the batch)";
      r_.error_located(line, 0, e.what() + hint);
      buildable_ = false;
    }
  }

  // After the inputs: a layer without input/inputs reads the layer above; the first layer
  // reads the network's input when there is exactly one.
  // Without an input no layer has anything to read.
  void inputs_done() {
    previous_ = net_.size() == 1 ? 0 : -1;
    if (net_.size() == 0) buildable_ = false;
  }

 private:
  config::Reader& r_;
  Network& net_;
  std::optional<std::int64_t> batch_;
  bool buildable_ = true;
  int previous_ = -1;
};

}  // namespace

Network parse_network_toml(std::string_view text, const std::string& source,
                           std::optional<std::int64_t> batch) {
  constexpr std::int64_t kMaxBatch = std::int64_t{1} << 31;
  if (batch && (*batch <= 0 || *batch > kMaxBatch))
    throw UserError("--batch " + std::to_string(*batch) + ": must be from 1 to " +
                    std::to_string(kMaxBatch));
  const toml::table root = parse_toml(text, source);
  config::Reader r(source);
  const Table top(r, &root, network_schema(), "");
  top.check();
  Network net(top.string("name").value_or(source));
  top.string("description");  // free text, checked to be text
  top.string("source");
  NetworkBuilder builder(r, net, batch);
  const auto inputs = top.entries("input");
  if (inputs.empty() && top.has("input") && top.get("input")->is_array())
    top.error("input", "needs at least one [[input]] table with name and shape");
  for (const auto& t : inputs)
    builder.add_input(t);
  builder.inputs_done();
  for (const auto& t : top.entries("layer", false))
    builder.add_layer(t);
  r.finish();
  return net;
}

Network load_network_toml(const std::string& path, std::optional<std::int64_t> batch) {
  return parse_network_toml(read_text_file(path, "network file"), path, batch);
}

}  // namespace mpsim
