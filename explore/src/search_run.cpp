#include "explore/search_run.h"

#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "explore/json_text.h"
#include "explore/pareto.h"
#include "explore/record_text.h"
#include "formats/error.h"
#include "formats/input_file.h"

namespace mpsim {

namespace fs = std::filesystem;

namespace {

// "runs/s/" names the folder "runs/s": the record and the temporary folder go beside it.
std::string without_trailing_slashes(std::string path) {
  while (path.size() > 1 && path.back() == '/')
    path.pop_back();
  return path;
}

// What a search has evaluated, one line each, beside the output folder-to-be:
//   q KEY VALUE         validation quality of a choice
//   c KEY VALUE         its cost
//   f KEY 11 numbers    its figures (MapFigures, in declaration order)
// The first line names the format and the fingerprint of the search's inputs; a record of
// another search is discarded. A torn last line (a killed run) is ignored.
class SearchRecord {
 public:
  SearchRecord(std::string path, std::string fp) : path_(std::move(path)), fp_(std::move(fp)) {
    std::istringstream in(
        read_text_file_if_present(path_, "search's record of evaluations", kMaxRecordFileBytes)
            .value_or(""));
    std::string header;
    if (std::getline(in, header)) {
      if (header != this->header()) {
        stale_ = true;
      } else {
        for (std::string line; std::getline(in, line);)
          read(line);
      }
    }
    // Rewritten with exactly what was kept, so appends start on a fresh line.
    std::ofstream out(path_, std::ios::trunc);
    if (!out) throw UserError(path_ + ": cannot write the search's record of evaluations");
    out << this->header() << '\n';
    for (const auto& [k, v] : quality_)
      out << "q " << k << ' ' << format_number(v) << '\n';
    for (const auto& [k, v] : cost_)
      out << "c " << k << ' ' << format_number(v) << '\n';
    for (const auto& [k, f] : figures_)
      out << figures_line(k, f);
    if (!out.flush()) throw UserError(path_ + ": cannot write the search's record");
  }

  bool stale() const { return stale_; }

  std::optional<double> quality(const std::string& k) const { return find(quality_, k); }
  std::optional<double> cost(const std::string& k) const { return find(cost_, k); }
  std::optional<MapFigures> figures(const std::string& k) const {
    auto it = figures_.find(k);
    if (it == figures_.end()) return std::nullopt;
    return it->second;
  }
  void put_quality(const std::string& k, double v) {
    quality_[k] = v;
    append("q " + k + ' ' + format_number(v) + '\n');
  }
  void put_cost(const std::string& k, double v) {
    cost_[k] = v;
    append("c " + k + ' ' + format_number(v) + '\n');
  }
  void put_figures(const std::string& k, const MapFigures& f) {
    figures_[k] = f;
    append(figures_line(k, f));
  }

 private:
  std::string header() const { return "mpsim-search-record-1 " + fp_; }

  static std::optional<double> find(const std::map<std::string, double>& m, const std::string& k) {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  }

  static std::vector<double> values(const MapFigures& f) {
    return {f.validation_quality,
            f.test_top1,
            f.test_agreement,
            f.test_sqnr_db,
            f.energy_pj,
            f.latency_s,
            f.edp_js,
            f.area_mm2,
            f.bops,
            f.weight_bytes,
            static_cast<double>(f.cycles),
            f.leakage_pj};
  }

  static std::string figures_line(const std::string& k, const MapFigures& f) {
    std::string line = "f " + k;
    for (double v : values(f))
      line += ' ' + format_number(v);
    return line + '\n';
  }

  void read(const std::string& line) {
    std::istringstream in(line);
    std::string kind, key;
    if (!(in >> kind >> key)) return;
    std::vector<double> v;
    for (std::string word; in >> word;) {
      char* end = nullptr;
      const double x = std::strtod(word.c_str(), &end);
      if (end != word.c_str() + word.size()) return;
      v.push_back(x);
    }
    if ((kind == "q" || kind == "c") && v.size() == 1) {
      (kind == "q" ? quality_ : cost_)[key] = v[0];
    } else if (kind == "f" && v.size() == 12) {
      MapFigures f;
      f.validation_quality = v[0];
      f.test_top1 = v[1];
      f.test_agreement = v[2];
      f.test_sqnr_db = v[3];
      f.energy_pj = v[4];
      f.latency_s = v[5];
      f.edp_js = v[6];
      f.area_mm2 = v[7];
      f.bops = v[8];
      f.weight_bytes = v[9];
      f.cycles = static_cast<std::int64_t>(v[10]);
      f.leakage_pj = v[11];
      figures_[key] = f;
    }
  }

