// The catalogue of bad inputs: every reader and command handed what a hostile but realistic user
// would hand it. Each case asserts the exit status (2 unless stated), the fragments the message
// must hold (the file and line, the key, the layer, what was expected) and that nothing in the
// case's folder was created or changed: no output file, no partial file, no truncated target.
// Inputs that once crashed a reader under fuzzing are here too, with the message they now give
// (their bytes also stay in fuzz/regressions/).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/test_support.h"

namespace {

namespace fs = std::filesystem;
using mpsim::test::read_file;
using mpsim::test::run_cli;
using mpsim::test::ScopedEnv;
using mpsim::test::source_path;
using mpsim::test::TempDir;

struct Case {
  std::string what;               // the defect, as the test report names it
  std::vector<std::string> args;  // "{dir}": the case's folder, "{src}": the source tree
  std::vector<std::string> says;  // fragments of the message, "{dir}" replaced
  std::map<std::string, std::string> files = {};         // written into the folder first
  std::function<void(const std::string&)> prepare = {};  // special files, given the folder
  std::vector<std::pair<std::string, std::string>> env = {};
  int status = 2;
};

std::string substitute(std::string s, const std::string& dir) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{dir}", dir},
                                   {"{src}", std::string(MPSIM_SOURCE_DIR)}})
    for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
      s.replace(at, key.size(), value);
  return s;
}

// Every entry of the folder (not following links) with its kind and, for files, its bytes.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> entries;
  for (const auto& e :
       fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
    const auto name = e.path().lexically_relative(dir).string();
    const auto status = e.symlink_status();
    if (fs::is_symlink(status))
      entries[name] = "symlink -> " + fs::read_symlink(e.path()).string();
    else if (fs::is_regular_file(status))
      entries[name] = "file: " + read_file(e.path().string());
    else
      entries[name] = "kind " + std::to_string(static_cast<int>(status.type()));
  }
  return entries;
}

void check(const Case& c) {
  INFO(c.what);
  TempDir tmp;
  const std::string dir = tmp.path("case");
  fs::create_directory(dir);
  for (const auto& [name, bytes] : c.files) {
    std::ofstream f(dir + "/" + name, std::ios::binary);
    f << bytes;
  }
  if (c.prepare) c.prepare(dir);
  const auto before = snapshot(dir);
  std::vector<std::unique_ptr<ScopedEnv>> env;
  std::vector<std::string> env_values;
  env_values.reserve(c.env.size());
  for (const auto& [name, value] : c.env) {
    env_values.push_back(substitute(value, dir));
    env.push_back(std::make_unique<ScopedEnv>(name.c_str(), env_values.back().c_str()));
  }
  std::vector<std::string> args;
  for (const auto& a : c.args)
    args.push_back(substitute(a, dir));
  const auto r = run_cli(args);
  CHECK_MESSAGE(r.status == c.status, r.err);
  CHECK_MESSAGE(r.err.rfind("mpsim: error: ", 0) == 0, r.err);
  for (const auto& s : c.says)
    CHECK_MESSAGE(r.err.find(substitute(s, dir)) != std::string::npos,
                  "missing '" << substitute(s, dir) << "' in: " << r.err);
  CHECK_MESSAGE(r.out.empty(), r.out);
  CHECK(snapshot(dir) == before);  // nothing created, changed or removed
}

void check_all(const std::vector<Case>& cases) {
  for (const auto& c : cases)
    check(c);
}

// A full hardware config with one line replaced: bad values are tried in a config that is
// otherwise correct, so the message is about that value alone.
std::string edge_npu_with(const std::string& find, const std::string& replace) {
  std::string text = read_file(source_path("configs/hw/edge_npu.toml"));
  const auto at = text.find(find);
  REQUIRE_MESSAGE(at != std::string::npos, find);
  return text.replace(at, find.size(), replace);
}

// The fuzz seed of a SCALE-Sim config with one line replaced, as edge_npu_with() does.
std::string scalesim_seed_with(const std::string& find, const std::string& replace) {
  std::string text = read_file(source_path("fuzz/seeds/scalesim_cfg/tpu_like_ws_calc.cfg"));
  const auto at = text.find(find);
  REQUIRE_MESSAGE(at != std::string::npos, find);
  return text.replace(at, find.size(), replace);
}

// A .npy file's header switched to Fortran order ("False" -> "True ", the same length).
std::string fortran_order(std::string npy) {
  const auto at = npy.find("False");
  REQUIRE(at != std::string::npos);
  return npy.replace(at, 5, "True ");
}

