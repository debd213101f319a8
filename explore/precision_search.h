// A precision search problem: an ONNX model with weights, data and a hardware configuration,
// wired to the search algorithms (search/) as their objective. A choice becomes a precision map;
// its cost is what the accelerator model says for that map on that hardware (energy, latency,
// EDP; BOPs as a labelled proxy), its quality what the fake-quant evaluator measures on a
// validation split that final reports never use.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/hardware_model.h"
#include "explore/costing.h"
#include "explore/evaluation.h"
#include "search/objective.h"
#include "search/space.h"
#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

enum class CostMetric { kEnergy, kLatency, kEdp, kBops };
CostMetric parse_cost_metric(const std::string& name);  // energy latency edp bops
std::string cost_metric_name(CostMetric m);
std::string cost_metric_unit(CostMetric m);  // pJ, s, J s, bit-ops

enum class QualityMetric { kTop1, kAgreement, kSqnr };
QualityMetric parse_quality_metric(const std::string& name);  // top1 agreement sqnr
std::string quality_metric_name(QualityMetric m);

struct SearchSetup {
  std::string hardware;                // bundled name or config file
  std::vector<std::string> overrides;  // "key=value"
  EvalSetup eval;                      // the model, the test data (final reports), calibration
  // The validation split the search scores on: Fashion-MNIST images of the calibration split
  // after the calibration images (so disjoint from both), or a .npy file with optional labels.
  // Images: 0 takes the default, 2,000 Fashion-MNIST images or the whole --validation-data
  // file; more than the data holds is an error. Set to the count used once the problem is made.
  std::size_t validation = 0;
  std::string validation_data, validation_labels;
  std::string candidates;             // "w:a,w:a,..."; empty: every pair the array supports
  std::vector<std::string> pins;      // "LAYER[,LAYER...]=w:a" (names or globs)
  std::string granularity = "group";  // group | layer | block:DEPTH | network
  CostMetric cost = CostMetric::kEnergy;
  QualityMetric quality = QualityMetric::kTop1;
  // What ranks greedy's single-decision probes (Pandey et al.: the output's SQNR).
  QualityMetric sensitivity = QualityMetric::kSqnr;
  CostEngine engine = CostEngine::kSimulator;
  std::string calibration = "mse";  // activation calibration rule
  // The batch maps are priced at: the cost of one batch of this many inferences, as
  // `mpsim simulate --batch` gives it (weights are fetched once per batch). 0: the model's own
  // batch, 1 for a dynamic one. Quality does not depend on it.
  std::int64_t batch = 0;
  int threads = 0;  // evaluator threads (0: every core)
  std::int64_t micro_batch = 16;
};

// Everything reported for a map: the search's validation quality and the test-split figures,
// beside every cost the simulator gives.
struct MapFigures {
  double validation_quality = 0;
  double test_top1 = 0;  // NaN without labels (or not evaluated)
  double test_agreement = 0;
  double test_sqnr_db = 0;  // +inf when identical to fp32
  double energy_pj = 0, latency_s = 0, edp_js = 0, area_mm2 = 0, bops = 0, weight_bytes = 0;
  double leakage_pj = 0;  // of energy_pj
  std::int64_t cycles = 0;
};

class PrecisionSearchProblem : public search::Objective {
 public:
  explicit PrecisionSearchProblem(const SearchSetup& setup);
  ~PrecisionSearchProblem() override;

  const search::SearchSpace& space() const;
  const Network& network() const;
  const HardwareModel& hardware() const;
  const SearchSetup& setup() const;
  // Where each split comes from, for reports: {"validation", "calibration", "test"} -> text
  // such as "fashion-mnist:train images 1000 to 2999 (2,000 images)".
  const std::vector<std::pair<std::string, std::string>>& data_sources() const;
  // The batch maps are priced at: --batch, else the model's own (its first input's leading
  // dimension, 1 for a dynamic one).
  std::int64_t priced_batch() const;
  // Candidate c as "weight:activation", and the format pair.
  std::string candidate_name(int c) const;
  const FormatPair& candidate(int c) const;
  int candidate_index(const std::string& name) const;  // -1 if not a candidate
  // Decision d's name (the layers or the block it covers) and its MAC layers.
  const std::string& decision_name(std::size_t d) const;
  const std::vector<int>& decision_layers(std::size_t d) const;
  // What the space's construction wants the user to know (pins that fix more than they name).
  const std::vector<std::string>& space_notes() const;

  // The map a choice stands for (kReference: fp32, unquantized). A complete choice that breaks
  // a quantizer group (possible only with --granularity layer) gives the group its pinned
  // member's format, else its widest (ties: the first member's).
  PrecisionMap map_of(const search::Choice& c) const;
  // The map as a precision map file that `simulate`, `estimate` and `eval` accept as is.
  std::string map_toml(const search::Choice& c, const std::string& comment) const;

  // The objective: quality on the validation split (higher is better), cost by the setup's
  // metric (lower is better).
  std::vector<double> quality(const std::vector<search::Choice>& choices) override;
  std::vector<double> cost(const std::vector<search::Choice>& choices) override;
  // The setup's sensitivity metric on the validation split, from the same evaluation as the
  // quality (a map is scored once for both).
  std::vector<double> sensitivity(const std::vector<search::Choice>& choices) override;
  double cost_of(const search::Choice& c, CostMetric metric);
  // The unquantized network's quality on the validation split (what drops are measured from):
  // its top-1, agreement 1, or for SQNR the best uniform map's (fp32 itself is infinite).
  double reference_quality();
  // What a greedy probe loses by the sensitivity metric: the drop from the fp32 network's
  // top-1 or agreement, or for SQNR the noise power 10^(-dB/10).
  double sensitivity_loss(double sensitivity);
  // Distinct resolved maps whose quality was measured (scores are cached by the resolved map,
  // so two choices that widen into one map are scored once).
  std::size_t distinct_maps_scored() const;

  // A map's costs and its figures on the test split (validation_quality left NaN: the caller
  // has it from the search). Evaluates the test split each call; callers keep the result.
  MapFigures figures(const search::Choice& c);
  // The same for several maps, their test-split scores asked of the scorer in one batch.
  std::vector<MapFigures> figures(const std::vector<search::Choice>& choices);

  // Where maps are scored. By default here, one after another. mpsim.distributed scores them
  // on worker processes instead, each of which builds the same problem and calls score_here();
  // the scorer gets a batch of maps (for the validation split each resolved map once and none
  // scored yet; for the test split the maps as figures() was given them) and returns, per
  // map, what score_here() returns for it. Scores must not depend on where they were computed:
  // the evaluator's results are the same at any thread count.
  enum class Split { kValidation, kTest };
  using Scorer =
      std::function<std::vector<std::vector<double>>(const std::vector<search::Choice>&, Split)>;
  void set_scorer(Scorer scorer);
  // One map scored in this process: {quality, sensitivity} on the validation split, {top-1,
  // agreement, SQNR dB} on the test split.
  std::vector<double> score_here(const search::Choice& c, Split split);
  // The simulator's figures alone (the quality fields NaN), cheap enough for every map a
  // search met.
  MapFigures cost_figures(const search::Choice& c);

  // "0.6xint8:int8" (a share of a uniform map's cost) or a number in the cost metric's unit.
  double parse_target(const std::string& text);

 private:
  std::vector<double> validation_scores(const std::vector<search::Choice>& choices,
                                        bool sensitivity);
  double fp32_top1();  // the unquantized network's on the validation split
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpsim
