// The steps between a parsed config tree and a HardwareSpec, shared by the TOML and SCALE-Sim
// front ends: --set overrides are applied to the tree, then the tree is read and validated, so
// a value from the command line is checked exactly like one from the file. Private to costmodel/.
#pragma once

#include <toml++/toml.h>
#include <string>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/src/hardware_schema.h"
#include "workloads/config_reader.h"

namespace mpsim::hwcfg {

using config::describe_node;
using config::Locations;
using config::Reader;
using config::Table;
using config::unknown_name_message;

// Applies "KEY=VALUE" overrides in order. KEY is a dotted path through the schema; an entry of
// an array of tables is selected by its `name` (or its 0-based index). VALUE is TOML, or a bare
// string when it does not parse as TOML. Throws UserError naming the --set argument.
void apply_overrides(toml::table& root, const std::vector<std::string>& overrides);

// Reads and validates the tree; throws one UserError listing every problem with its place.
HardwareSpec spec_from_tree(const toml::table& root, const std::string& source,
                            const std::string& default_name, const Locations& fallback = {});

// A SCALE-Sim .cfg read into a tree, overridden and read like a TOML config
// (hardware_scalesim.cpp).
HardwareSpec scalesim_spec(const std::string& text, const std::string& source,
                           const std::string& default_name,
                           const std::vector<std::string>& overrides);

// Key paths of the spec's list entries, for messages about them after reading.
struct SpecPaths {
  std::vector<std::string> pairs;  // one per spec.array.mac.pairs entry
  std::vector<std::string> register_files;
  std::vector<std::string> buffers;
};

// Cross-key checks on a spec read without type errors (hardware_validate.cpp).
void validate_spec(const HardwareSpec& spec, const SpecPaths& paths, Reader& r);

}  // namespace mpsim::hwcfg
