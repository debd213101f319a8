#include "apps/commands.h"

namespace mpsim::cli {

void add_formats_command(CLI::App& app, Io& /*io*/) { app.add_subcommand("formats", "(not yet built)"); }

}  // namespace mpsim::cli
