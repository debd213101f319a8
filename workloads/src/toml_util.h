// Parsing TOML with errors that name the file (private to workloads/); text files are read
// with formats/input_file.h.
#pragma once

#include <toml++/toml.h>
#include <string>
#include <string_view>

#include "formats/error.h"
#include "formats/input_file.h"  // read_text_file, which every caller of this header uses

namespace mpsim {

// Parses TOML; a syntax error becomes a UserError "source:line:col: description".
inline toml::table parse_toml(std::string_view text, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw UserError(located(source, static_cast<int>(e.source().begin.line),
                            static_cast<int>(e.source().begin.column),
                            std::string(e.description())));
  }
}

}  // namespace mpsim
