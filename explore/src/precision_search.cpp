#include "explore/precision_search.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <sstream>

#include "explore/src/search_space_builder.h"
#include "formats/error.h"
#include "quant/evaluator.h"
#include "workloads/quantizer_groups.h"

namespace mpsim {

CostMetric parse_cost_metric(const std::string& name) {
  if (name == "energy") return CostMetric::kEnergy;
  if (name == "latency") return CostMetric::kLatency;
  if (name == "edp") return CostMetric::kEdp;
  if (name == "bops") return CostMetric::kBops;
  throw UserError("unknown cost '" + name + "'; expected energy, latency, edp or bops");
}

std::string cost_metric_name(CostMetric m) {
  switch (m) {
    case CostMetric::kEnergy:
      return "energy";
    case CostMetric::kLatency:
      return "latency";
    case CostMetric::kEdp:
      return "edp";
    case CostMetric::kBops:
      return "bops";
  }
  return "?";
}

std::string cost_metric_unit(CostMetric m) {
  switch (m) {
    case CostMetric::kEnergy:
      return "pJ";
    case CostMetric::kLatency:
      return "s";
    case CostMetric::kEdp:
      return "J s";
    case CostMetric::kBops:
      return "bit-ops";
  }
  return "?";
}

QualityMetric parse_quality_metric(const std::string& name) {
  if (name == "top1") return QualityMetric::kTop1;
  if (name == "agreement") return QualityMetric::kAgreement;
  if (name == "sqnr") return QualityMetric::kSqnr;
  throw UserError("unknown quality '" + name + "'; expected top1, agreement or sqnr");
}

std::string quality_metric_name(QualityMetric m) {
  switch (m) {
    case QualityMetric::kTop1:
      return "top1";
    case QualityMetric::kAgreement:
      return "agreement";
    case QualityMetric::kSqnr:
      return "sqnr";
  }
  return "?";
}

namespace {

// SQNR of a map identical to fp32 is infinite; as a quality it is capped here so that rewards
// and sorts stay finite.
constexpr double kSqnrCapDb = 100;

Dataset slice(const Dataset& d, std::size_t from, std::size_t count) {
  Dataset out;
  out.name = d.name;
  out.labels_name = d.labels_name;  // label errors name the file the labels came from
  out.sample_shape = d.sample_shape;
  const auto n = static_cast<std::size_t>(d.sample_elements());
  out.values.assign(d.values.begin() + static_cast<std::ptrdiff_t>(from * n),
                    d.values.begin() + static_cast<std::ptrdiff_t>((from + count) * n));
  if (!d.labels.empty())
    out.labels.assign(d.labels.begin() + static_cast<std::ptrdiff_t>(from),
                      d.labels.begin() + static_cast<std::ptrdiff_t>(from + count));
  return out;
}

// The validation split: the Fashion-MNIST split the scored one is not (where calibration
// images come from too), after the calibration images; or a file.
Dataset load_validation(const SearchSetup& s) {
  if (s.validation_data.empty() && !s.validation_labels.empty())
    throw UserError("--validation-labels " + s.validation_labels +
                    " goes with --validation-data V.npy; the default validation split has "
                    "its own labels");
  if (!s.validation_data.empty() && !is_npy_path(s.validation_data))
    throw UserError("--validation-data " + s.validation_data +
                    ": expected a .npy file of inputs (without it the search validates on "
                    "Fashion-MNIST images that neither calibration nor the final report use)");
  if (!s.validation_data.empty()) {
    Dataset v = load_eval_data(s.validation_data, s.validation_labels, s.validation);
    if (v.size() == 0) throw UserError(s.validation_data + ": no images to validate on");
    if (s.validation > v.size())
      throw UserError("--validation " + std::to_string(s.validation) + ": " + s.validation_data +
                      " holds only " + std::to_string(v.size()) + " images");
    return v;
  }
  if (is_npy_path(s.eval.dataset))
    throw UserError(
        "a search on a .npy data set needs a validation split: --validation-data V.npy "
        "(--validation-labels L.npy for top-1); the scored data set is kept for the final "
        "report");
  const std::string split =
      s.eval.dataset == "fashion-mnist:train" ? "fashion-mnist:test" : "fashion-mnist:train";
  const std::size_t skip = s.eval.calib;
  const std::size_t n = s.validation != 0 ? s.validation : 2000;
  const Dataset all = load_dataset(split, skip + n);
  if (all.size() <= skip)
    throw UserError("--calib " + std::to_string(skip) + ": " + split + " has only " +
                    std::to_string(all.size()) +
                    " images, and the validation split comes after the calibration images");
  if (all.size() < skip + n)
    throw UserError("--validation " + std::to_string(n) + ": " + split + " has only " +
                    std::to_string(all.size()) + " images, " + std::to_string(skip) +
                    " of them used for calibration");
  Dataset v = slice(all, skip, n);
  v.name = split + " images " + std::to_string(skip) + " to " + std::to_string(skip + n - 1);
  return v;
}

double quality_value(const EvalResult& r, QualityMetric m) {
  switch (m) {
    case QualityMetric::kTop1:
      return r.top1;
    case QualityMetric::kAgreement:
      return r.agreement;
    case QualityMetric::kSqnr:
      return std::min(r.sqnr_db, kSqnrCapDb);
  }
  return 0;
}

// Shell-glob metacharacters in a layer name, each put in a one-character set so the name
// matches only itself in a precision map file.
std::string glob_escape(const std::string& name) {
  std::string out;
  for (char ch : name) {
    if (ch == '*' || ch == '?' || ch == '[')
      out += std::string("[") + ch + "]";
    else
      out += ch;
  }
  return out;
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char ch : s) {
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += static_cast<char>(ch);
    } else if (ch < 0x20 || ch == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", ch);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  return out + "\"";
}

}  // namespace

struct PrecisionSearchProblem::Impl {
  SearchSetup setup;
  PreparedEvaluation prepared;  // net, test data, calibration, normalization
  // The network at the priced batch, when --batch asks for another than the evaluated one
  // (its layers are the evaluated network's, in the same order).
  std::optional<Network> batched;
  HardwareModel hw;
  SpaceLayout layout;
  std::vector<QuantizerGroup> groups;
  std::unique_ptr<Evaluator> validation;
  // Built on first use from prepared.data, on the validation evaluator's calibration.
  std::unique_ptr<Evaluator> test;
  std::optional<double> reference;
  std::optional<double> fp32_top1;  // on the validation split
  // Both by the resolved map: with --granularity layer two choices may widen into one map.
  std::map<std::string, NetworkCost> costs;
  std::map<std::string, double> qualities, sensitivities;
  Scorer scorer;  // empty: score here
  std::vector<std::pair<std::string, std::string>> sources;

