// The defaults the precision-map and network-file schemas declare (and docs/ prints) are what
// leaving a key out gives: writing a key as its documented default changes nothing.
#include <doctest/doctest.h>

#include <sstream>

#include "tests/keys_table.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

using namespace mpsim;

namespace {

const char* kNet = R"([[input]]
name = "x"
shape = [1, 4, 8, 8]
[[layer]]
name = "c"
op = "conv2d"
out_channels = 4
kernel = 3
[[layer]]
name = "flat"
op = "reshape"
shape = [1, -1]
[[layer]]
name = "fc"
op = "linear"
out_features = 2
)";

// Every field of every MAC layer's precision, so two maps compare as text.
std::string map_text(const std::string& map) {
  const Network net = parse_network_toml(kNet, "net.toml");
  const PrecisionMap m = resolve_precision_map(parse_precision_map(map, "m.toml"), net);
  std::ostringstream o;
  for (int id : net.mac_layers()) {
    const auto& p = m.at(id);
    o << p.weight.name() << ' ' << p.activation.name() << ' '
      << (p.accumulator ? p.accumulator->name() : "-") << ' '
      << granularity_name(p.granularity, p.cluster_size, p.cluster_unit) << ' '
      << static_cast<int>(p.cluster_unit) << ' ' << weight_scale_name(p.weight_scale) << '\n';
  }
  return o.str();
}

// Every attribute of a layer and what was inferred from them.
std::string layer_text(const Layer& l) {
  std::ostringstream o;
  const auto& c = l.conv;
  const auto& p = l.pool;
  o << op_name(l) << " conv " << c.out_channels << ' ' << c.kernel_h << ' ' << c.kernel_w << ' '
    << c.stride_h << ' ' << c.stride_w << ' ' << c.pad_top << ' ' << c.pad_left << ' '
    << c.pad_bottom << ' ' << c.pad_right << ' ' << c.dilation_h << ' ' << c.dilation_w << ' '
    << c.groups << " pool " << p.kernel_h << ' ' << p.kernel_w << ' ' << p.stride_h << ' '
    << p.stride_w << ' ' << p.pad_top << ' ' << p.pad_left << ' ' << p.pad_bottom << ' '
    << p.pad_right << ' ' << p.ceil_mode << ' ' << p.count_include_pad << " | " << l.out_features
    << ' ' << l.has_bias << ' ' << l.transpose_b << ' ' << l.axis << ' ' << shape_string(l.axes)
    << ' ' << l.keepdims << ' ' << shape_string(l.target_shape) << ' ' << l.start << ' ' << l.end
    << ' ' << l.step << ' ' << l.index << ' ' << l.clip_min << ' ' << l.clip_max << " -> "
    << shape_string(l.output_shape) << ' ' << l.macs << ' ' << l.weight_count << ' '
    << l.bias_count;
  return o.str();
}

// A layer of each op with keys, its required keys given, and the input it reads.
struct MinimalLayer {
  const char* op;
  const char* input_shape;
  const char* keys;
};
const MinimalLayer kMinimal[] = {
    {"conv2d", "[1, 4, 8, 8]", "out_channels = 4\nkernel = 3\n"},
    {"linear", "[2, 4]", "out_features = 3\n"},
    {"matmul", "[1, 4, 4]", "inputs = [\"x\", \"x\"]\n"},
    {"maxpool", "[1, 2, 8, 8]", "kernel = 2\n"},
    {"layernorm", "[2, 4]", ""},
    {"softmax", "[2, 4]", ""},
    {"concat", "[1, 2, 4, 4]", "inputs = [\"x\", \"x\"]\n"},
    {"reduce_mean", "[1, 2, 4, 4]", ""},
    {"reshape", "[1, 2, 4, 4]", "shape = [1, 32]\n"},
    {"transpose", "[1, 2, 4]", "perm = [0, 2, 1]\n"},
    {"slice", "[1, 8]", "axis = 1\nend = 4\n"},
    {"gather", "[1, 8]", "axis = 1\nindex = 2\n"},
    {"pad", "[1, 2, 4, 4]", "padding = 1\n"},
    {"clip", "[2, 4]", ""},
};

std::string layer_of(const MinimalLayer& m, const std::string& extra) {
  const Network net =
      parse_network_toml(std::string("[[input]]\nname = \"x\"\nshape = ") + m.input_shape +
                             "\n[[layer]]\nname = \"l\"\nop = \"" + m.op + "\"\n" + m.keys + extra,
                         "net.toml");
  return layer_text(net.layer(*net.find("l")));
}

}  // namespace

TEST_CASE("map keys: writing a documented default of [default] is the same as leaving it out") {
  const std::string base = "[default]\nweight = \"int8\"\nactivation = \"int8\"\n";
  const std::string without = map_text(base);
  int checked = 0;
  for (const auto& table : test::keys_tables(precision_map_keys_markdown()))
    for (const auto& row : table.rows) {
      // An override's keys default to what the entries above gave: nothing to write there.
      if (row.default_value.empty() || row.key.rfind("default.", 0) != 0) continue;
      INFO(row.key << " = " << row.default_value);
      CHECK(map_text(base + row.key.substr(8) + " = " + row.default_value + "\n") == without);
      ++checked;
    }
  CHECK(checked == 3);  // granularity, cluster_of, weight_scale
}

TEST_CASE(
    "network keys: writing a documented default of an op's key is the same as leaving it "
    "out") {
  int checked = 0;
  for (const auto& table : test::keys_tables(network_keys_markdown())) {
    // "The keys of `maxpool`, `avgpool` layers:": the first op names the group.
    const auto tick = table.caption.find('`');
    if (table.caption.rfind("The keys of ", 0) != 0 || tick == std::string::npos) continue;
    const std::string op =
        table.caption.substr(tick + 1, table.caption.find('`', tick + 1) - tick - 1);
    INFO(op);
    const MinimalLayer* m = nullptr;
    for (const auto& candidate : kMinimal)
      if (op == candidate.op) m = &candidate;
    REQUIRE_MESSAGE(m, "no minimal layer of op " << op << " in this test");
    const std::string without = layer_of(*m, "");
    for (const auto& row : table.rows) {
      if (row.default_value.empty()) continue;
      INFO(row.key << " = " << row.default_value);
      CHECK(layer_of(*m, row.key + " = " + row.default_value + "\n") == without);
      ++checked;
    }
  }
  CHECK(checked >= 18);  // the tables were read: every op key with a default was tried
}