  void append(const std::string& line) {
    std::ofstream out(path_, std::ios::app);
    if (!(out << line) || !out.flush())
      throw UserError(path_ + ": cannot append to the search's record");
  }

  std::string path_, fp_;
  bool stale_ = false;
  std::map<std::string, double> quality_, cost_;
  std::map<std::string, MapFigures> figures_;
};

// The problem as the algorithms see it, each evaluation recorded as soon as it is known.
class RecordedObjective : public search::Objective {
 public:
  RecordedObjective(PrecisionSearchProblem& p, SearchRecord& r,
                    std::function<void(std::size_t, std::size_t)> progress, std::size_t expected,
                    std::size_t stop_after)
      : problem_(p),
        record_(r),
        progress_(std::move(progress)),
        expected_(expected),
        stop_after_(stop_after) {}

  std::vector<double> quality(const std::vector<search::Choice>& choices) override {
    return through(choices, Kind::kQuality);
  }
  std::vector<double> cost(const std::vector<search::Choice>& choices) override {
    return through(choices, Kind::kCost);
  }
  std::vector<double> sensitivity(const std::vector<search::Choice>& choices) override {
    return through(choices, Kind::kSensitivity);
  }
  std::size_t resumed() const { return resumed_; }

 private:
  enum class Kind { kQuality, kCost, kSensitivity };

  // Sensitivities are recorded as qualities under their own key.
  static std::string record_key(const search::Choice& c, Kind kind) {
    return (kind == Kind::kSensitivity ? "s:" : "") + search::choice_key(c);
  }

  std::vector<double> through(const std::vector<search::Choice>& choices, Kind kind) {
    const bool is_quality = kind != Kind::kCost;  // an evaluation of the network
    std::vector<double> out(choices.size());
    // The choices the record does not have are evaluated as one batch (the scorer may send
    // them to other processes), then recorded in order. A test stop cuts the batch where a
    // kill would have left the record.
    std::vector<std::size_t> fresh;
    for (std::size_t i = 0; i < choices.size(); ++i) {
      const std::string key = record_key(choices[i], kind);
      const auto known = is_quality ? record_.quality(key) : record_.cost(key);
      if (known) {
        out[i] = *known;
        if (is_quality) ++resumed_;
      } else {
        fresh.push_back(i);
      }
    }
    bool stop = false;
    if (stop_after_ && fresh_ + fresh.size() > stop_after_) {
      stop = true;
      fresh.resize(stop_after_ - std::min(stop_after_, fresh_));
    }
    std::vector<search::Choice> batch;
    for (std::size_t i : fresh)
      batch.push_back(choices[i]);
    const auto values = batch.empty()                ? std::vector<double>{}
                        : kind == Kind::kQuality     ? problem_.quality(batch)
                        : kind == Kind::kSensitivity ? problem_.sensitivity(batch)
                                                     : problem_.cost(batch);
    for (std::size_t j = 0; j < fresh.size(); ++j) {
      const std::size_t i = fresh[j];
      out[i] = values[j];
      const std::string key = record_key(choices[i], kind);
      is_quality ? record_.put_quality(key, out[i]) : record_.put_cost(key, out[i]);
      ++fresh_;
    }
    if (stop)
      throw UserError("search stopped after " + std::to_string(fresh_) +
                      " evaluations (MPSIM_SEARCH_STOP_AFTER); run the same command again "
                      "to resume");
    if (is_quality && progress_)
      for (std::size_t i = 0; i < choices.size(); ++i) {
        ++done_;
        progress_(done_, std::max(done_, expected_));
      }
    return out;
  }

