#include "apps/cli.h"

#include <cerrno>
#include <cstring>
#include <ostream>
#include <string>

#include <iostream>

#include "apps/commands.h"
#include "formats/error.h"

namespace mpsim::cli {

namespace {

// CLI11 answers a misspelt subcommand with "A subcommand is required". This names the word that
// matched nothing, where, and the closest commands. Only the leading words are looked at: the
// first option or argument of a command ends the walk, and CLI11 judges the rest.
std::string unknown_command(const CLI::App& app, const std::vector<std::string>& args) {
  const CLI::App* at = &app;
  std::string path = "mpsim";
  for (const auto& word : args) {
    if (word.empty() || word[0] == '-') return "";
    const auto subs = at->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty()) return "";
    std::vector<std::string> names;
    const CLI::App* next = nullptr;
    for (const CLI::App* s : subs) {
      names.push_back(s->get_name());
      if (s->get_name() == word) next = s;
    }
    if (!next) {
      const auto hint = closest_names(word, names);
      return "unknown command '" + word + "' for '" + path + "'" +
             (hint.empty() ? "" : " (did you mean " + join(hint, " or ") + "?)") +
             "; commands: " + join(names);
    }
    at = next;
    path += " " + word;
  }
  return "";
}

}  // namespace

int run(const std::vector<std::string>& args, Io io) {
  CLI::App app{"mpsim: hardware cost model and accelerator simulator for mixed-precision inference",
               "mpsim"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "mpsim 0.1.0");
  add_all_commands(app, io);

  // CLI11 wants argv-style input in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    io.out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    io.out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    io.out << app.version() << '\n';
    return 0;
  } catch (const CLI::ParseError& e) {
    const std::string unknown = unknown_command(app, args);
    io.err << "mpsim: error: "
           << printable_message(unknown.empty() ? std::string(e.what()) : unknown)
           << "\n(run 'mpsim --help' for usage)\n";
    return 2;
  } catch (const UserError& e) {
    // Readers quote what they read through printable(); this catches whatever they missed, so
    // no message can send a file's control bytes to the terminal.
    io.err << "mpsim: error: " << printable_message(e.what()) << '\n';
    return 2;
  }
  return 0;
}

int finish_output(std::ostream& out, std::ostream& err, int status) {
  errno = 0;
  out.flush();
  if (out) return status;
  const int saved = errno;
  err << "mpsim: error: writing standard output failed"
      << (saved != 0 ? std::string(": ") + std::strerror(saved) : std::string()) << '\n';
  err.flush();
  return status == 0 ? 1 : status;
}

}  // namespace mpsim::cli
