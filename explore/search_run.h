// A whole precision search as `mpsim search` runs it: the uniform baselines, the method, the
// test-split figures of the front, and the output folder (front.csv/json, maps/, chosen.toml,
// trace.csv). Every evaluation is recorded beside the output as it is made, so an interrupted
// search, run again with the same inputs, replays what it had and ends with the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "explore/precision_search.h"
#include "search/methods.h"

namespace mpsim {

struct SearchRunOptions {
  std::string method = "greedy";  // uniform greedy rl random
  // Quality drop allowed against the reference, in the quality metric's units (top-1 and
  // agreement as fractions, SQNR in dB).
  std::optional<double> max_drop;
  std::string target;  // a cost target: "0.6xint8:int8" or a number (docs/search.md)
  bool full_curve = false;
  std::string order = "score";  // greedy: score | score-per-cost
  int samples = 500;            // rl, random
  int samples_per_step = 4;     // rl
  int warmup = 50;              // rl
  double learning_rate = 0.1;   // rl
  double beta = 1;              // rl: weight of the cost term
  // rl: FLIQS's beta_max, the entropy weight at the end of the cosine schedule. Like --beta it
  // is in the reward's units, so a quality in dB needs both scaled (docs/search.md).
  double entropy_max = 0.5;
  bool one_sided = false;  // rl
  std::uint64_t seed = 1;
  // The method_options() the user gave, by their command-line names: one the method does not
  // use is an error rather than silently ignored. Callers that cannot tell given from default
  // leave it empty; options whose value differs from the default count as given anyway.
  std::vector<std::string> given;
  // Test hook: stop as if killed after this many new evaluations (0: never). Not an input of
  // the search: a stopped run and its resume are the same search.
  std::size_t stop_after = 0;
};

// The options only some methods use, by their command-line names: the command and the Python
// module report those the user gave (SearchRunOptions::given), and one the method does not use
// is an error.
struct MethodOption {
  std::string flag;                  // "--samples"; Python's keyword is "samples"
  std::vector<std::string> methods;  // the methods that use it
};
const std::vector<MethodOption>& method_options();

// One evaluated map of the report.
struct SearchRow {
  std::string method;  // "uniform" for the baselines, else the search method
  search::Choice choice;
  double quality = 0;  // validation, the search's metric
  double cost = 0;     // the search's metric
  bool pareto = false;
  std::optional<MapFigures>
      figures;           // the test split and every cost: front rows, baselines, chosen
  std::string map_file;  // under maps/, for rows with a map written
};

struct SearchReport {
  search::SearchResult result;
  std::vector<SearchRow> rows;   // baselines first, then the method's maps, each map once
  std::size_t chosen = 0;        // row index
  std::size_t best_uniform = 0;  // the most accurate uniform map's row
  // The unquantized network's validation quality: greedy's reference; NaN for the methods
  // that do not compute it (front.json: null).
  double reference_quality = std::numeric_limits<double>::quiet_NaN();
  std::optional<double> target_cost;
  std::size_t quality_evaluations = 0;  // distinct maps scored on the validation split
  std::size_t resumed = 0;              // evaluations read back from an interrupted run
  bool stale_discarded = false;         // a record of another command was found and dropped
};

// Runs the search with `out_dir` as the output folder-to-be: its record of evaluations is
// `out_dir` + ".partial". `progress(done, expected)` is called after each evaluation.
SearchReport run_precision_search(
    PrecisionSearchProblem& problem, const SearchRunOptions& options, const std::string& out_dir,
    const std::function<void(std::size_t, std::size_t)>& progress = {});

// The inputs that make a search what it is, for the record's fingerprint: setup, options and
// the contents of the files they name.
std::vector<std::string> search_inputs(const SearchSetup& setup, const SearchRunOptions& options);

// Writes the output folder whole (a temporary folder renamed into place) and removes the record.
// Throws UserError when `out_dir` exists already or cannot be written.
void write_search_outputs(PrecisionSearchProblem& problem, const SearchReport& report,
                          const SearchRunOptions& options, const std::string& out_dir);

// The unit a quality drop is given in (--max-drop, mpsim.search's max_drop), as a fraction of the
// metric: a point (0.01) of top-1 or agreement, a dB of SQNR.
double quality_drop_unit(QualityMetric q);
// Greedy without a drop or a target allows one unit (a point, or a dB): the command's default.
void default_greedy_drop(SearchRunOptions& run, QualityMetric q);

// "priced on HW [--set K=V ...] by the simulator|closed-form model": what the costs of a
// search are of, as its stdout and its map files say.
std::string search_hardware_text(const SearchSetup& setup);

// Checks before any work that `out_dir` can be written: it must not exist, its parent must.
void check_search_output(const std::string& out_dir);

}  // namespace mpsim
