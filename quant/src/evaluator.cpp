#include "quant/evaluator.h"

#include <array>
#include <chrono>
#include <cmath>
#include <limits>

#include "formats/error.h"
#include "quant/metrics.h"

namespace mpsim {

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kOutputSlot = 2;  // RangeStats slots: operand 0, operand 1, output
using LayerStats = std::array<RangeStats, 3>;

bool is_fp32(const Format& f) {
  return f.kind() == FormatKind::kFloat && f.bits() == 32 && f.mantissa_bits() == 23;
}

// Pass 1 (ranges) or pass 2 (histograms) of calibration, one copy of the statistics per thread.
class RangeObserver : public Observer {
 public:
  RangeObserver(std::vector<std::vector<LayerStats>> per_thread, bool histogram)
      : stats(std::move(per_thread)), histogram_(histogram) {}
  void mac_input(int t, int layer, int operand, const Shape&, std::int64_t, std::int64_t,
                 std::span<const float> data) override {
    see(stats[static_cast<std::size_t>(t)][static_cast<std::size_t>(layer)]
             [static_cast<std::size_t>(operand)],
        data);
  }
  void mac_output(int t, int layer, const Shape&, std::int64_t, std::int64_t,
                  std::span<const float> data) override {
    see(stats[static_cast<std::size_t>(t)][static_cast<std::size_t>(layer)][kOutputSlot], data);
  }
  std::vector<std::vector<LayerStats>> stats;

 private:
  void see(RangeStats& s, std::span<const float> data) const {
    if (histogram_) {
      s.observe(data);
    } else {
      s.observe_range(data);
    }
  }
  bool histogram_;
};

// Keeps the fp32 MAC outputs of one chunk of samples.
class CaptureObserver : public Observer {
 public:
  explicit CaptureObserver(std::vector<std::vector<float>>& store) : store_(store) {}
  void mac_output(int, int layer, const Shape& shape, std::int64_t first, std::int64_t samples,
                  std::span<const float> data) override {
    const std::int64_t n = element_count(shape);
    std::copy(data.begin(), data.end(),
              store_[static_cast<std::size_t>(layer)].begin() + first * n);
    (void)samples;
  }

 private:
  std::vector<std::vector<float>>& store_;
};

// Compares the quantized MAC outputs of a chunk with the captured fp32 ones.
class CompareObserver : public Observer {
 public:
  CompareObserver(const std::vector<std::vector<float>>& store, std::vector<SqnrAccumulator>& sqnr,
                  std::int64_t chunk_first)
      : store_(store), sqnr_(sqnr), chunk_first_(chunk_first) {}
  void mac_output(int, int layer, const Shape& shape, std::int64_t first, std::int64_t samples,
                  std::span<const float> data) override {
    const std::int64_t n = element_count(shape);
    const auto& ref = store_[static_cast<std::size_t>(layer)];
    for (std::int64_t s = 0; s < samples; ++s)
      sqnr_[static_cast<std::size_t>(layer)].add(
          chunk_first_ + first + s,
          std::span<const float>(ref).subspan(static_cast<std::size_t>((first + s) * n),
                                              static_cast<std::size_t>(n)),
          data.subspan(static_cast<std::size_t>(s * n), static_cast<std::size_t>(n)));
  }

 private:
  const std::vector<std::vector<float>>& store_;
  std::vector<SqnrAccumulator>& sqnr_;
  std::int64_t chunk_first_;
};

std::string weight_key(int id, const LayerPrecision& p) {
  return std::to_string(id) + "|" + p.weight.name() + "|" +
         granularity_name(p.granularity, p.cluster_size, p.cluster_unit) + "|" +
         weight_scale_name(p.weight_scale);
}

// Top-1 compares a label with the index of the largest output: a label that no output can
// have (negative, or as large as the number of classes) would score as silently wrong.
void check_labels(const Dataset& d, std::int64_t classes) {
  const std::string& source = d.labels_name.empty() ? d.name : d.labels_name;
  if (!d.labels.empty() && d.labels.size() != d.size())
    throw UserError(source + ": " + std::to_string(d.labels.size()) + " labels for " +
                    std::to_string(d.size()) + " samples");
  for (std::size_t i = 0; i < d.labels.size(); ++i)
    if (d.labels[i] < 0 || d.labels[i] >= classes)
      throw UserError(source + ": the label of sample " + std::to_string(i) + " is " +
                      std::to_string(d.labels[i]) + ", outside the model's " +
                      std::to_string(classes) + " classes (0 to " + std::to_string(classes - 1) +
                      ")");
}

}  // namespace