  Impl(const SearchSetup& s)
      : setup(s),
        prepared(prepare_evaluation(s.eval, true)),
        hw(load_hardware_by_name(s.hardware, s.overrides)) {
    if (s.batch != 0) batched = network_at_batch();
  }

  // What maps are priced on.
  const Network& cost_net() const { return batched ? *batched : prepared.net; }

  Network network_at_batch() const {
    const std::string flag = "--batch " + std::to_string(setup.batch);
    if (setup.batch < 1) throw UserError(flag + ": expected a batch of at least 1");
    OnnxImportOptions import;
    import.keep_weights = false;
    import.batch = setup.batch;
    // A whole input shape given with --input-shape carries the evaluated batch (1) first; a
    // named dimension (one size) has none.
    import.input_shapes = setup.eval.input_shapes;
    for (auto& x : import.input_shapes)
      if (x.shape.size() > 1) x.shape.front() = setup.batch;
    import.data_shape = Shape{setup.batch};
    import.data_shape->insert(import.data_shape->end(), prepared.data.sample_shape.begin(),
                              prepared.data.sample_shape.end());
    Network net = import_onnx(setup.eval.model, import);  // its errors name --batch
    // A map is built on the evaluated network's layer ids; they must mean the same layers.
    const Network& base = prepared.net;
    bool same = net.size() == base.size() && net.mac_layers() == base.mac_layers();
    for (int id : base.mac_layers())
      same = same && net.layer(id).name == base.layer(id).name;
    if (!same)
      throw UserError(flag + ": " + setup.eval.model +
                      " imports with other layers at this batch than at batch 1");
    return net;
  }

