// The network file schema. Each op's keys are declared once with their defaults (Layer's in
// workloads/network.h; tests/workloads/test_config_defaults.cpp checks that writing a default
// changes nothing), ranges and meaning; docs/workloads.md holds the tables (`mpsim workload
// keys`).
#include "workloads/src/network_schema.h"

#include <map>

#include "workloads/network_io.h"

namespace mpsim {

namespace {

using config::KeySchema;
using config::TableSchema;
using T = config::ValueType;

// Every op a network file may name ("input" is what [[input]] tables are).
std::vector<std::string> layer_op_names() {
  std::vector<std::string> out;
  for (auto& name : op_names())
    if (name != "input") out.push_back(std::move(name));
  return out;
}

const std::vector<KeySchema>& common_keys() {
  static const std::vector<KeySchema> keys{
      {.key = "name",
       .type = T::kString,
       .required = true,
       .description = "unique among inputs and layers; used by `input`/`inputs` and by precision "
                      "maps"},
      {.key = "op",
       .type = T::kChoice,
       .required = true,
       .choices = layer_op_names,
       .noun = "op",
       .description = "what the layer computes (its keys below)"},
      {.key = "input",
       .type = T::kString,
       .default_note = "the layer above",
       .description = "the one tensor the layer reads; the first layer reads the network's input "
                      "when it has exactly one (with several, name it)"},
      {.key = "inputs",
       .type = T::kStrings,
       .description = "the operands of a multi-input op (`add`, `matmul`, `concat`, ...), in "
                      "order; give `input` or `inputs`, not both"},
  };
  return keys;
}

KeySchema bias() {
  return {.key = "bias",
          .type = T::kBoolean,
          .default_value = "false",
          .description = "a bias per output (counted apart from the weights)"};
}

KeySchema window(std::string_view key, std::string_view description) {
  return {
      .key = key, .type = T::kIntegerPair, .required = true, .min = 1, .description = description};
}

KeySchema padding(bool required) {
  return {.key = "padding",
          .type = T::kPadding,
          .default_value = required ? "" : "0",
          .required = required,
          .min = 0,
          .description =
              "zeros around the input: one for all sides, [h, w] (h top and bottom, w left "
              "and right) or each side"};
}

KeySchema axis(std::string_view default_value, std::string_view description) {
  return {.key = "axis",
          .type = T::kInteger,
          .default_value = default_value,
          .required = default_value.empty(),
          .description = description};
}

std::vector<OpKeys> make_groups() {
  KeySchema stride{.key = "stride",
                   .type = T::kIntegerPair,
                   .default_value = "1",
                   .min = 1,
                   .description = "steps of the window"};
  KeySchema pool_stride = stride;
  pool_stride.default_value = "";
  pool_stride.default_note = "= kernel";
  return {
      {{"conv2d"},
       {"conv2d",
        {{.key = "out_channels",
          .type = T::kInteger,
          .required = true,
          .min = 1,
          .description = "output channels (filters)"},
         window("kernel", "kernel height and width"),
         stride,
         padding(false),
         {.key = "dilation",
          .type = T::kIntegerPair,
          .default_value = "1",
          .min = 1,
          .description = "spacing of the kernel's taps"},
         {.key = "groups",
          .type = T::kInteger,
          .default_value = "1",
          .min = 1,
          .description = "must divide the input channels and `out_channels` (depthwise: groups "
                         "= channels)"},
         bias()}}},
      {{"linear"},
       {"linear",
        {{.key = "out_features",
          .type = T::kInteger,
          .required = true,
          .min = 1,
          .description = "outputs; applies to the last dim: [..., in] -> [..., out_features]"},
         bias()}}},
      {{"matmul"},
       {"matmul",
        {{.key = "transpose_b",
          .type = T::kBoolean,
          .default_value = "false",
          .description = "the second operand is [..., N, K] (`true`) rather than [..., K, N]"}}}},
      {{"maxpool", "avgpool"},
       {"pooling",
        {window("kernel", "window height and width"),
         pool_stride,
         padding(false),
         {.key = "ceil_mode",
          .type = T::kBoolean,
          .default_value = "false",
          .description = "round the output size up (a window must start inside the input or its "
                         "left padding)"},
         {.key = "count_include_pad",
          .type = T::kBoolean,
          .default_value = "false",
          .description = "avgpool: padding counts in the divisor"}}}},
      {{"layernorm"}, {"layernorm", {axis("-1", "normalizes over the dims from `axis` on")}}},
      {{"softmax"}, {"softmax", {axis("-1", "the dim it normalizes along")}}},
      {{"concat"},
       {"concat", {axis("1", "operands are equal outside `axis` and summed along it")}}},
      {{"reduce_mean", "reduce_sum", "reduce_max"},
       {"reduction",
        {{.key = "axes",
          .type = T::kIntegers,
          .default_note = "all dims",
          .description = "the dims reduced"},
         {.key = "keepdims",
          .type = T::kBoolean,
          .default_value = "true",
          .description = "reduced dims become 1 (`true`) or are dropped"}}}},
      {{"reshape"},
       {"reshape",
        {{.key = "shape",
          .type = T::kIntegers,
          .required = true,
          .min = -1,
          .description = "the output shape: 0 copies the input's dim, one -1 is inferred; the "
                         "element count must not change"}}}},
      {{"transpose"},
       {"transpose",
        {{.key = "perm",
          .type = T::kIntegers,
          .required = true,
          .description = "a permutation of the dims: output dim i is input dim perm[i]"}}}},
      {{"slice"},
       {"slice",
        {axis("", "the dim cut"),
         {.key = "start",
          .type = T::kInteger,
          .default_value = "0",
          .description = "first index (negative counts from the end, then clamps, as in Python)"},
         {.key = "end",
          .type = T::kInteger,
          .required = true,
          .description = "index after the last (negative counts from the end)"},
         {.key = "step", .type = T::kInteger, .default_value = "1", .description = "not 0"}}}},
      {{"gather"},
       {"gather",
        {axis("", "the dim indexed; it is removed"),
         {.key = "index",
          .type = T::kInteger,
          .required = true,
          .description = "the one index taken along `axis`"}}}},
      {{"pad"}, {"pad", {padding(true)}}},
      {{"clip"},
       {"clip",
        {{.key = "min",
          .type = T::kFloat,
          .default_value = "0.0",
          .description = "lower bound (at most `max`)"},
         {.key = "max", .type = T::kFloat, .default_value = "6.0", .description = "upper bound"}}}},
  };
}

// The ops without keys of their own: the common keys only.
const OpKeys& no_keys() {
  static const OpKeys none{{}, {"", {}}};
  return none;
}

// One schema per op name, its header naming the op: `[[layer]] with op = "conv2d"`.
struct LayerTable {
  std::string header;
  TableSchema schema;
};

const OpKeys& group_of(const std::string& op) {
  for (const auto& g : op_key_groups())
    for (const auto& name : g.ops)
      if (name == op) return g;
  return no_keys();
}

}  // namespace

const std::vector<OpKeys>& op_key_groups() {
  static const std::vector<OpKeys> groups = make_groups();
  return groups;
}

const TableSchema& layer_schema(const OpKind& op) {
  static const std::map<std::string, LayerTable> tables = [] {
    std::map<std::string, LayerTable> out;
    for (const auto& name : layer_op_names()) {
      auto& t = out[name];
      t.header = "[[layer]] with op = \"" + name + "\"";
      t.schema.keys = common_keys();
      for (const auto& k : group_of(name).keys.keys)
        t.schema.keys.push_back(k);
    }
    // The headers point into the map's nodes, which never move.
    for (auto& [name, t] : out)
      t.schema.header = t.header;
    return out;
  }();
  return tables.at(op_name(op)).schema;
}

const TableSchema& network_schema() {
  static const TableSchema input{
      "[[input]]",
      {{.key = "name",
        .type = T::kString,
        .required = true,
        .description = "unique among inputs and layers"},
       {.key = "shape",
        .type = T::kIntegers,
        .required = true,
        .min = 1,
        .description = "its dims (NCHW for convolutions); the first is the batch, which "
                       "`--batch` replaces"}}};
  static const TableSchema layer{"[[layer]]", common_keys()};
  static const TableSchema root{
      "a network file",
      {{.key = "name",
        .type = T::kString,
        .default_note = "the file's path",
        .description = "the network's name"},
       {.key = "description", .type = T::kString, .description = "free text, not interpreted"},
       {.key = "source",
        .type = T::kString,
        .description = "free text: the paper, model or file it comes from"},
       {.key = "input",
        .type = T::kTables,
        .required = true,
        .description = "the graph inputs, at least one `[[input]]` table",
        .table = &input},
       {.key = "layer",
        .type = T::kTables,
        .default_note = "none",
        .description = "the operations in topological order: a layer reads only inputs and "
                       "layers above it; the keys of each op follow",
        .table = &layer}}};
  return root;
}

std::string network_keys_markdown() {
  std::string out = config::markdown_table(network_schema());
  std::vector<std::string> plain;
  for (const auto& name : layer_op_names())
    if (group_of(name).ops.empty()) plain.push_back("`" + name + "`");
  for (const auto& g : op_key_groups()) {
    std::string ops;
    for (const auto& name : g.ops)
      ops += (ops.empty() ? "`" : ", `") + name + "`";
    out += "\nThe keys of " + ops + " layers:\n\n" + config::markdown_table(g.keys);
  }
  std::string list;
  for (const auto& p : plain)
    list += (list.empty() ? "" : ", ") + p;
  return out + "\nThe other ops take no keys but the common ones: " + list + ".\n";
}

}  // namespace mpsim