  PrecisionSearchProblem& problem_;
  SearchRecord& record_;
  std::function<void(std::size_t, std::size_t)> progress_;
  std::size_t expected_ = 0, done_ = 0, resumed_ = 0, stop_after_ = 0, fresh_ = 0;
};

// About how many maps the method scores, for the progress bar.
std::size_t expected_evaluations(const search::SearchSpace& s, const SearchRunOptions& o) {
  std::size_t per_decision = 0;
  for (const auto& a : s.allowed)
    per_decision += a.size() - 1;
  const std::size_t uniform = static_cast<std::size_t>(s.candidates);
  if (o.method == "greedy")
    return uniform + per_decision +
           (o.full_curve ? per_decision
                         : static_cast<std::size_t>(std::ceil(std::log2(per_decision + 2))) + 1);
  if (o.method == "rl" || o.method == "random")
    return uniform + static_cast<std::size_t>(std::max(0, o.samples));
  return uniform;
}

// The values of the method_options() kept in SearchRunOptions, by flag (--target and
// --sensitivity have their own fields and their own keys in front.json).
std::map<std::string, nlohmann::ordered_json> option_values(const SearchRunOptions& o) {
  using json = nlohmann::ordered_json;
  return {{"--max-drop", o.max_drop ? json(*o.max_drop) : json(nullptr)},
          {"--full-curve", o.full_curve},
          {"--order", o.order},
          {"--samples", o.samples},
          {"--seed", o.seed},
          {"--samples-per-step", o.samples_per_step},
          {"--warmup", o.warmup},
          {"--learning-rate", o.learning_rate},
          {"--beta", o.beta},
          {"--entropy-max", o.entropy_max},
          {"--one-sided", o.one_sided}};
}

bool method_uses(const MethodOption& m, const std::string& method) {
  return std::find(m.methods.begin(), m.methods.end(), method) != m.methods.end();
}

// The options the method uses, by the command's names with underscores, so that a front.json
// says which run it is.
nlohmann::ordered_json method_settings(const SearchRunOptions& o) {
  const auto values = option_values(o);
  nlohmann::ordered_json s = nlohmann::ordered_json::object();
  for (const MethodOption& m : method_options()) {
    const auto v = values.find(m.flag);
    if (v == values.end() || !method_uses(m, o.method)) continue;
    std::string key = m.flag.substr(2);
    std::replace(key.begin(), key.end(), '-', '_');
    s[key] = v->second;
  }
  return s;
}

// The message for a target beyond the uniform maps' span: the span in the cost's unit, which
// pair ends it, and, for a target relative to a pair, the span in that form. Each end is given
// with the fewest figures (from four) that, rounded towards the inside, read back within the
// span, so that it can be given back as a target.
std::string target_out_of_reach(PrecisionSearchProblem& problem, const std::string& target,
                                double cost, std::pair<double, double> span,
                                std::pair<int, int> ends) {
  const auto [lo, hi] = span;
  const std::string unit = cost_metric_unit(problem.setup().cost);
  const auto with_digits = [](double v, int digits, bool fixed) {
    std::ostringstream s;
    if (fixed) s << std::fixed;
    s << std::setprecision(digits) << v;
    return s.str();
  };
  const auto within = [&](double v) { return v >= lo && v <= hi; };
  // `v` as `factor` times a figure: the shortest figure, rounded towards the inside, whose
  // product with `factor` is within the span (fixed: decimals, else significant figures).
  const auto inside = [&](double v, double factor, bool up, bool fixed) {
    const double x = v / factor;
    for (int digits = 4; digits <= 17; ++digits) {
      const double step = fixed
                              ? std::pow(10.0, -digits)
                              : std::pow(10.0, std::floor(std::log10(std::fabs(x))) - (digits - 1));
      const double rounded = (up ? std::ceil(x / step) : std::floor(x / step)) * step;
      const std::string text = with_digits(rounded, digits, fixed);
      if (within(std::strtod(text.c_str(), nullptr) * factor)) return text;
    }
    return format_number(x);
  };
  std::string pair;
  double per_share = 0;  // the cost of the pair the target is relative to
  if (const auto x = target.find('x'); x != std::string::npos) {
    pair = target.substr(x + 1);
    const int c = problem.candidate_index(pair);
    if (c >= 0) per_share = problem.cost({search::uniform_choice(problem.space(), c)}).front();
  }
  const auto end = [&](double v, int c, const char* which, bool up) {
    std::string text = (v > 0 ? inside(v, 1, up, false) : format_number(v)) + " " + unit + " (" +
                       which + ", " + problem.candidate_name(c);
    if (per_share > 0) text += ": " + inside(v, per_share, up, true) + "x" + pair;
    return text + ")";
  };
  // The target itself to four figures, unless those would read as within the span.
  std::string asked = with_digits(cost, 4, false);
  if (within(std::strtod(asked.c_str(), nullptr))) asked = format_number(cost);
  return "--target " + target + " = " + asked + " " + unit +
         " is outside what the candidates reach: " +
         end(lo, ends.first, "the cheapest uniform map", true) + " to " +
         end(hi, ends.second, "the dearest", false);
}

}  // namespace

std::vector<std::string> search_inputs(const SearchSetup& s, const SearchRunOptions& o) {
  std::vector<std::string> in{"mpsim-search-2",
                              "hw=" + s.hardware,
                              "hw_file=" + content_digest_if_file(s.hardware),
                              "model=" + s.eval.model,
                              "model_file=" + content_digest_if_file(s.eval.model),
                              "dataset=" + s.eval.dataset,
                              "dataset_file=" + content_digest_if_file(s.eval.dataset),
                              "labels_file=" + content_digest_if_file(s.eval.labels),
                              "limit=" + std::to_string(s.eval.limit),
                              "calib=" + std::to_string(s.eval.calib),
                              "calib_file=" + content_digest_if_file(s.eval.calib_data),
                              "normalize=" + s.eval.normalize,
                              "validation=" + std::to_string(s.validation),
                              "validation_file=" + content_digest_if_file(s.validation_data),
                              "validation_labels=" + content_digest_if_file(s.validation_labels),
                              "candidates=" + s.candidates,
                              "granularity=" + s.granularity,
                              "cost=" + cost_metric_name(s.cost),
                              "quality=" + quality_metric_name(s.quality),
                              "sensitivity=" + quality_metric_name(s.sensitivity),
                              "engine=" + cost_engine_name(s.engine),
                              "calibration=" + s.calibration,
                              "method=" + o.method,
                              "max_drop=" + (o.max_drop ? format_number(*o.max_drop) : ""),
                              "target=" + o.target,
                              std::string("full_curve=") + (o.full_curve ? "1" : "0"),
                              "order=" + o.order,
                              "samples=" + std::to_string(o.samples),
                              "per_step=" + std::to_string(o.samples_per_step),
                              "warmup=" + std::to_string(o.warmup),
                              "lr=" + format_number(o.learning_rate),
                              "beta=" + format_number(o.beta),
                              std::string("one_sided=") + (o.one_sided ? "1" : "0"),
                              "seed=" + std::to_string(o.seed)};
  for (const auto& v : s.overrides)
    in.push_back("set=" + v);
  for (const auto& p : s.pins)
    in.push_back("pin=" + p);
  for (const auto& x : s.eval.input_shapes)
    in.push_back("input_shape=" + x.name + "=" + shape_string(x.shape));
  if (s.batch != 0) in.push_back("batch=" + std::to_string(s.batch));
  // Only when not the default, so that records of runs made before the option still resume.
  if (o.entropy_max != SearchRunOptions{}.entropy_max)
    in.push_back("entropy_max=" + format_number(o.entropy_max));
  return in;
}

const std::vector<MethodOption>& method_options() {
  static const std::vector<MethodOption> kOptions = {{"--max-drop", {"greedy"}},
                                                     {"--full-curve", {"greedy"}},
                                                     {"--order", {"greedy"}},
                                                     {"--sensitivity", {"greedy"}},
                                                     {"--target", {"greedy", "rl", "random"}},
                                                     {"--samples", {"rl", "random"}},
                                                     {"--seed", {"rl", "random"}},
                                                     {"--samples-per-step", {"rl"}},
                                                     {"--warmup", {"rl"}},
                                                     {"--learning-rate", {"rl"}},
                                                     {"--beta", {"rl"}},
                                                     {"--entropy-max", {"rl"}},
                                                     {"--one-sided", {"rl"}}};
  return kOptions;
}

SearchReport run_precision_search(PrecisionSearchProblem& problem, const SearchRunOptions& o,
                                  const std::string& out_folder,
                                  const std::function<void(std::size_t, std::size_t)>& progress) {
  const std::string out_dir = without_trailing_slashes(out_folder);
  const auto& space = problem.space();
  if (o.method != "uniform" && o.method != "greedy" && o.method != "rl" && o.method != "random")
    throw UserError("unknown method '" + o.method + "'; expected uniform, greedy, rl or random");
  if (o.order != "score" && o.order != "score-per-cost")
    throw UserError("--order " + o.order + ": expected score or score-per-cost");

  if (o.method == "rl" && o.target.empty())
    throw UserError("--method rl needs a cost target (--target, e.g. 0.6xint8:int8)");
  // The command's parser checks these too; the Python module passes them as they come.
  if (o.samples < 1) throw UserError("--samples: expected a whole number >= 1");
  if (o.samples_per_step < 1) throw UserError("--samples-per-step: expected a whole number >= 1");
  if (o.warmup < 0) throw UserError("--warmup: expected a whole number >= 0");
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
    throw UserError("--learning-rate: expected a number > 0");
  if (!(o.beta >= 0) || !std::isfinite(o.beta)) throw UserError("--beta: expected a number >= 0");
  if (!(o.entropy_max >= 0) || !std::isfinite(o.entropy_max))
    throw UserError("--entropy-max: expected a number >= 0");
  if (o.max_drop && (!(*o.max_drop >= 0) || !std::isfinite(*o.max_drop)))
    throw UserError("--max-drop: expected a number >= 0");
  if (o.method == "rl" && o.warmup >= o.samples)
    throw UserError("--warmup " + std::to_string(o.warmup) +
                    ": RL learns only after its warm-up, so --samples (" +
                    std::to_string(o.samples) + ") must be larger");
  // Options another method would silently ignore are errors: a user who gives them expects
  // them to act. Given: what the caller says was given, and what differs from the defaults.
  std::vector<std::string> given = o.given;
  const auto values = option_values(o), defaults = option_values(SearchRunOptions{});
  for (const auto& [flag, value] : values)
    if (value != defaults.at(flag)) given.push_back(flag);
  if (!o.target.empty()) given.push_back("--target");
  const std::string which = "--method " + o.method;
  for (const std::string& flag : given) {
    const auto owner = std::find_if(method_options().begin(), method_options().end(),
                                    [&](const MethodOption& e) { return e.flag == flag; });
    if (owner == method_options().end()) continue;
    if (method_uses(*owner, o.method)) continue;
    const auto& methods = owner->methods;
    std::string names;
    for (std::size_t i = 0; i < methods.size(); ++i)
      names += (i == 0 ? "" : i + 1 == methods.size() ? " or " : ", ") + methods[i];
    throw UserError(flag + " is for --method " + names + "; " + which + " does not use it");
  }
  if (o.method == "greedy" && o.max_drop && !o.target.empty())
    throw UserError(
        "--max-drop and --target: greedy picks its map by one of them (the cheapest path point "
        "within the drop, or the first at or below the target); give one");

  // Checked before anything is scored or recorded: the target against the span of the uniform
  // maps (the cheapest candidate everywhere to the dearest), priced by the simulator alone.
  SearchReport report;
  if (!o.target.empty()) {
    report.target_cost = problem.parse_target(o.target);
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    int cheapest = 0, dearest = 0;
    for (int c = 0; c < space.candidates; ++c) {
      const double cost = problem.cost({search::uniform_choice(space, c)}).front();
      if (cost < lo) lo = cost, cheapest = c;
      if (cost > hi) hi = cost, dearest = c;
    }
    if (*report.target_cost < lo || *report.target_cost > hi)
      throw UserError(target_out_of_reach(problem, o.target, *report.target_cost, {lo, hi},
                                          {cheapest, dearest}));
  }

  SearchRecord record(out_dir + ".partial", fingerprint(search_inputs(problem.setup(), o)));
  RecordedObjective recorded(problem, record, progress, expected_evaluations(space, o),
                             o.stop_after);
  search::CachedObjective objective(recorded);
  report.stale_discarded = record.stale();
  const search::SearchResult uniform = search::uniform_search(space, objective);
  const bool needs_reference = o.method == "greedy";
  if (needs_reference) report.reference_quality = problem.reference_quality();

  if (o.method == "uniform") {
    report.result = uniform;
  } else if (o.method == "greedy") {
    search::GreedyOptions g;
    g.reference_quality = report.reference_quality;
    g.max_drop = o.max_drop;
    g.target_cost = report.target_cost;
    g.full_curve = o.full_curve;
    g.order = o.order == "score" ? search::GreedyOptions::Order::kScore
                                 : search::GreedyOptions::Order::kScorePerCost;
    g.sensitivity_loss = [&problem](double s) { return problem.sensitivity_loss(s); };
    report.result = search::greedy_search(space, objective, g);
  } else if (o.method == "rl") {
    search::RlOptions r;
    r.samples = o.samples;
    r.samples_per_step = o.samples_per_step;
    r.warmup_samples = o.warmup;
    r.learning_rate = o.learning_rate;
    r.target_cost = *report.target_cost;
    r.beta = o.beta;
    r.entropy_max = o.entropy_max;
    r.one_sided = o.one_sided;
    r.seed = o.seed;
    report.result = search::rl_search(space, objective, r);
  } else {
    search::RandomOptions r;
    r.samples = o.samples;
    r.seed = o.seed;
    r.max_cost = report.target_cost;
    report.result = search::random_search(space, objective, r);
  }
  const auto& space_notes = problem.space_notes();
  report.result.notes.insert(report.result.notes.begin(), space_notes.begin(), space_notes.end());
  report.quality_evaluations = objective.quality_evaluations();
  report.resumed = recorded.resumed();

  // Rows: the baselines, then the method's maps, each map once.
  std::map<std::string, std::size_t> row_of;
  auto add = [&](const std::string& method, const search::Evaluated& e) {
    const std::string key = search::choice_key(e.choice);
    if (row_of.count(key)) return;
    row_of[key] = report.rows.size();
    report.rows.push_back({method, e.choice, e.quality, e.cost, false, std::nullopt, ""});
  };
  for (const auto& e : uniform.evaluated)
    add("uniform", e);
  for (const auto& e : report.result.evaluated)
    add(o.method, e);
  const std::string chosen_key = search::choice_key(report.result.chosen);
  if (!row_of.count(chosen_key))
    add(o.method, {report.result.chosen, objective.quality(report.result.chosen),
                   objective.cost(report.result.chosen)});
  report.chosen = row_of.at(chosen_key);
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    const auto& r = report.rows[i];
    const auto& b = report.rows[report.best_uniform];
    if (r.method == "uniform" &&
        (r.quality > b.quality || (r.quality == b.quality && r.cost < b.cost)))
      report.best_uniform = i;
  }
  std::vector<std::vector<double>> points;
  for (const auto& r : report.rows)
    points.push_back({r.cost, -r.quality});
  const auto flags = pareto_flags(points);
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    SearchRow& r = report.rows[i];
    r.pareto = flags[i];
    // The front's maps and the chosen one are written as files (write_search_outputs).
    if (r.pareto || i == report.chosen) {
      char name[64];
      std::snprintf(name, sizeof name, "maps/%04zu-%s.toml", i, r.method.c_str());
      r.map_file = name;
    }
  }

  // The test split for the front, the baselines and the chosen map (scored as one batch);
  // costs for every map.
  std::vector<std::size_t> to_test;
  for (std::size_t i = 0; i < report.rows.size(); ++i) {
    auto& r = report.rows[i];
    const std::string key = search::choice_key(r.choice);
    if (r.pareto || r.method == "uniform" || i == report.chosen) {
      if (auto f = record.figures(key))
        r.figures = *f;
      else
        to_test.push_back(i);
    } else {
      r.figures = problem.cost_figures(r.choice);
      r.figures->validation_quality = r.quality;
    }
  }
  std::vector<search::Choice> tested;
  for (std::size_t i : to_test)
    tested.push_back(report.rows[i].choice);
  const auto figures = problem.figures(tested);
  for (std::size_t j = 0; j < to_test.size(); ++j) {
    auto& r = report.rows[to_test[j]];
    r.figures = figures[j];
    r.figures->validation_quality = r.quality;
    record.put_figures(search::choice_key(r.choice), *r.figures);
  }
  return report;
}