const std::string kTopologyConv =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n";
const std::string kNetworkHead = "name = \"n\"\n[[input]]\nname = \"x\"\nshape = [1, 3, 8, 8]\n";

std::vector<std::string> estimate_with_map(const std::string& map) {
  return {"estimate", "--hw", "edge_npu", "-w", "resnet18", "-m", map, "-o", "{dir}/out.txt"};
}

std::vector<std::string> eval_on(const std::string& data, const std::string& labels = "") {
  std::vector<std::string> a = {"eval",         "--model", "{src}/models/fmnist_resnet.onnx",
                                "--dataset",    data,      "-o",
                                "{dir}/out.txt"};
  if (!labels.empty()) a.insert(a.end(), {"--labels", labels});
  return a;
}

std::vector<Case> hardware_cases() {
  return {
      {"a negative array size",
       {"hw", "show", "{dir}/a.toml"},
       {"{dir}/a.toml:2:8: key 'array.rows': must be between 1 and 65536, found -4"},
       {{"a.toml", "[array]\nrows = -4\n"}}},
      {"a float past double's range",
       {"hw", "show", "{dir}/b.toml"},
       {"{dir}/b.toml:2:", "1e400"},
       {{"b.toml", "[array]\nrows = 1e400\n"}}},
      {"an unclosed table header",
       {"hw", "show", "{dir}/c.toml"},
       {"{dir}/c.toml:1:7:", "expected ']'"},
       {{"c.toml", "[array\nrows = 4\n"}}},
      {"a misspelt table",
       {"hw", "show", "{dir}/d.toml"},
       {"{dir}/d.toml:1:2: unknown key 'arary' (did you mean 'array'?)"},
       {{"d.toml", "[arary]\nrows = 4\n"}}},
      {"two bad values are both reported",
       {"hw", "show", "{dir}/e.toml"},
       {"{dir}/e.toml:2:13: key 'array.clock_mhz': must be between 0.001 and 100000, found 1e+308",
        "{dir}/e.toml:4:26: key 'dram.bandwidth_gbytes_per_s'"},
       {{"e.toml", "[array]\nclock_mhz = 1e308\n[dram]\nbandwidth_gbytes_per_s = -1\n"}}},
      {"a buffer capacity near 2^63",
       {"hw", "show", "{dir}/f.toml"},
       {"key 'buffer.global_buffer.capacity_bytes': must be between 1 and 1099511627776"},
       {{"f.toml", edge_npu_with("capacity_kib = 128", "capacity_bytes = 9223372036854775807")}}},
      {"a fixed unit with several formats",
       {"hw", "show", "{dir}/g.toml"},
       {"key 'array.mac.kind': a fixed unit has one datapath"},
       {{"g.toml", "[array.mac]\nkind = \"fixed\"\nformats = [\"int8\", \"int4\"]\n"}}},
      {"a technology node without data",
       {"hw", "show", "{dir}/h.toml"},
       {"key 'technology.node_nm': unsupported node 3 nm; supported:"},
       {{"h.toml", edge_npu_with("node_nm = 28", "node_nm = 3")}}},
      {"a temperature outside the device tables",
       {"hw", "show", "{dir}/i.toml"},
       {"key 'technology.temperature_k': must be between 300 and 360, found 400"},
       {{"i.toml", edge_npu_with("temperature_k = 360", "temperature_k = 400")}}},
      {"bytes that are not UTF-8",
       {"hw", "show", "{dir}/j.toml"},
       {"{dir}/j.toml:1:1:", "utf-8"},
       {{"j.toml", "\xff\xfe[array]\n"}}},
      {"a PE count past 2^31 (once a negative area)",
       {"estimate", "--hw", "edge_npu", "--set", "array.rows=65536", "--set", "array.cols=32768",
        "-w", "resnet18", "-o", "{dir}/out.txt"},
       {"key 'array.cols': an array of 65536 x 32768 = 2147483648 PEs is larger than"}},
      {"--set of an unknown key",
       {"hw", "show", "edge_npu", "--set", "array.rowz=3"},
       {"array.rowz", "did you mean"}},
      {"--set with a value of the wrong type",
       {"hw", "show", "edge_npu", "--set", "array.rows=abc"},
       {"--set array.rows=abc"}},
      {"--set without '='", {"hw", "show", "edge_npu", "--set", "array.rows"}, {"KEY=VALUE"}},
      {"a clock of 1e-300 MHz",
       {"hw", "show", "edge_npu", "--set", "array.clock_mhz=1e-300"},
       {"key 'array.clock_mhz': must be between 0.001 and 100000"}},
      {"an unknown bundled name",
       {"hw", "show", "edge_nup"},
       {"unknown hardware 'edge_nup' (did you mean edge_npu?)"}},
      {"a sweep whose points overflow writes no CSV",
       {"sweep", "--hw", "edge_npu", "--set", "array.rows=16,65536", "--set", "array.cols=32768",
        "-w", "resnet18", "--engine", "closed-form", "-o", "{dir}/out.csv"},
       {"PEs is larger than"}},
  };
}

