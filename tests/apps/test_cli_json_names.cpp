// Names that are not UTF-8 (byte 0xff in a SCALE-Sim layer name or an ONNX node name) reach the
// JSON reports as U+FFFD: exit 0 and valid JSON, never "internal error".
#include <doctest/doctest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "explore/design_point.h"
#include "formats/error.h"
#include "tests/onnx_exports.h"
#include "tests/test_support.h"

using mpsim::test::run_cli;

namespace {

const std::string kReplacement = "\xef\xbf\xbd";  // U+FFFD in UTF-8

// Runs the command; it must succeed with JSON that parses. Returns the document.
nlohmann::json json_of(const std::vector<std::string>& args) {
  const auto r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.status == 0);
  REQUIRE(nlohmann::json::accept(r.out));
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("cli json: a layer name with byte 0xff gives valid JSON in every report") {
  const mpsim::test::TempDir dir;
  const std::string csv = dir.file(
      "topo.csv",
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nConv\xff"
      "1, 32, 32, 3, 3, 16, 32, 1,\n");

  auto j = json_of({"estimate", "--hw", "edge_npu", "-w", csv, "--format", "json"});
  REQUIRE(j["layers"].size() == 1);
  CHECK(j["layers"][0]["name"] == "Conv" + kReplacement + "1");
  CHECK(j["total"]["cycles"].get<long long>() > 0);

  j = json_of({"workload", "show", csv, "--format", "json"});
  bool found = false;
  for (const auto& l : j["layers"])
    found = found || l["name"] == "Conv" + kReplacement + "1";
  CHECK(found);

  j = json_of({"costs", "--hw", "edge_npu", "-w", csv, "--format", "json"});
  CHECK(j.dump().find("Conv" + kReplacement + "1") != std::string::npos);

  j = json_of({"map", "show", "-w", csv, "--format", "json"});
  CHECK(j.dump().find("Conv" + kReplacement + "1") != std::string::npos);

  // A SCALE-Sim config's run name becomes the hardware's name.
  const std::string cfg = dir.file(
      "hw.cfg",
      "[general]\nrun_name = edge\xff\n[architecture_presets]\nArrayHeight: 16\nArrayWidth: 16\n"
      "IfmapSramSzkB: 64\nFilterSramSzkB: 64\nOfmapSramSzkB: 64\nIfmapOffset: 0\n"
      "FilterOffset: 10000000\nOfmapOffset: 20000000\nDataflow: ws\n[run_presets]\n"
      "InterfaceBandwidth: CALC\n");
  j = json_of({"hw", "show", cfg, "--format", "json"});
  CHECK(j["name"] == "edge" + kReplacement);
}

TEST_CASE("cli json: an ONNX node name with byte 0xff gives valid JSON") {
  mpsim::test::require_torch();
  const mpsim::test::TempDir dir;
  const std::string script = R"(
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
w = numpy_helper.from_array(np.ones((4, 3), np.float32), "W")
g = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"], name="mmZZ")], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w])
data = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]).SerializeToString()
open(sys.argv[1], "wb").write(data.replace(b"mmZZ", b"mm\xff1"))
)";
  const std::string model = dir.path("m.onnx");
  REQUIRE(std::system((std::string(MPSIM_PYTHON) + " " + dir.file("make.py", script) + " " + model)
                          .c_str()) == 0);
  const auto j = json_of({"estimate", "--hw", "edge_npu", "-w", model, "--format", "json"});
  REQUIRE(j["layers"].size() == 1);
  CHECK(j["layers"][0]["name"] == "mm" + kReplacement + "1");
}

TEST_CASE("cli json: a design point with a path that is not UTF-8 is refused, not garbled") {
  mpsim::DesignPoint p;
  p.hardware = "edge_npu";
  p.workload = "/tmp/net\xff.toml";
  CHECK_THROWS_WITH_AS(mpsim::to_json(p), doctest::Contains("/tmp/net\\xff.toml"),
                       mpsim::UserError);
}