  EvalOptions eval_options() const {
    EvalOptions o;
    o.calibration = parse_calibration(setup.calibration);
    o.engine.threads = setup.threads;
    o.engine.micro_batch = setup.micro_batch;
    return o;
  }

  // What decides a map's cost and quality, layer by layer ("-": unquantized).
  std::string resolved_key(const PrecisionMap& map) const {
    std::string key;
    for (int id : prepared.net.mac_layers()) {
      if (!map.has(id)) {
        key += "-;";
        continue;
      }
      const LayerPrecision& p = map.at(id);
      key += p.weight.name() + ',' + p.activation.name() + ',' +
             (p.accumulator ? p.accumulator->name() : std::string()) + ',' +
             granularity_name(p.granularity, p.cluster_size, p.cluster_unit) + ',' +
             weight_scale_name(p.weight_scale) + ';';
    }
    return key;
  }

  // Scores a batch of maps through the scorer, or here when there is none.
  std::vector<std::vector<double>> score(PrecisionSearchProblem& self,
                                         const std::vector<search::Choice>& choices, Split split) {
    std::vector<std::vector<double>> out;
    if (!scorer) {
      for (const auto& c : choices)
        out.push_back(self.score_here(c, split));
      return out;
    }
    out = scorer(choices, split);
    const std::size_t width = split == Split::kValidation ? 2 : 3;
    bool ok = out.size() == choices.size();
    for (std::size_t i = 0; ok && i < out.size(); ++i)
      ok = out[i].size() == width;
    if (!ok)
      throw UserError("the search's scorer returned " + std::to_string(out.size()) +
                      " results for " + std::to_string(choices.size()) + " maps; expected " +
                      std::to_string(width) + " value(s) per map");
    return out;
  }