std::vector<Case> scalesim_config_cases() {
  const std::string arch = "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\n";
  return {
      {"a zero array height",
       {"hw", "show", "{dir}/c.cfg"},
       {"{dir}/c.cfg:2: ArrayHeight: expected a positive integer up to 65536, found '0'"},
       {{"c.cfg", "[architecture_presets]\nArrayHeight: 0\nArrayWidth: 8\n"}}},
      {"an unknown dataflow",
       {"hw", "show", "{dir}/c.cfg"},
       {"{dir}/c.cfg:4: Dataflow: unknown dataflow 'xs' (did you mean 'os'?)"},
       {{"c.cfg", arch + "Dataflow: xs\n"}}},
      {"a line without a separator",
       {"hw", "show", "{dir}/c.cfg"},
       {"{dir}/c.cfg:2: expected 'Key = value' or 'Key: value', found 'ArrayHeight 8'"},
       {{"c.cfg", "[architecture_presets]\nArrayHeight 8\n"}}},
      {"a missing required key",
       {"hw", "show", "{dir}/c.cfg"},
       {"{dir}/c.cfg: SCALE-Sim config needs Dataflow in [architecture_presets]"},
       {{"c.cfg", arch}}},
      {"a buffer size past double's range",
       {"hw", "show", "{dir}/c.cfg"},
       {"{dir}/c.cfg:7: IfmapSramSzkB: expected a positive integer"},
       {{"c.cfg", scalesim_seed_with("IfmapSramSzkB:    1024", "IfmapSramSzkB: 1e400")}}},
      {"an array too large for the PE cap (4096 x 8192)",
       {"hw", "show", "{dir}/c.cfg"},
       {"PEs is larger than"},
       {{"c.cfg", scalesim_seed_with("ArrayHeight:    128\nArrayWidth:     128",
                                     "ArrayHeight: 4096\nArrayWidth: 8192")}}},
  };
}

std::vector<Case> topology_cases() {
  return {
      {"a zero stride",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: column 'Stride Height': expected a positive integer, found '0'"},
       {{"t.csv", kTopologyConv + "c1, 8, 8, 3, 3, 3, 4, 0,\n"}}},
      {"a word where a number belongs",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: column 'Filter Width': expected a positive integer, found 'x'"},
       {{"t.csv", kTopologyConv + "c1, 8, 8, 3, x, 3, 4, 1,\n"}}},
      {"sizes whose product passes 2^62",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: layer 'c1.ifmap':", "has more than 2^62 elements"},
       {{"t.csv", kTopologyConv + "c1, 3000000000, 3000000000, 3, 3, 3000000000, 4, 1,\n"}}},
      {"a depthwise layer whose channel count passes 2^62 (found by fuzzing)",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: depthwise layer 'dw_DP': Channels x Num Filter (4000000000 x "
        "4000000000) is more than 2^62"},
       {{"t.csv", kTopologyConv + "dw_DP, 8, 8, 3, 3, 4000000000, 4000000000, 1,\n"}}},
      {"a convolution whose weight count passes 2^62 (found by fuzzing)",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: layer 'c1': the weight count (4000000000 x 27000000000 ...) is more "
        "than 2^62"},
       {{"t.csv", kTopologyConv + "c1, 16, 16, 3, 3, 3000000000, 4000000000, 1,\n"}}},
      {"a GEMM row short of a column",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:2: expected 4 columns, found 3"},
       {{"t.csv", "Layer name, M, N, K,\ng1, 10, 20,\n"}}},
      {"a GEMM of 2^63 rows",
       {"estimate", "--hw", "edge_npu", "-w", "{dir}/t.csv", "-o", "{dir}/out.txt"},
       {"{dir}/t.csv:2: layer 'g1.a':", "more than 2^62 elements"},
       {{"t.csv", "Layer name, M, N, K,\ng1, 9223372036854775807, 9223372036854775807, 2,\n"}}},
      {"a header of another format",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv:1: expected a SCALE-Sim topology header"},
       {{"t.csv", "foo,bar\n"}}},
      {"an empty file",
       {"workload", "show", "{dir}/t.csv"},
       {"{dir}/t.csv: the topology has no layers"},
       {{"t.csv", ""}}},
  };
}

