// Loading hardware configs: bundled names, TOML files and SCALE-Sim .cfg files, each with --set
// overrides. TOML types stay in costmodel/src/.
#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "costmodel/hardware.h"
#include "costmodel/src/hardware_tree.h"
#include "formats/error.h"
#include "formats/input_file.h"

namespace mpsim {

namespace fs = std::filesystem;

namespace {

// The bundled configs: $MPSIM_HW_DIR if set, else the source tree's configs/hw.
fs::path bundled_dir() {
  if (const char* env = std::getenv("MPSIM_HW_DIR"); env && *env) return env;
  return MPSIM_HW_CONFIG_DIR;
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A config without `name` is called after its file.
std::string stem(const std::string& source) {
  return fs::path(source).stem().string();
}

}  // namespace

HardwareSpec parse_hardware_toml(const std::string& text, const std::string& source,
                                 const std::vector<std::string>& overrides) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw UserError(located(source, static_cast<int>(e.source().begin.line),
                            static_cast<int>(e.source().begin.column),
                            std::string(e.description())));
  }
  hwcfg::apply_overrides(root, overrides);
  return hwcfg::spec_from_tree(root, source, stem(source));
}

HardwareSpec parse_scalesim_config(const std::string& text, const std::string& source,
                                   const std::vector<std::string>& overrides) {
  return hwcfg::scalesim_spec(text, source, stem(source), overrides);
}

HardwareSpec load_hardware(const std::string& path, const std::vector<std::string>& overrides) {
  if (ends_with(path, ".cfg"))
    return parse_scalesim_config(read_text_file(path, "SCALE-Sim config"), path, overrides);
  return parse_hardware_toml(read_text_file(path, "hardware config"), path, overrides);
}

std::vector<std::string> bundled_hardware_names() {
  // A folder that cannot be listed, or holds no config, is an error rather than an empty list:
  // otherwise a mistyped $MPSIM_HW_DIR makes every name "unknown" and `list` print nothing with
  // exit 0.
  const fs::path dir = bundled_dir();
  const std::string where =
      dir.string() +
      (std::getenv("MPSIM_HW_DIR") && *std::getenv("MPSIM_HW_DIR") ? " (from $MPSIM_HW_DIR)" : "");
  std::vector<std::string> names;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec)
    throw UserError("the folder of the bundled hardware configs, " + where +
                    ", cannot be read: " + ec.message());
  for (const auto& e : it)
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  if (names.empty())
    throw UserError("the folder of the bundled hardware configs, " + where +
                    ", holds no .toml file");
  std::sort(names.begin(), names.end());
  return names;
}

HardwareSpec load_hardware_by_name(const std::string& name_or_path,
                                   const std::vector<std::string>& overrides) {
  const std::string& s = name_or_path;
  if (s.find('/') != std::string::npos || ends_with(s, ".toml") || ends_with(s, ".cfg"))
    return load_hardware(s, overrides);
  const auto names = bundled_hardware_names();
  if (std::find(names.begin(), names.end(), s) == names.end()) {
    const auto hint = closest_names(s, names);
    throw UserError("unknown hardware '" + s + "'" +
                    (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)") +
                    "; bundled: " + join(names) +
                    "; or give a path to a .toml or SCALE-Sim .cfg file");
  }
  return load_hardware((bundled_dir() / (s + ".toml")).string(), overrides);
}

}  // namespace mpsim