  const NetworkCost& priced(const PrecisionMap& map) {
    const std::string key = resolved_key(map);
    auto it = costs.find(key);
    if (it == costs.end())
      it = costs.emplace(key, price_network(cost_net(), map, hw, setup.engine)).first;
    return it->second;
  }
};

PrecisionSearchProblem::PrecisionSearchProblem(const SearchSetup& setup)
    : impl_(std::make_unique<Impl>(setup)) {
  Impl& m = *impl_;
  const Network& net = m.prepared.net;
  m.groups = quantizer_groups(net);
  m.layout =
      build_search_space(net, m.hw, m.groups, setup.candidates, setup.pins, setup.granularity);
  Dataset validation = load_validation(setup);
  m.setup.validation = validation.size();  // the count used (the default resolved)
  auto images = [](std::size_t n) { return " (" + std::to_string(n) + " images)"; };
  m.sources = {
      {"validation", validation.name + images(validation.size())},
      {"calibration", setup.calibration + " on " + std::to_string(m.prepared.calib.size()) +
                          " images of " + m.prepared.calib_source},
      {"test", m.prepared.data.name + images(m.prepared.data.size())}};
  if (m.prepared.normalization)
    normalize(validation, m.prepared.normalization->mean, m.prepared.normalization->std_dev);
  // Found here, not at the first map scored: by then the search has begun its record.
  if (m.prepared.calib.size() == 0)
    throw UserError(
        "a search needs calibration images for its maps' activation scales (--calib N with "
        "N > 0)");
  if (setup.quality == QualityMetric::kTop1 && validation.labels.empty())
    throw UserError(
        "--quality top1 needs labels for the validation split (--validation-labels); "
        "agreement and sqnr need none");
  if (setup.sensitivity == QualityMetric::kTop1 && validation.labels.empty())
    throw UserError(
        "--sensitivity top1 needs labels for the validation split (--validation-labels); "
        "agreement and sqnr need none");
  m.validation = std::make_unique<Evaluator>(net, std::move(validation),
                                             std::move(m.prepared.calib), m.eval_options());
}

PrecisionSearchProblem::~PrecisionSearchProblem() = default;

const search::SearchSpace& PrecisionSearchProblem::space() const {
  return impl_->layout.space;
}
const Network& PrecisionSearchProblem::network() const {
  return impl_->prepared.net;
}

std::int64_t PrecisionSearchProblem::priced_batch() const {
  const Network& net = impl_->cost_net();
  for (const Layer& l : net.layers())
    if (l.op == Op::kInput && !l.output_shape.empty()) return l.output_shape.front();
  return 1;
}

const std::vector<std::pair<std::string, std::string>>& PrecisionSearchProblem::data_sources()
    const {
  return impl_->sources;
}

const HardwareModel& PrecisionSearchProblem::hardware() const {
  return impl_->hw;
}
const SearchSetup& PrecisionSearchProblem::setup() const {
  return impl_->setup;
}

std::string PrecisionSearchProblem::candidate_name(int c) const {
  const FormatPair& p = candidate(c);
  return p.weight.name() + ":" + p.activation.name();
}

const FormatPair& PrecisionSearchProblem::candidate(int c) const {
  return impl_->layout.candidates.at(static_cast<std::size_t>(c));
}

int PrecisionSearchProblem::candidate_index(const std::string& name) const {
  for (int c = 0; c < static_cast<int>(impl_->layout.candidates.size()); ++c)
    if (candidate_name(c) == name) return c;
  return -1;
}

const std::string& PrecisionSearchProblem::decision_name(std::size_t d) const {
  return impl_->layout.decision_names.at(d);
}

const std::vector<int>& PrecisionSearchProblem::decision_layers(std::size_t d) const {
  return impl_->layout.decision_layers.at(d);
}

const std::vector<std::string>& PrecisionSearchProblem::space_notes() const {
  return impl_->layout.notes;
}

PrecisionMap PrecisionSearchProblem::map_of(const search::Choice& c) const {
  const Impl& m = *impl_;
  if (c.size() != m.layout.space.decisions())
    throw UserError("a choice of " + std::to_string(c.size()) + " decisions for a search of " +
                    std::to_string(m.layout.space.decisions()));
  PrecisionMap map(m.prepared.net.size());
  bool complete = true;
  for (std::size_t d = 0; d < c.size(); ++d) {
    LayerPrecision p;
    if (c[d] == search::kReference) {
      p.weight = p.activation = Format::parse("fp32");
      complete = false;
    } else {
      p.weight = candidate(c[d]).weight;
      p.activation = candidate(c[d]).activation;
    }
    for (int layer : m.layout.decision_layers[d])
      map.set(layer, p);
  }
  if (complete) settle_quantizer_groups(map, m.groups, m.layout);
  return map;
}

std::string PrecisionSearchProblem::map_toml(const search::Choice& c,
                                             const std::string& comment) const {
  const Network& net = impl_->prepared.net;
  const PrecisionMap map = map_of(c);
  // [default]: the pair most layers take; an override lists the layers of every other pair.
  std::map<std::string, std::vector<int>> by_pair;
  for (int id : net.mac_layers())
    by_pair[map.at(id).weight.name() + ":" + map.at(id).activation.name()].push_back(id);
  std::string common;
  for (const auto& [pair, layers] : by_pair)
    if (common.empty() || layers.size() > by_pair[common].size()) common = pair;
  std::ostringstream out;
  std::istringstream lines(comment);
  for (std::string line; std::getline(lines, line);)
    out << "# " << line << '\n';
  out << "network = " << toml_string(net.name()) << "\n\n[default]\n";
  auto formats = [&](const std::string& pair) {
    const auto colon = pair.find(':');
    out << "weight = " << toml_string(pair.substr(0, colon)) << '\n'
        << "activation = " << toml_string(pair.substr(colon + 1)) << '\n';
  };
  formats(common);
  for (const auto& [pair, layers] : by_pair) {
    if (pair == common) continue;
    out << "\n[[override]]\nlayers = [";
    for (std::size_t i = 0; i < layers.size(); ++i)
      out << (i ? ", " : "") << toml_string(glob_escape(net.layer(layers[i]).name));
    out << "]\n";
    formats(pair);
  }
  return out.str();
}

std::vector<double> PrecisionSearchProblem::quality(const std::vector<search::Choice>& choices) {
  return validation_scores(choices, false);
}

std::vector<double> PrecisionSearchProblem::sensitivity(
    const std::vector<search::Choice>& choices) {
  return validation_scores(choices, true);
}

std::vector<double> PrecisionSearchProblem::validation_scores(
    const std::vector<search::Choice>& choices, bool sensitivity) {
  Impl& m = *impl_;
  // The maps not scored yet, each resolved map once, go to the scorer as one batch.
  std::vector<std::string> keys;
  std::vector<search::Choice> missing;
  std::vector<std::string> missing_keys;
  for (const auto& c : choices) {
    keys.push_back(m.resolved_key(map_of(c)));
    if (!m.qualities.count(keys.back()) &&
        std::find(missing_keys.begin(), missing_keys.end(), keys.back()) == missing_keys.end()) {
      missing.push_back(c);
      missing_keys.push_back(keys.back());
    }
  }
  if (!missing.empty()) {
    const auto scores = m.score(*this, missing, Split::kValidation);
    for (std::size_t i = 0; i < missing.size(); ++i) {
      m.qualities.emplace(missing_keys[i], scores[i][0]);
      m.sensitivities.emplace(missing_keys[i], scores[i][1]);
    }
  }
  std::vector<double> out;
  out.reserve(choices.size());
  for (const auto& key : keys)
    out.push_back((sensitivity ? m.sensitivities : m.qualities).at(key));
  return out;
}

void PrecisionSearchProblem::set_scorer(Scorer scorer) {
  impl_->scorer = std::move(scorer);
}

std::vector<double> PrecisionSearchProblem::score_here(const search::Choice& c, Split split) {
  Impl& m = *impl_;
  const PrecisionMap map = map_of(c);
  if (split == Split::kValidation) {
    const EvalResult r = m.validation->evaluate(&map);
    return {quality_value(r, m.setup.quality), quality_value(r, m.setup.sensitivity)};
  }
  if (!m.test)  // on the validation evaluator's calibration: computed once per search
    m.test = std::make_unique<Evaluator>(*m.validation, std::move(m.prepared.data));
  const EvalResult r = m.test->evaluate(&map);
  return {r.top1, r.agreement, r.sqnr_db};
}

std::vector<double> PrecisionSearchProblem::cost(const std::vector<search::Choice>& choices) {
  std::vector<double> out;
  out.reserve(choices.size());
  for (const auto& c : choices)
    out.push_back(cost_of(c, impl_->setup.cost));
  return out;
}

namespace {

// The papers' proxy: MACs x weight bits x activation bits, a float at its total width.
double bops_of(const Network& net, const PrecisionMap& map) {
  double bops = 0;
  for (int id : net.mac_layers()) {
    const auto& p = map.at(id);
    bops += static_cast<double>(net.layer(id).macs) * p.weight.bits() * p.activation.bits();
  }
  return bops;
}

}  // namespace

double PrecisionSearchProblem::cost_of(const search::Choice& c, CostMetric metric) {
  for (int v : c)
    if (v == search::kReference)
      throw UserError("an unquantized layer has no cost on the accelerator");
  const PrecisionMap map = map_of(c);
  if (metric == CostMetric::kBops) return bops_of(impl_->cost_net(), map);
  const NetworkCost& cost = impl_->priced(map);
  switch (metric) {
    case CostMetric::kEnergy:
      return cost.total.energy.total_pj();
    case CostMetric::kLatency:
      return cost.total.latency_s;
    case CostMetric::kEdp:
      return cost.total.energy.total_pj() * 1e-12 * cost.total.latency_s;
    case CostMetric::kBops:
      break;
  }
  return 0;
}

std::size_t PrecisionSearchProblem::distinct_maps_scored() const {
  return impl_->qualities.size();
}

double PrecisionSearchProblem::reference_quality() {
  Impl& m = *impl_;
  if (!m.reference) {
    if (m.setup.quality == QualityMetric::kSqnr) {
      double best = -std::numeric_limits<double>::infinity();
      for (int c = 0; c < m.layout.space.candidates; ++c)
        best = std::max(best, quality({search::uniform_choice(m.layout.space, c)}).front());
      m.reference = best;
    } else {
      m.reference = m.setup.quality == QualityMetric::kTop1 ? fp32_top1() : 1.0;
    }
  }
  return *m.reference;
}

double PrecisionSearchProblem::fp32_top1() {
  Impl& m = *impl_;
  if (!m.fp32_top1) m.fp32_top1 = m.validation->evaluate(nullptr).top1_fp32;
  return *m.fp32_top1;
}

double PrecisionSearchProblem::sensitivity_loss(double s) {
  switch (impl_->setup.sensitivity) {
    case QualityMetric::kTop1:
      return std::max(0.0, fp32_top1() - s);
    case QualityMetric::kAgreement:
      return std::max(0.0, 1.0 - s);
    case QualityMetric::kSqnr:
      return std::pow(10.0, -s / 10);
  }
  return 0;
}

MapFigures PrecisionSearchProblem::figures(const search::Choice& c) {
  return figures(std::vector<search::Choice>{c}).front();
}

std::vector<MapFigures> PrecisionSearchProblem::figures(
    const std::vector<search::Choice>& choices) {
  std::vector<MapFigures> out;
  for (const auto& c : choices)
    out.push_back(cost_figures(c));
  if (choices.empty()) return out;
  const auto scores = impl_->score(*this, choices, Split::kTest);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].test_top1 = scores[i][0];
    out[i].test_agreement = scores[i][1];
    out[i].test_sqnr_db = scores[i][2];
  }
  return out;
}