std::string search_hardware_text(const SearchSetup& setup) {
  std::string text = "priced on " + setup.hardware;
  for (const std::string& set : setup.overrides)
    text += " --set " + set;
  return text + (setup.engine == CostEngine::kSimulator ? " by the simulator"
                                                        : " by the closed-form model");
}

void check_search_output(const std::string& out_folder) {
  if (out_folder.empty()) throw UserError("search: --out DIR is required");
  const std::string out_dir = without_trailing_slashes(out_folder);
  const fs::path target(out_dir);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec)))
    throw UserError(out_dir +
                    ": exists already; a search writes a new folder (remove it or "
                    "choose another --out)");
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw UserError(out_dir + ": cannot write: folder '" + parent.string() + "' does not exist");
}

namespace {

std::string number_or_empty(double v) {
  return std::isnan(v) ? "" : format_number(v);
}

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  if (!(out << content) || !out.flush()) throw UserError(path.string() + ": cannot write");
}

std::string choice_text(PrecisionSearchProblem& p, const search::Choice& c) {
  std::string s;
  for (std::size_t d = 0; d < c.size(); ++d) {
    if (d) s += ' ';
    s += c[d] == search::kReference ? std::string("fp32") : p.candidate_name(c[d]);
  }
  return s;
}

}  // namespace

