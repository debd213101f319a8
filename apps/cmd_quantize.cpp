#include "apps/commands.h"

namespace mpsim::cli {

void add_quantize_command(CLI::App& app, Io& /*io*/) { app.add_subcommand("quantize", "(not yet built)"); }

}  // namespace mpsim::cli