struct Evaluator::Impl {
  Engine engine;
  Dataset data, calib;
  EvalOptions options;
  std::vector<float> reference;
  double reference_seconds = 0;
  std::vector<LayerStats> stats;
  bool ranges = false, histograms = false;
  std::map<std::string, std::shared_ptr<const QuantizedWeights>> weights;

  Impl(Network net, Dataset d, Dataset c, EvalOptions o)
      : engine(std::move(net), o.engine), data(std::move(d)), calib(std::move(c)), options(o) {}

  std::int64_t samples() const { return static_cast<std::int64_t>(data.size()); }

  void ensure_reference() {
    if (!reference.empty() || samples() == 0) return;
    reference.resize(static_cast<std::size_t>(samples() * engine.output_size()));
    const auto t0 = Clock::now();
    engine.run(data.values, reference);
    reference_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }

  std::vector<std::vector<LayerStats>> thread_copies(const std::vector<LayerStats>& init) const {
    return std::vector<std::vector<LayerStats>>(static_cast<std::size_t>(engine.threads()), init);
  }

  // Every calibration rule but max reads histograms, not just ranges.
  bool needs_histograms() const { return options.calibration.method != CalibrationMethod::kMax; }

  void calibrate() {
    const bool need_histograms = needs_histograms();
    if (ranges && (histograms || !need_histograms)) return;  // done (or taken from another)
    if (calib.size() == 0)
      throw UserError(
          "a precision map needs calibration images for its activation scales (--calib N with "
          "N > 0)");
    const std::size_t n = engine.network().size();
    std::vector<float> sink(calib.size() * static_cast<std::size_t>(engine.output_size()));
    if (!ranges) {
      RangeObserver pass1(thread_copies(std::vector<LayerStats>(n)), false);
      engine.run(calib.values, sink, nullptr, &pass1);
      stats.assign(n, LayerStats{});
      for (const auto& t : pass1.stats)
        for (std::size_t l = 0; l < n; ++l)
          for (int k = 0; k < 3; ++k)
            stats[l][static_cast<std::size_t>(k)].merge(t[l][static_cast<std::size_t>(k)]);
      ranges = true;
    }
    if (need_histograms && !histograms) {
      for (auto& l : stats)
        for (auto& s : l)
          if (s.seen()) s.start_histogram();
      RangeObserver pass2(thread_copies(stats), true);
      engine.run(calib.values, sink, nullptr, &pass2);
      std::vector<LayerStats> merged = stats;
      for (const auto& t : pass2.stats)
        for (std::size_t l = 0; l < n; ++l)
          for (std::size_t k = 0; k < 3; ++k)
            if (t[l][k].seen()) merged[l][k].merge(t[l][k]);
      stats = std::move(merged);
      histograms = true;
    }
  }

  // A per-tensor (or MX block) quantizer for an activation operand.
  TensorQuantizer activation(const Format& f, const RangeStats& s, int axis) const {
    TensorQuantizer q;
    q.format = f;
    if (f.is_block()) {
      q.mode = TensorQuantizer::Mode::kBlocks;
      q.axis = axis;
    } else {
      q.params = s.params(f, options.calibration);
    }
    return q;
  }

  std::shared_ptr<const QuantizedWeights> weights_of(int id, const LayerPrecision& p) {
    const std::string key = weight_key(id, p);
    if (auto it = weights.find(key); it != weights.end()) return it->second;
    const Layer& l = engine.network().layer(id);
    std::shared_ptr<const QuantizedWeights> w;
    try {
      w = std::make_shared<const QuantizedWeights>(quantize_weights(*l.weight, p));
    } catch (const UserError& e) {
      throw UserError("layer '" + l.name + "': " + e.what());
    }
    weights.emplace(key, w);
    return w;
  }

