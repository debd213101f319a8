// Messages about hostile files: what a reader quotes from a file reaches the terminal with its
// control bytes and invalid UTF-8 escaped and long names cut; numbers are short; a huge ONNX
// initializer names the file.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "tests/onnx_exports.h"
#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// No byte a terminal acts on (below 0x20 except the line break, DEL) and no byte that is not
// ASCII: every name in these tests is ASCII but for what the reader must escape.
bool terminal_safe(const std::string& s) {
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n') || c >= 0x7f) return false;
  return true;
}

const char* kInput = "[[input]]\nname = \"x\"\nshape = [1, 4]\n";

// Runs `mpsim ARGS`: the exit status must be 2 and the message terminal-safe; returns it.
std::string refusal(const std::vector<std::string>& args) {
  const auto r = run_cli(args);
  CHECK(r.status == 2);
  CHECK(terminal_safe(r.err));
  return r.err;
}

}  // namespace

TEST_CASE("cli messages: names and values from files are escaped and cut") {
  const mpsim::test::TempDir dir;
  // A network file: TOML escapes put control bytes into a layer name and a key.
  auto e = refusal(
      {"workload", "show",
       dir.file("net.toml", std::string(kInput) + "[[layer]]\nname = \"a\\u001b[31mRED\"\nop = "
                                                  "\"relu\"\ninput = \"nope\"\n")});
  CHECK(has(e, "net.toml:4:1: layer 'a\\x1b[31mRED': input 'nope' is not defined above"));
  e = refusal(
      {"workload", "show",
       dir.file("key.toml", std::string(kInput) +
                                "[[layer]]\nname = \"a\"\nop = \"relu\"\n\"k\\u001b[2J\" = 1\n")});
  CHECK(has(e, "key.toml:7:"));
  CHECK(has(e, "unknown key 'layer.a.k\\x1b[2J'; [[layer]] with op = \"relu\" takes: name, op"));
  e = refusal({"workload", "show",
               dir.file("op.toml",
                        std::string(kInput) + "[[layer]]\nname = \"c\"\nop = \"re\\u0007lu\"\n")});
  CHECK(has(e, "key 'layer.c.op': unknown op 're\\x07lu'"));
  // A name of 500 letters is cut at 80.
  e = refusal(
      {"workload", "show",
       dir.file("long.toml", std::string(kInput) + "[[layer]]\nname = \"" + std::string(500, 'L') +
                                 "\"\nop = \"relu\"\ninput = \"nope\"\n")});
  CHECK(has(e, "layer '" + std::string(80, 'L') + "...': input 'nope'"));
  CHECK(e.size() < 300);

  // A SCALE-Sim topology: raw bytes in a cell and in a layer name.
  const std::string header =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n";
  e = refusal({"workload", "show",
               dir.file("cell.csv", header + "Conv1, 22\x1b[31m7, 227, 11, 11, 3, 96, 4,\n")});
  CHECK(has(
      e, "cell.csv:2: column 'IFMAP Height': expected a positive integer, found '22\\x1b[31m7'"));
  e = refusal({"workload", "show",
               dir.file("name.csv", header + "C\xffonv\x1b[1m1, 2, 2, 11, 11, 3, 96, 4,\n")});
  CHECK(has(e, "layer 'C\\xffonv\\x1b[1m1'"));

  // A SCALE-Sim config: a value and a line with control bytes and invalid UTF-8.
  const std::string cfg =
      "[architecture_presets]\nArrayHeight:    3\x1b[31m2\xff\nArrayWidth:     32\n";
  e = refusal({"hw", "show", dir.file("a.cfg", cfg)});
  CHECK(has(
      e,
      "a.cfg:2: ArrayHeight: expected a positive integer up to 65536, found '3\\x1b[31m2\\xff'"));
  e = refusal({"hw", "show", dir.file("b.cfg", "[architecture_presets]\njunk\x07 line\n")});
  CHECK(has(e, "b.cfg:2: expected 'Key = value' or 'Key: value', found 'junk\\x07 line'"));

  // A hardware config: a string where a number belongs, an unknown dataflow, an unknown key.
  std::ifstream f(mpsim::test::source_path("configs/hw/fixed_int8.toml"));
  const std::string hw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = hw;
    REQUIRE(s.find(from) != std::string::npos);
    return s.replace(s.find(from), from.size(), to);
  };
  e = refusal(
      {"hw", "show", dir.file("rows.toml", replaced("rows = 16", "rows = \"\\u001b[31m16\""))});
  CHECK(has(e, "key 'array.rows': expected an integer, found a string (\"\\x1b[31m16\")"));
  e = refusal({"hw", "show",
               dir.file("df.toml", replaced("dataflow = \"ws\"", "dataflow = \"w\\u001bs\""))});
  CHECK(has(e, "unknown dataflow 'w\\x1bs'"));
  e = refusal({"hw", "show",
               dir.file("key.toml", replaced("rows = 16", "rows = 16\n\"r\\u001bows\" = 16"))});
  CHECK(has(e, "unknown key 'array.r\\x1bows'"));
  e = refusal(
      {"hw", "show",
       dir.file("buf.toml", replaced("name = \"global_buffer\"", "name = \"g\\u001b[5mb\""))});
  CHECK(has(e, "'g\\x1b[5mb' is not a usable name"));

  // A precision map: a layer name, a format and a granularity with control bytes.
  e = refusal({"map", "show", "-w", "resnet18", "-m",
               dir.file("m1.toml",
                        "[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                        "[[override]]\nlayers = \"co\\u001bnv1\"\nweight = \"int4\"\n")});
  CHECK(
      has(e, "m1.toml:4: network 'resnet18' has no MAC layer named 'co\\x1bnv1' (closest: conv1)"));
  e = refusal(
      {"map", "show", "-w", "resnet18", "-m",
       dir.file("m2.toml", "[default]\nweight = \"in\\u001bt4\"\nactivation = \"int8\"\n")});
  CHECK(has(e, "m2.toml:2:10: key 'default.weight': unknown number format 'in\\x1bt4'"));
}