std::vector<Case> network_cases() {
  return {
      {"a kernel larger than the padded input",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:5: layer 'c': the window (9) is larger than the padded input (8)"},
       {{"n.toml", kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"conv2d\"\nout_channels = "
                                  "4\nkernel = 9\n"}}},
      {"an unknown op",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:7:6: key 'layer.c.op': unknown op 'convolve'; valid: conv2d, linear"},
       {{"n.toml", kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"convolve\"\n"}}},
      {"an input of more than 2^62 elements",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:2: layer 'x': shape 4000000000x4000000000x4000000000x8 has more than 2^62"},
       {{"n.toml",
         "name = \"n\"\n[[input]]\nname = \"x\"\nshape = [4000000000, 4000000000, "
         "4000000000, 8]\n"}}},
      {"a negative dimension",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:4:13: key 'input.x.shape': must be at least 1, found -3"},
       {{"n.toml", "name = \"n\"\n[[input]]\nname = \"x\"\nshape = [1, -3, 8, 8]\n"}}},
      {"a reshape that changes the element count",
       {"workload", "show", "{dir}/n.toml"},
       {"layer 'c': reshape of 1x3x8x8 (192 elements) to 1x5 changes the element count"},
       {{"n.toml", kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"reshape\"\nshape = [1, 5]\n"}}},
      {"an input defined nowhere",
       {"workload", "show", "{dir}/n.toml"},
       {"layer 'c': input 'y' is not defined above (did you mean x?)"},
       {{"n.toml",
         kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"add\"\ninputs = [\"x\", \"y\"]\n"}}},
      {"a layer name used twice",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:8: layer 'c': the name is used twice"},
       {{"n.toml", kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"relu\"\n[[layer]]\nname = "
                                  "\"c\"\nop = \"relu\"\n"}}},
      {"clip with min above max",
       {"workload", "show", "{dir}/n.toml"},
       {"layer 'c'", "min"},
       {{"n.toml",
         kNetworkHead + "[[layer]]\nname = \"c\"\nop = \"clip\"\nmin = 6.0\nmax = 0.0\n"}}},
      {"pooling padding as large as the window",
       {"workload", "show", "{dir}/n.toml"},
       {"layer 'p'", "padding"},
       {{"n.toml", kNetworkHead + "[[layer]]\nname = \"p\"\nop = \"maxpool\"\nkernel = "
                                  "2\npadding = 2\n"}}},
      {"a TOML syntax error",
       {"workload", "show", "{dir}/n.toml"},
       {"{dir}/n.toml:1:"},
       {{"n.toml", "name = \n"}}},
      {"a batch past 2^31",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18", "--batch", "1125899906842624", "-o",
        "{dir}/out.txt"},
       {"--batch 1125899906842624: must be from 1 to 2147483648"}},
      {"a zoo name misspelt", {"workload", "show", "resnet81"}, {"resnet81", "did you mean"}},
  };
}