  QuantConfig build(const PrecisionMap& map) {
    const Network& net = engine.network();
    calibrate();
    QuantConfig config;
    config.layers.resize(net.size());
    for (int id : net.mac_layers()) {
      if (!map.has(id)) continue;
      const LayerPrecision& p = map.at(id);
      const Layer& l = net.layer(id);
      const LayerStats& st = stats[static_cast<std::size_t>(id)];
      LayerQuantizers lq;
      std::shared_ptr<const QuantizedWeights> w;
      if (l.op != Op::kMatMul && !is_fp32(p.weight)) {
        w = weights_of(id, p);
        lq.weight = std::shared_ptr<const Tensor>(w, &w->values);
      }
      const int axis0 = l.op == Op::kConv2d ? 1 : -1;
      if (!is_fp32(p.activation)) lq.inputs[0] = activation(p.activation, st[0], axis0);
      if (l.op == Op::kMatMul && !is_fp32(p.weight))
        lq.inputs[1] = activation(p.weight, st[1], l.transpose_b ? -1 : -2);
      if (p.accumulator && !is_fp32(*p.accumulator)) {
        TensorQuantizer acc;
        const Format& f = *p.accumulator;
        acc.format = f;
        const bool int_inputs =
            lq.inputs[0] && lq.inputs[0]->format.kind() == FormatKind::kSignedInt;
        if (f.is_block()) {
          throw UserError("layer '" + l.name + "': an MX format cannot be an accumulator");
        } else if (f.kind() == FormatKind::kFloat && f.bits() >= 16) {
          // Rounded as it is, without a scale.
        } else if (f.is_integer() && int_inputs && w && !w->channel_scales.empty()) {
          // Integer products accumulate on the grid of s_w[c] * s_a.
          acc.mode = TensorQuantizer::Mode::kPerChannel;
          acc.axis = l.op == Op::kConv2d ? 1 : -1;
          for (float sw : w->channel_scales) {
            QuantParams q;
            q.scale = sw * lq.inputs[0]->params.scale;
            acc.channel_params.push_back(q);
          }
        } else {
          acc.params = st[kOutputSlot].params(f, CalibrationOptions{});
        }
        lq.output = acc;
      }
      config.layers[static_cast<std::size_t>(id)] = std::move(lq);
    }
    return config;
  }
};

namespace {

void check_fits(const Dataset& d, const Shape& input, const char* what) {
  if (d.size() > 0 && d.sample_elements() != element_count(input))
    throw UserError(std::string("the ") + what + " samples (" + d.name + ", shape " +
                    shape_string(d.sample_shape) + ") do not fit the network's input " +
                    shape_string(input));
}

}  // namespace

Evaluator::Evaluator(Network net, Dataset data, Dataset calibration, EvalOptions options)
    : impl_(std::make_unique<Impl>(std::move(net), std::move(data), std::move(calibration),
                                   options)) {
  check_fits(impl_->data, impl_->engine.input_shape(), "evaluation");
  check_fits(impl_->calib, impl_->engine.input_shape(), "calibration");
  check_labels(impl_->data, impl_->engine.output_size());
}

Evaluator::Evaluator(Evaluator& other, Dataset data) {
  Impl& o = *other.impl_;
  if (o.calib.size() > 0) o.calibrate();
  // The statistics are taken, so the calibration images are not needed again.
  impl_ = std::make_unique<Impl>(o.engine.network(), std::move(data), Dataset{}, o.options);
  impl_->stats = o.stats;
  impl_->ranges = o.ranges;
  impl_->histograms = o.histograms;
  impl_->weights = o.weights;  // immutable once made: shared, not copied
  check_fits(impl_->data, impl_->engine.input_shape(), "evaluation");
  check_labels(impl_->data, impl_->engine.output_size());
}

Evaluator::~Evaluator() = default;

Engine& Evaluator::engine() {
  return impl_->engine;
}

const Dataset& Evaluator::data() const {
  return impl_->data;
}

QuantConfig Evaluator::quantizers(const PrecisionMap& map) {
  return impl_->build(map);
}