void write_search_outputs(PrecisionSearchProblem& problem, const SearchReport& report,
                          const SearchRunOptions& o, const std::string& out_folder) {
  const std::string out_dir = without_trailing_slashes(out_folder);
  check_search_output(out_dir);
  const SearchSetup& setup = problem.setup();
  const std::string priced_on = search_hardware_text(setup);
  std::string tmpl = out_dir + ".tmp-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    throw UserError(out_dir + ": cannot create a temporary folder beside it");
  const fs::path tmp(tmpl);
  try {
    fs::create_directory(tmp / "maps");
    // Maps: the front's and the chosen one.
    for (std::size_t i = 0; i < report.rows.size(); ++i) {
      const auto& r = report.rows[i];
      if (r.map_file.empty()) continue;
      std::ostringstream comment;
      comment << "found by mpsim search --method " << o.method << " (" << r.method << " map, row "
              << i << " of front.csv)\n"
              << "validation " << quality_metric_name(setup.quality) << ' '
              << format_number(r.quality) << ", " << cost_metric_name(setup.cost) << ' '
              << format_number(r.cost) << ' ' << cost_metric_unit(setup.cost) << '\n'
              << priced_on;
      write_file(tmp / r.map_file, problem.map_toml(r.choice, comment.str()));
    }
    {
      std::ostringstream comment;
      comment << "the map mpsim search --method " << o.method << " chose (row " << report.chosen
              << " of front.csv)\n"
              << priced_on;
      write_file(tmp / "chosen.toml",
                 problem.map_toml(report.rows[report.chosen].choice, comment.str()));
    }

    // front.csv and front.json: every map met.
    std::ostringstream csv;
    csv << csv_row({"row", "method", "validation_" + quality_metric_name(setup.quality),
                    "test_top1", "test_agreement", "test_sqnr_db", "energy_pj", "leakage_energy_pj",
                    "latency_s", "cycles", "edp_js", "area_mm2", "bops", "weight_bytes",
                    "cost_" + cost_metric_name(setup.cost), "pareto", "chosen", "map_file",
                    "choice"});
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < report.rows.size(); ++i) {
      const auto& r = report.rows[i];
      const MapFigures& f = *r.figures;
      csv << csv_row({std::to_string(i), r.method, format_number(r.quality),
                      number_or_empty(f.test_top1), number_or_empty(f.test_agreement),
                      number_or_empty(f.test_sqnr_db), format_number(f.energy_pj),
                      format_number(f.leakage_pj), format_number(f.latency_s),
                      std::to_string(f.cycles), format_number(f.edp_js), format_number(f.area_mm2),
                      format_number(f.bops), format_number(f.weight_bytes), format_number(r.cost),
                      r.pareto ? "true" : "false", i == report.chosen ? "true" : "false",
                      r.map_file, choice_text(problem, r.choice)});
      nlohmann::ordered_json j;
      j["row"] = i;
      j["method"] = r.method;
      j["validation_quality"] = number_or_null(r.quality);
      j["test_top1"] = number_or_null(f.test_top1);
      j["test_agreement"] = number_or_null(f.test_agreement);
      j["test_sqnr_db"] = number_or_null(f.test_sqnr_db);
      j["energy_pj"] = f.energy_pj;
      j["leakage_energy_pj"] = f.leakage_pj;
      j["latency_s"] = f.latency_s;
      j["cycles"] = f.cycles;
      j["edp_js"] = f.edp_js;
      j["area_mm2"] = f.area_mm2;
      j["bops"] = f.bops;
      j["weight_bytes"] = f.weight_bytes;
      j["cost"] = r.cost;
      j["pareto"] = r.pareto;
      j["chosen"] = i == report.chosen;
      j["map_file"] =
          r.map_file.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.map_file);
      nlohmann::ordered_json choice = nlohmann::ordered_json::array();
      for (int c : r.choice)
        choice.push_back(c == search::kReference ? std::string("fp32") : problem.candidate_name(c));
      j["choice"] = choice;
      rows.push_back(std::move(j));
    }
    write_file(tmp / "front.csv", csv.str());
    nlohmann::ordered_json front;
    front["method"] = o.method;
    front["model"] = setup.eval.model;
    front["hardware"] = setup.hardware;
    front["hardware_overrides"] = setup.overrides;     // --set KEY=VALUE, in order
    front["engine"] = cost_engine_name(setup.engine);  // what priced the maps
    front["quality"] = quality_metric_name(setup.quality);
    front["sensitivity"] = quality_metric_name(setup.sensitivity);
    front["cost"] = cost_metric_name(setup.cost);
    front["cost_unit"] = cost_metric_unit(setup.cost);
    front["batch"] = problem.priced_batch();  // the costs are of one batch of this many
    nlohmann::ordered_json data;
    for (const auto& [split, source] : problem.data_sources())
      data[split] = source;
    front["data"] = data;  // where the validation, calibration and test images come from
    front["settings"] = method_settings(o);
    front["reference_quality"] = number_or_null(report.reference_quality);
    front["target_cost"] = report.target_cost ? nlohmann::ordered_json(*report.target_cost)
                                              : nlohmann::ordered_json(nullptr);
    front["quality_evaluations"] = report.quality_evaluations;
    front["chosen_row"] = report.chosen;
    front["best_uniform_row"] = report.best_uniform;
    front["notes"] = report.result.notes;
    nlohmann::ordered_json decisions = nlohmann::ordered_json::array();
    for (std::size_t d = 0; d < problem.space().decisions(); ++d) {
      nlohmann::ordered_json layers = nlohmann::ordered_json::array();
      for (int id : problem.decision_layers(d))
        layers.push_back(problem.network().layer(id).name);
      decisions.push_back({{"name", problem.decision_name(d)}, {"layers", layers}});
    }
    front["decisions"] = decisions;
    front["rows"] = std::move(rows);
    write_file(tmp / "front.json", json_text(front) + "\n");

    // trace.csv: the method's log; decisions and candidates also by name.
    std::ostringstream trace;
    const auto& columns = report.result.trace.columns;
    std::vector<std::string> header = columns;
    const auto dcol = std::find(columns.begin(), columns.end(), "decision") - columns.begin();
    const auto ccol = std::find(columns.begin(), columns.end(), "candidate") - columns.begin();
    const bool named = dcol < static_cast<long>(columns.size());
    const bool cnamed = ccol < static_cast<long>(columns.size());
    if (named) header.push_back("decision_name");
    if (cnamed) header.push_back("candidate_name");
    trace << csv_row(header);
    for (const auto& row : report.result.trace.rows) {
      std::vector<std::string> fields;
      for (double v : row)
        fields.push_back(number_or_empty(v));
      if (named) fields.push_back(problem.decision_name(static_cast<std::size_t>(row[dcol])));
      if (cnamed) fields.push_back(problem.candidate_name(static_cast<int>(row[ccol])));
      trace << csv_row(fields);
    }
    write_file(tmp / "trace.csv", trace.str());

    std::error_code ec;
    fs::rename(tmp, out_dir, ec);
    if (ec)
      throw UserError(out_dir + ": cannot move the results into place (" + ec.message() + ")");
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::remove(out_dir + ".partial", ec);
}

double quality_drop_unit(QualityMetric q) {
  return q == QualityMetric::kSqnr ? 1.0 : 0.01;
}

void default_greedy_drop(SearchRunOptions& run, QualityMetric q) {
  if (run.method == "greedy" && !run.max_drop && run.target.empty())
    run.max_drop = quality_drop_unit(q);
}

}  // namespace mpsim
