// JSON text of a report (standard output, front.json). Layer, buffer and file names come from
// user files and need not be UTF-8 (an ONNX node name, a SCALE-Sim layer, a path); nlohmann's
// dump() throws on such bytes, so every report is written through this: a byte that is not
// UTF-8 becomes U+FFFD and the output stays valid JSON. Valid text is written unchanged.
//
// A template on the JSON type, so that no JSON type appears in a header of this folder.
#pragma once

#include <string>

namespace mpsim {

template <class Json>
std::string json_text(const Json& j, int indent = 2) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace mpsim