std::vector<Case> map_cases() {
  return {
      {"an unknown format",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:2:10: key 'default.weight': unknown number format 'int9z'"},
       {{"m.toml", "[default]\nweight = \"int9z\"\n"}}},
      {"a pattern that matches no layer",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:4: pattern 'nomatch*' matches no MAC layer of network 'resnet18'"},
       {{"m.toml",
         "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
         "\"nomatch*\"\nweight = \"int4\"\n"}}},
      {"a misspelt key",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:2:1: unknown key 'default.wieght' (did you mean 'default.weight'?)"},
       {{"m.toml", "[default]\nwieght = \"int8\"\n"}}},
      {"a map written for another network",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:1: key 'network': the map was written for 'vit_b16', not for 'resnet18'"},
       {{"m.toml", "network = \"vit_b16\"\n[default]\nweight = \"int8\"\n"}}},
      {"a negative cluster size",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:4:16: key 'default.cluster_size': must be between 1 and 1048576, found -3"},
       {{"m.toml",
         "[default]\nweight = \"int8\"\ngranularity = \"cluster\"\ncluster_size = -3\n"}}},
      {"a number where a format name belongs",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:2:10: key 'default.weight': expected a string, found an integer (8)"},
       {{"m.toml", "[default]\nweight = 8\n"}}},
      {"an override without layers",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:4:1: key 'override.1.layers': missing"},
       {{"m.toml",
         "[[override]]\nlayers = [\"conv1\"]\nweight = \"int4\"\n[[override]]\nweight "
         "= \"int2\"\n"}}},
      {"a TOML syntax error",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml:1:"},
       {{"m.toml", "[default\n"}}},
      {"a map that breaks a quantizer group",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml breaks 1 quantizer group(s)",
        "layer2.0.conv1 int8, layer2.0.downsample.0 int4"},
       {{"m.toml",
         "[default]\nweight = \"int8\"\nactivation = \"int8\"\n[[override]]\nlayers = "
         "\"layer2.0.downsample.0\"\nactivation = \"int4\"\n"}}},
      {"the search writes no folder for a bad pin",
       {"search", "--method", "greedy", "--hw", "edge_npu", "--model",
        "{src}/models/fmnist_resnet.onnx", "--pin", "nosuchlayer=int8:int8", "--out", "{dir}/s"},
       {"nosuchlayer"}},
  };
}

std::vector<Case> onnx_cases() {
  const std::string model = read_file(source_path("models/fmnist_resnet.onnx"));
  return {
      {"a text file",
       {"workload", "show", "{dir}/m.onnx"},
       {"{dir}/m.onnx: not a valid ONNX model"},
       {{"m.onnx", "hello"}}},
      {"an empty file",
       {"workload", "show", "{dir}/m.onnx"},
       {"{dir}/m.onnx: not an ONNX model"},
       {{"m.onnx", ""}}},
      {"a model cut short",
       {"workload", "show", "{dir}/m.onnx"},
       {"{dir}/m.onnx: not a valid ONNX model"},
       {{"m.onnx", model.substr(0, 100000)}}},
      {"a model cut short, evaluated",
       {"eval", "--model", "{dir}/m.onnx", "--limit", "5", "-o", "{dir}/out.txt"},
       {"not a valid ONNX model"},
       {{"m.onnx", model.substr(0, 100000)}},
       {},
       {}},
      {"a model with one byte flipped in its header",
       {"workload", "show", "{dir}/m.onnx"},
       {"{dir}/m.onnx"},
       {{"m.onnx", std::string(1, static_cast<char>(model[0] ^ 0x40)) + model.substr(1)}}},
      {"a Reshape target of more than 2^62 elements (found by fuzzing)",
       {"workload", "show", "{src}/fuzz/regressions/onnx/reshape_target_overflow.onnx"},
       {"reshape_target_overflow.onnx: node 'Reshape_10' (op Reshape): reshape target "
        "[1099495833601, 16646146, 1] has more than 2^62 elements"}},
      {"a Slice step near the int64 limit (found by fuzzing)",
       {"workload", "show", "{src}/fuzz/regressions/onnx/slice_step_near_int64_max.onnx"},
       {"slice_step_near_int64_max.onnx: node '/avg/AveragePool'"}},
      {"a constant too large to compute at import time (a fuzzing hang)",
       {"workload", "show", "{src}/fuzz/regressions/onnx/concat_of_large_constants.onnx"},
       {"concat_of_large_constants.onnx: node '/ConstantOfShape' (op ConstantOfShape): shape "
        "117440516 is too large to compute at import time"}},
      {"a dynamic dimension given a size twice",
       {"workload", "show", "{src}/models/fmnist_resnet.onnx", "--batch", "0"},
       {"--batch"}},
  };
}

