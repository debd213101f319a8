// Reading TOML and text files with errors that name the file (private to workloads/).
#pragma once

#include <toml++/toml.h>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "formats/error.h"

namespace mpsim {

// The whole file; throws UserError "PATH: cannot open the WHAT" when it cannot be read.
inline std::string read_text_file(const std::string& path, std::string_view what) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw UserError(path + ": cannot open the " + std::string(what));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

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