EvalResult Evaluator::evaluate(const PrecisionMap* map) {
  Impl& e = *impl_;
  const std::int64_t n = e.samples();
  const std::int64_t out_n = e.engine.output_size();
  if (n == 0) throw UserError("the evaluation set is empty");
  e.ensure_reference();
  EvalResult r;
  r.images = n;
  r.quantized = map != nullptr;
  r.calibration_images = map ? static_cast<std::int64_t>(e.calib.size()) : 0;
  const Network& net = e.engine.network();

  std::vector<float> out;
  std::vector<SqnrAccumulator> layer_sqnr;
  if (!map) {
    out = e.reference;
    r.seconds = e.reference_seconds;
  } else {
    const QuantConfig config = e.build(*map);
    out.resize(e.reference.size());
    if (!e.options.per_layer) {
      const auto t0 = Clock::now();
      e.engine.run(e.data.values, out, &config);
      r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    } else {
      // Chunks small enough to keep every MAC output of fp32 in memory (about 256 MiB).
      std::int64_t per_sample = 0;
      for (int id : net.mac_layers())
        per_sample += element_count(net.layer(id).output_shape);
      std::int64_t chunk = std::max<std::int64_t>(
          e.engine.threads() * e.options.engine.micro_batch,
          (std::int64_t{256} << 20) / (4 * std::max<std::int64_t>(per_sample, 1)));
      chunk = std::min(chunk, n);
      std::vector<std::vector<float>> store(net.size());
      layer_sqnr.resize(net.size());
      for (int id : net.mac_layers())
        layer_sqnr[static_cast<std::size_t>(id)].resize(n);
      const std::int64_t in_n = e.engine.input_size();
      for (std::int64_t first = 0; first < n; first += chunk) {
        const std::int64_t m = std::min(chunk, n - first);
        for (int id : net.mac_layers())
          store[static_cast<std::size_t>(id)].resize(
              static_cast<std::size_t>(m * element_count(net.layer(id).output_shape)));
        const std::span<const float> in(e.data.values.data() + first * in_n,
                                        static_cast<std::size_t>(m * in_n));
        std::vector<float> scratch(static_cast<std::size_t>(m * out_n));
        CaptureObserver capture(store);
        e.engine.run(in, scratch, nullptr, &capture);
        CompareObserver compare(store, layer_sqnr, first);
        const auto t0 = Clock::now();
        e.engine.run(in,
                     std::span<float>(out).subspan(static_cast<std::size_t>(first * out_n),
                                                   static_cast<std::size_t>(m * out_n)),
                     &config, &compare);
        r.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      }
    }
  }

  // Metrics.
  std::int64_t correct = 0, correct_ref = 0, agree = 0;
  SqnrAccumulator sqnr;
  sqnr.resize(n);
  const bool labelled = !e.data.labels.empty();
  for (std::int64_t s = 0; s < n; ++s) {
    const std::span<const float> y(e.reference.data() + s * out_n, static_cast<std::size_t>(out_n));
    const std::span<const float> q(out.data() + s * out_n, static_cast<std::size_t>(out_n));
    const int pq = argmax(q), pr = argmax(y);
    agree += pq == pr;
    if (labelled) {
      correct += pq == e.data.labels[static_cast<std::size_t>(s)];
      correct_ref += pr == e.data.labels[static_cast<std::size_t>(s)];
    }
    sqnr.add(s, y, q);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  r.top1 = labelled ? static_cast<double>(correct) / static_cast<double>(n) : nan;
  r.top1_fp32 = labelled ? static_cast<double>(correct_ref) / static_cast<double>(n) : nan;
  r.agreement = static_cast<double>(agree) / static_cast<double>(n);
  r.sqnr_db = sqnr.db();
  r.images_per_second = r.seconds > 0 ? static_cast<double>(n) / r.seconds : 0;
  r.gflops = r.images_per_second * e.engine.flops_per_sample() * 1e-9;
  for (std::size_t id = 0; id < layer_sqnr.size(); ++id)
    if (is_mac_op(net.layers()[id].op))
      r.layers.push_back({net.layers()[id].name, layer_sqnr[id].db()});
  return r;
}

}  // namespace mpsim