std::vector<Case> npy_cases() {
  return {
      {"a data set that does not exist", eval_on("{dir}/x.npy"), {"{dir}/x.npy"}},
      {"a header that is not a dict",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy"},
       {{"x.npy", std::string("\x93NUMPY\x01\x00\x10\x00{garbage}     \n", 26)}}},
      {"no magic",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy: not a .npy file"},
       {{"x.npy", "just text"}}},
      {"data shorter than the shape says",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy"},
       {{"x.npy", mpsim::test::npy("<f4", "(3, 1, 28, 28)", std::string(100, '\0'))}}},
      {"samples of the wrong shape",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy"},
       {{"x.npy", mpsim::test::npy("<f4", "(3, 5)", std::string(60, '\0'))}}},
      {"an unsupported dtype",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy: unsupported .npy dtype '<c8'"},
       {{"x.npy", mpsim::test::npy("<c8", "(1, 1, 28, 28)", std::string(784 * 8, '\0'))}}},
      {"a shape whose product passes 2^64",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy"},
       {{"x.npy", mpsim::test::npy("<f4", "(4294967296, 4294967296, 16)", "")}}},
      {"Fortran order",
       eval_on("{dir}/x.npy"),
       {"{dir}/x.npy: Fortran-order"},
       {{"x.npy",
         fortran_order(mpsim::test::npy("<f4", "(1, 1, 28, 28)", std::string(784 * 4, '\0')))}}},
      {"labels beyond the model's classes",
       eval_on("{dir}/x.npy", "{dir}/y.npy"),
       {"{dir}/y.npy", "20"},
       {{"x.npy", mpsim::test::npy("<f4", "(2, 1, 28, 28)", std::string(2 * 784 * 4, '\0'))},
        {"y.npy", mpsim::test::npy("<i8", "(2,)",
                                   std::string("\x00\0\0\0\0\0\0\0\x14\0\0\0\0\0\0\0", 16))}}},
      {"a negative label",
       eval_on("{dir}/x.npy", "{dir}/y.npy"),
       {"{dir}/y.npy", "-1"},
       {{"x.npy", mpsim::test::npy("<f4", "(2, 1, 28, 28)", std::string(2 * 784 * 4, '\0'))},
        {"y.npy", mpsim::test::npy("<i8", "(2,)", std::string(8, '\0') + std::string(8, '\xff'))}}},
      {"fewer labels than samples",
       eval_on("{dir}/x.npy", "{dir}/y.npy"),
       {"{dir}/y.npy"},
       {{"x.npy", mpsim::test::npy("<f4", "(2, 1, 28, 28)", std::string(2 * 784 * 4, '\0'))},
        {"y.npy", mpsim::test::npy("<i8", "(1,)", std::string(8, '\0'))}}},
  };
}