TEST_CASE("cli messages: numbers are printed as written or short, never in 300 digits") {
  const mpsim::test::TempDir dir;
  auto e = refusal(
      {"workload", "show",
       dir.file("clip.toml", std::string(kInput) + "[[layer]]\nname = \"c\"\nop = \"clip\"\nmin = "
                                                   "1e30\nmax = 0.0\n")});
  CHECK(has(e, "layer 'c': clip min 1e+30 is above its max 0"));
  // Beyond float's range the value is refused as it was written, not turned into inf.
  e = refusal({"workload", "show",
               dir.file("huge.toml", std::string(kInput) +
                                         "[[layer]]\nname = \"c\"\nop = \"clip\"\nmin = 1e308\n")});
  CHECK(
      has(e, "huge.toml:7:7: key 'layer.c.min': 1e+308 is beyond the float range (3.402823e+38)"));

  std::ifstream f(mpsim::test::source_path("configs/hw/fixed_int8.toml"));
  std::string hw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  hw.replace(hw.find("clock_mhz = 500"), 15, "clock_mhz = 1e308");
  e = refusal({"hw", "show", dir.file("clock.toml", hw)});
  CHECK(has(e, "key 'array.clock_mhz': must be between 0.001 and 100000, found 1e+308"));

  e = refusal({"quantize", "--format", "int8", "--scale", "1e300"});
  CHECK(has(e, "--scale must be a positive number within fp32's range, got 1e+300"));
  // A scale that underflows fp32 to zero is refused here, not reported later as 0.000000.
  e = refusal({"quantize", "--format", "int8", "--scale", "1e-300"});
  CHECK(has(e, "--scale must be a positive number within fp32's range, got 1e-300"));
}

TEST_CASE("cli messages: ONNX names are escaped and a huge initializer names the file") {
  mpsim::test::require_torch();
  const mpsim::test::TempDir dir;
  const std::string script = R"(
import sys, onnx
from onnx import helper, TensorProto
folder = sys.argv[1]
def save(name, node, inits):
    g = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), folder + "/" + name)
# An initializer whose shape claims 2^52 floats (and holds none).
w = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[4, 1 << 50])
save("huge.onnx", helper.make_node("MatMul", ["x", "W"], ["y"], name="mm"), [w])
# An unsupported op on a node whose name holds control bytes and, in the file, byte 0xff.
save("names.onnx", helper.make_node("Fo\x1bo", ["x"], ["y"], name="n\x1b[31mZZ"), [])
data = open(folder + "/names.onnx", "rb").read()
open(folder + "/names.onnx", "wb").write(data.replace(b"ZZ", b"\xff1"))
)";
  const std::string py = dir.file("make.py", script);
  REQUIRE(std::system((std::string(MPSIM_PYTHON) + " " + py + " " + dir.path("")).c_str()) == 0);

  auto e = refusal({"workload", "show", dir.path("huge.onnx")});
  CHECK(has(e, dir.path("huge.onnx") + ": tensor 'W': has an impossibly large shape"));
  e = refusal({"workload", "show", dir.path("names.onnx")});
  CHECK(has(e, "node 'n\\x1b[31m\\xff1' (op Fo\\x1bo) is not supported"));
}
