// Models exported at test time by scripts/export_test_models.py with Debian's python3-torch and
// python3-onnx, each once per test process, into a scratch folder removed at exit. Nothing is
// cached in the source tree.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/test_support.h"

namespace mpsim::test {

inline const TempDir& export_scratch() {
  static const TempDir dir;
  return dir;
}

// Fails (never skips) when Debian's torch stack is missing: the importer's tests are its proof.
inline void require_torch() {
  static const int status = std::system(
      (std::string(MPSIM_PYTHON) + " -c 'import torch, torchvision, onnx' > /dev/null 2>&1")
          .c_str());
  REQUIRE_MESSAGE(status == 0, MPSIM_PYTHON
                  " cannot import torch, torchvision and onnx: run scripts/setup.sh (it installs "
                  "python3-torch, python3-torchvision and python3-onnx)");
}

// The path of MODEL exported with the script's further arguments, e.g. "--opset 13 --dynamic
// batch" (see scripts/export_test_models.py for the models and options).
inline std::string exported_model(const std::string& model,
                                  const std::string& args = "--opset 13") {
  require_torch();
  static std::map<std::string, std::string> done;
  std::string key = model + args;
  for (char& c : key)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  if (auto it = done.find(key); it != done.end()) return it->second;
  const std::string path = export_scratch().path(key + ".onnx");
  const std::string log = export_scratch().path(key + ".log");
  std::ostringstream cmd;
  cmd << '\'' << MPSIM_PYTHON << "' '" << source_path("scripts/export_test_models.py") << "' "
      << model << " '" << path << "' " << args << " > '" << log << "' 2>&1";
  const int status = std::system(cmd.str().c_str());
  std::ifstream f(log);
  std::stringstream text;
  text << f.rdbuf();
  REQUIRE_MESSAGE(status == 0, "exporting " << model << " " << args << " failed:\n" << text.str());
  done.emplace(key, path);
  return path;
}

}  // namespace mpsim::test