std::vector<Case> idx_cases() {
  auto fmnist = [](const std::string& images, const std::string& labels) {
    return std::map<std::string, std::string>{{"t10k-images-idx3-ubyte.gz", images},
                                              {"t10k-labels-idx1-ubyte.gz", labels}};
  };
  const std::string images_header("\0\0\x08\x03\0\0\0\x02\0\0\0\x1c\0\0\0\x1c", 16);
  const std::string labels_header("\0\0\x08\x01\0\0\0\x02", 8);
  const std::string images = images_header + std::string(2 * 784, '\x10');
  const std::string labels = labels_header + std::string("\x01\x02", 2);
  const std::vector<std::pair<std::string, std::string>> env = {
      {"MPSIM_FASHION_MNIST_DIR", "{dir}"}};
  const auto eval = std::vector<std::string>{
      "eval", "--model", "{src}/models/fmnist_resnet.onnx", "--calib", "0", "-o", "{dir}/out.txt"};
  return {
      {"a folder without the files", eval, {"t10k-images-idx3"}, {}, {}, env},
      {"images cut short",
       eval,
       {"t10k-images-idx3-ubyte"},
       fmnist(images.substr(0, 500), labels),
       {},
       env},
      {"a wrong magic number",
       eval,
       {"t10k-images-idx3-ubyte", "magic"},
       fmnist("\x01\x02" + images.substr(2), labels),
       {},
       env},
      {"more labels declared than images",
       eval,
       {"t10k-labels-idx1-ubyte"},
       fmnist(images, std::string("\0\0\x08\x01\0\0\0\x05", 8) + "\x01\x02\x03\x04\x05"),
       {},
       env},
      {"a label beyond the model's classes",
       eval,
       {"t10k-labels-idx1-ubyte", "10"},
       fmnist(images, labels_header + std::string("\x01\x0c", 2)),
       {},
       env},
      {"image counts past 2^32 x 784",
       eval,
       {"t10k-images-idx3-ubyte"},
       fmnist(std::string("\0\0\x08\x03\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16),
              labels),
       {},
       env},
  };
}

std::vector<Case> option_cases() {
  const std::string model = "{src}/models/fmnist_resnet.onnx";
  return {
      {"--limit -1", {"eval", "--model", model, "--limit", "-1"}, {"--limit"}},
      {"--threads -3", {"eval", "--model", model, "--threads", "-3"}, {"--threads"}},
      {"--micro-batch 0", {"eval", "--model", model, "--micro-batch", "0"}, {"--micro-batch"}},
      {"--calib 1e400", {"eval", "--model", model, "--calib", "1e400"}, {"--calib"}},
      {"--jobs 0",
       {"sweep", "--hw", "edge_npu", "-w", "resnet18", "--jobs", "0", "-o", "{dir}/o.csv"},
       {"--jobs"}},
      {"--batch 0",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18", "--batch", "0"},
       {"--batch"}},
      {"an unknown subcommand",
       {"simulat"},
       {"unknown command 'simulat' for 'mpsim' (did you mean simulate?)"}},
      {"a misspelt command below another",
       {"hw", "shwo", "edge_npu"},
       {"unknown command 'shwo' for 'mpsim hw' (did you mean show?)"}},
      {"an unknown output format",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18", "--format", "xml"},
       {"--format"}},
      {"a negative RL beta",
       {"search", "--hw", "edge_npu", "--model", model, "--beta", "-1", "--out", "{dir}/s"},
       {"--beta"}},
      {"a malformed --input-shape",
       {"workload", "show", model, "--input-shape", "input=1xAx28"},
       {"--input-shape"}},
      {"quantize into an unknown format", {"quantize", "--format", "fp9"}, {"fp9"}},
      {"an unknown search method",
       {"search", "--method", "annealing", "--hw", "edge_npu", "--model", model, "--out",
        "{dir}/s"},
       {"--method"}},
      {"a shard outside 1..N",
       {"sweep", "--hw", "edge_npu", "-w", "resnet18", "--shard", "3/2", "-o", "{dir}/o.csv"},
       {"--shard"}},
  };
}

std::vector<Case> file_kind_cases() {
  auto with_symlink = [](std::string target, std::string name) {
    return [target, name](const std::string& dir) { fs::create_symlink(target, dir + "/" + name); };
  };
  return {
      {"a hardware config that does not exist",
       {"hw", "show", "{dir}/none.toml"},
       {"{dir}/none.toml"}},
      {"a folder given as a hardware config",
       {"hw", "show", "{dir}/d.toml"},
       {"{dir}/d.toml", "directory"},
       {},
       [](const std::string& dir) { fs::create_directory(dir + "/d.toml"); }},
      {"a folder given as a precision map",
       estimate_with_map("{dir}/m.toml"),
       {"{dir}/m.toml", "directory"},
       {},
       [](const std::string& dir) { fs::create_directory(dir + "/m.toml"); }},
      {"a symlink loop given as a network",
       {"workload", "show", "{dir}/loop.toml"},
       {"{dir}/loop.toml"},
       {},
       with_symlink("loop.toml", "loop.toml")},
      {"a path component over 255 bytes",
       {"workload", "show", "{dir}/" + std::string(300, 'n') + ".toml"},
       {std::string(300, 'n')}},
      {"/dev/zero behind a .toml name",
       {"hw", "show", "{dir}/zero.toml"},
       {"{dir}/zero.toml"},
       {},
       with_symlink("/dev/zero", "zero.toml")},
      {"/dev/zero behind a .csv topology",
       {"workload", "show", "{dir}/zero.csv"},
       {"{dir}/zero.csv"},
       {},
       with_symlink("/dev/zero", "zero.csv")},
      {"/dev/zero behind a .npy data set",
       eval_on("{dir}/zero.npy"),
       {"{dir}/zero.npy"},
       {},
       with_symlink("/dev/zero", "zero.npy")},
      {"/dev/zero behind a .cfg",
       {"hw", "show", "{dir}/zero.cfg"},
       {"{dir}/zero.cfg"},
       {},
       with_symlink("/dev/zero", "zero.cfg")},
      {"a FIFO given as a topology",
       {"workload", "show", "{dir}/fifo.csv"},
       {"{dir}/fifo.csv"},
       {},
       [](const std::string& dir) { REQUIRE(::mkfifo((dir + "/fifo.csv").c_str(), 0600) == 0); }},
      {"a folder given as an ONNX model",
       {"workload", "show", "{dir}/m.onnx"},
       {"{dir}/m.onnx", "directory"},
       {},
       [](const std::string& dir) { fs::create_directory(dir + "/m.onnx"); }},
  };
}

std::vector<Case> output_cases() {
  const std::string bad_map = "[default]\nweight = \"int9z\"\n";
  return {
      {"-o naming a folder is refused before any work",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18", "-o", "{dir}/folder"},
       {"{dir}/folder"},
       {},
       [](const std::string& dir) { fs::create_directory(dir + "/folder"); }},
      {"-o into a folder that does not exist",
       {"costs", "--hw", "edge_npu", "-w", "resnet18", "-o", "{dir}/no/such/out.csv"},
       {"{dir}/no/such"}},
      {"a failed run leaves the old output as it was",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18", "-m", "{dir}/m.toml", "-o",
        "{dir}/out.txt"},
       {"{dir}/m.toml:2:10"},
       {{"m.toml", bad_map}, {"out.txt", "an earlier result\n"}}},
      {"a sweep into a folder path writes nothing",
       {"sweep", "--hw", "edge_npu", "--set", "array.rows=8,16", "-w", "resnet18", "-o",
        "{dir}/folder"},
       {"{dir}/folder"},
       {},
       [](const std::string& dir) { fs::create_directory(dir + "/folder"); }},
      {"a search into a folder that exists",
       {"search", "--method", "greedy", "--hw", "edge_npu", "--model",
        "{src}/models/fmnist_resnet.onnx", "--out", "{dir}/s"},
       {"{dir}/s"},
       {},
       [](const std::string& dir) {
         fs::create_directory(dir + "/s");
         std::ofstream(dir + "/s/keep.txt") << "an earlier search\n";
       }},
      {"an eval whose map is bad leaves -o alone",
       {"eval", "--model", "{src}/models/fmnist_resnet.onnx", "--map", "{dir}/m.toml", "-o",
        "{dir}/out.txt"},
       {"{dir}/m.toml:2:10"},
       {{"m.toml", bad_map}, {"out.txt", "an earlier result\n"}}},
  };
}

