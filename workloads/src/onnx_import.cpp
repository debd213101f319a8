// Placeholder: the ONNX importer lands here.
#include "formats/error.h"
#include "workloads/importers.h"

namespace mpsim {

Network import_onnx(const std::string& path, const OnnxImportOptions&) {
  throw UserError(path + ": ONNX import is not built yet");
}

}  // namespace mpsim
