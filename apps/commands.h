// The subcommands of `mpsim`, one file each. Each adds itself to the CLI11 app; its callback
// writes to the Io it was given and throws UserError on bad input.
#pragma once

#include <CLI/CLI.hpp>

#include "apps/cli.h"

namespace mpsim::cli {

void add_formats_command(CLI::App& app, Io& io);
void add_quantize_command(CLI::App& app, Io& io);
void add_workload_command(CLI::App& app, Io& io);
void add_map_command(CLI::App& app, Io& io);
void add_hw_command(CLI::App& app, Io& io);
void add_estimate_command(CLI::App& app, Io& io);
void add_simulate_command(CLI::App& app, Io& io);
void add_costs_command(CLI::App& app, Io& io);
void add_sweep_command(CLI::App& app, Io& io);
void add_eval_command(CLI::App& app, Io& io);
void add_search_command(CLI::App& app, Io& io);

// The explicit registry (no static initialisers): a new subcommand is one line here.
inline void add_all_commands(CLI::App& app, Io& io) {
  add_formats_command(app, io);
  add_quantize_command(app, io);
  add_workload_command(app, io);
  add_map_command(app, io);
  add_hw_command(app, io);
  add_estimate_command(app, io);
  add_simulate_command(app, io);
  add_costs_command(app, io);
  add_sweep_command(app, io);
  add_eval_command(app, io);
  add_search_command(app, io);
}

}  // namespace mpsim::cli