std::vector<Case> environment_cases() {
  return {
      {"an unreadable bundled-config folder",
       {"hw", "list"},
       {"{dir}/none", "$MPSIM_HW_DIR", "cannot be read"},
       {},
       {},
       {{"MPSIM_HW_DIR", "{dir}/none"}}},
      {"an empty zoo folder",
       {"workload", "list"},
       {"{dir}", "$MPSIM_ZOO_DIR", "holds no .toml file"},
       {},
       {},
       {{"MPSIM_ZOO_DIR", "{dir}"}}},
      {"a bundled name looked up in an unreadable folder",
       {"estimate", "--hw", "edge_npu", "-w", "resnet18"},
       {"$MPSIM_HW_DIR"},
       {},
       {},
       {{"MPSIM_HW_DIR", "{dir}/none"}}},
  };
}

}  // namespace

TEST_CASE("bad inputs: hardware configs (TOML and --set)") {
  check_all(hardware_cases());
}

TEST_CASE("bad inputs: SCALE-Sim configs") {
  check_all(scalesim_config_cases());
}

TEST_CASE("bad inputs: SCALE-Sim topologies") {
  check_all(topology_cases());
}

TEST_CASE("bad inputs: network files") {
  check_all(network_cases());
}

TEST_CASE("bad inputs: precision maps") {
  check_all(map_cases());
}

TEST_CASE("bad inputs: ONNX models") {
  check_all(onnx_cases());
}

TEST_CASE("bad inputs: .npy data") {
  check_all(npy_cases());
}

TEST_CASE("bad inputs: IDX data (Fashion-MNIST's folder)") {
  check_all(idx_cases());
}

TEST_CASE("bad inputs: options") {
  check_all(option_cases());
}

TEST_CASE("bad inputs: files that are not regular files or cannot be reached") {
  check_all(file_kind_cases());
}

TEST_CASE("bad inputs: output paths and the files already there") {
  check_all(output_cases());
}

TEST_CASE("bad inputs: folders named by the environment") {
  check_all(environment_cases());
}

TEST_CASE("bad inputs: the catalogue holds at least 80 cases, each with a message to find") {
  std::size_t cases = 0;
  for (const auto& table :
       {hardware_cases, scalesim_config_cases, topology_cases, network_cases, map_cases, onnx_cases,
        npy_cases, idx_cases, option_cases, file_kind_cases, output_cases, environment_cases})
    for (const auto& c : table()) {
      ++cases;
      CHECK_MESSAGE(!c.says.empty(), c.what);
    }
  MESSAGE("the catalogue holds " << cases << " cases");
  CHECK(cases >= 80);
}