MapFigures PrecisionSearchProblem::cost_figures(const search::Choice& c) {
  Impl& m = *impl_;
  const PrecisionMap map = map_of(c);
  MapFigures f;
  f.validation_quality = f.test_top1 = f.test_agreement = f.test_sqnr_db =
      std::numeric_limits<double>::quiet_NaN();
  const NetworkCost& cost = m.priced(map);
  f.energy_pj = cost.total.energy.total_pj();
  f.leakage_pj = cost.total.energy.leakage_pj;
  f.latency_s = cost.total.latency_s;
  f.cycles = cost.total.total_cycles;
  f.edp_js = f.energy_pj * 1e-12 * f.latency_s;
  f.area_mm2 = cost.area_mm2;
  f.bops = bops_of(m.cost_net(), map);
  for (int id : m.prepared.net.mac_layers())
    f.weight_bytes += static_cast<double>(m.prepared.net.layer(id).weight_count) *
                      map.at(id).weight.storage_bits() / 8;
  return f;
}

double PrecisionSearchProblem::parse_target(const std::string& text) {
  const std::string unit = cost_metric_unit(impl_->setup.cost);
  const auto x = text.find('x');
  char* end = nullptr;
  if (x != std::string::npos) {
    const std::string share = text.substr(0, x), pair = text.substr(x + 1);
    const double f = std::strtod(share.c_str(), &end);
    if (share.empty() || end != share.c_str() + share.size() || !(f > 0) || !std::isfinite(f))
      throw UserError("--target " + text + ": expected SHARExPAIR, e.g. 0.6xint8:int8");
    const int c = candidate_index(pair);
    if (c < 0)
      throw UserError("--target " + text + ": " + pair + " is not a candidate of this search");
    return f * cost({search::uniform_choice(space(), c)}).front();
  }
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !(v > 0) || !std::isfinite(v))
    throw UserError("--target " + text + ": expected a positive cost in " + unit +
                    " or SHARExPAIR (e.g. 0.6xint8:int8)");
  return v;
}

}  // namespace mpsim
