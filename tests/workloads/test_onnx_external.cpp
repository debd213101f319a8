// ONNX external data: a side file must lie inside the model's folder (links followed) and hold
// the bytes the tensor claims; anything else is an error naming the tensor, never a read of
// another file on the machine.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "formats/error.h"
#include "tests/onnx_exports.h"
#include "tests/test_support.h"
#include "workloads/importers.h"

namespace {

namespace fs = std::filesystem;

// Writes FOLDER/model.onnx: y = x @ W with W (4 x 3 floats) stored as external data at
// `location` with `offset`, and the 48 bytes of W in FOLDER/w.bin.
void write_model(const std::string& folder, const std::string& location, int offset = 0) {
  mpsim::test::require_torch();
  const std::string script = R"(
import sys, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
folder, location, offset = sys.argv[1], sys.argv[2], int(sys.argv[3])
w = numpy_helper.from_array(np.arange(12, dtype=np.float32).reshape(4, 3), "W")
open(folder + "/w.bin", "wb").write(w.raw_data)
w.ClearField("raw_data")
w.data_location = TensorProto.EXTERNAL
for k, v in (("location", location), ("offset", str(offset)), ("length", "48")):
    e = w.external_data.add(); e.key = k; e.value = v
g = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"])], "g",
                      [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], [w])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), folder + "/model.onnx")
)";
  const std::string py = folder + "/make.py";
  std::ofstream(py) << script;
  const std::string cmd = std::string(MPSIM_PYTHON) + " " + py + " " + folder + " '" + location +
                          "' " + std::to_string(offset);
  REQUIRE(std::system(cmd.c_str()) == 0);
}

std::string import_error(const std::string& model) {
  try {
    mpsim::import_onnx(model);
  } catch (const mpsim::UserError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("onnx external data: only files inside the model's folder are read") {
  const mpsim::test::TempDir tmp;
  const fs::path root = fs::path(tmp.path("x")).parent_path();
  const fs::path folder = root / "model";
  fs::create_directory(folder);
  std::ofstream(root / "secret.bin") << std::string(64, 'S');

  write_model(folder.string(), "w.bin");  // inside: imports
  CHECK(import_error((folder / "model.onnx").string()).empty());

  write_model(folder.string(), "../secret.bin");
  std::string e = import_error((folder / "model.onnx").string());
  CHECK(e.find("'W'") != std::string::npos);
  CHECK(e.find("outside the model's folder") != std::string::npos);

  write_model(folder.string(), (root / "secret.bin").string());
  e = import_error((folder / "model.onnx").string());
  CHECK(e.find("absolute path") != std::string::npos);

  fs::create_symlink(root / "secret.bin", folder / "link.bin");
  write_model(folder.string(), "link.bin");
  e = import_error((folder / "model.onnx").string());
  CHECK(e.find("outside the model's folder") != std::string::npos);

  write_model(folder.string(), "w.bin", 40);  // 48 bytes from offset 40 of a 48-byte file
  e = import_error((folder / "model.onnx").string());
  CHECK(e.find("runs past the end") != std::string::npos);

  fs::create_directory(folder / "sub");
  write_model(folder.string(), "sub");
  e = import_error((folder / "model.onnx").string());
  CHECK(e.find("not a regular file") != std::string::npos);
}
