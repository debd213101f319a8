#include "quant/engine.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <mutex>

#include "formats/error.h"
#include "quant/src/gemm.h"
#include "quant/src/kernels.h"

namespace mpsim {

namespace {

using quant_detail::Scratch;

// A layer's value during a run: its data and the distance between consecutive samples (0 for
// constants, which every sample shares).
struct Value {
  const float* data = nullptr;
  std::int64_t stride = 0;
};

struct Workspace {
  std::vector<std::vector<float>> owned;  // per layer, while the value is alive
  std::vector<Value> values;
  std::vector<std::vector<float>> pool;  // released buffers, reused by later layers
  std::vector<float> quantized[2];       // quantized copies of a MAC layer's operands
  Scratch scratch;

  float* allocate(int id, std::size_t n) {
    auto& v = owned[static_cast<std::size_t>(id)];
    if (!pool.empty()) {
      // The smallest pooled buffer that fits, else the largest (it grows once).
      auto best = pool.end();
      for (auto it = pool.begin(); it != pool.end(); ++it)
        if (it->capacity() >= n && (best == pool.end() || it->capacity() < best->capacity()))
          best = it;
      if (best == pool.end())
        best = std::max_element(pool.begin(), pool.end(), [](const auto& a, const auto& b) {
          return a.capacity() < b.capacity();
        });
      v = std::move(*best);
      pool.erase(best);
    }
    v.resize(n);
    return v.data();
  }
  void release(int id) {
    auto& v = owned[static_cast<std::size_t>(id)];
    if (v.capacity() > 0) pool.push_back(std::move(v));
    v = {};
  }
};

std::string describe(const Layer& l) {
  return "layer '" + l.name + "' (" + op_name(l) + ")";
}

}  // namespace

struct Engine::Impl {
  Network net;
  EngineOptions options;
  int input = -1, output = -1;
  std::vector<bool> constant;             // computed once, shared by every sample
  std::vector<std::vector<float>> fixed;  // values of constant layers
  std::vector<int> last_use;              // last layer reading each value (-1: none)
  std::vector<Workspace> workspaces;      // one per thread
  double flops = 0;

  void check_supported(const Layer& l) const;
  void compute(Workspace& ws, int id, std::int64_t batch, const QuantConfig* q, Observer* obs,
               int thread, std::int64_t first) const;
  void run_chunk(Workspace& ws, const float* in, float* out, std::int64_t first, std::int64_t batch,
                 const QuantConfig* q, Observer* obs, int thread) const;
};

void Engine::Impl::check_supported(const Layer& l) const {
  auto fail = [&](const std::string& why) { throw UserError(describe(l) + ": " + why); };
  switch (l.op) {
    case Op::kConv2d:
    case Op::kLinear:
      if (!l.weight)
        fail(
            "has no weights; the evaluator needs a model with weights (an ONNX file), not a "
            "network description");
      break;
    case Op::kBatchNorm:
      if (!l.weight || !l.bias) fail("has no scale and shift");
      break;
    default:
      break;
  }
}

void Engine::Impl::compute(Workspace& ws, int id, std::int64_t batch, const QuantConfig* q,
                           Observer* obs, int thread, std::int64_t first) const {
  const Layer& l = net.layer(id);
  auto in = [&](std::size_t i) { return ws.values[static_cast<std::size_t>(l.inputs[i])]; };
  auto in_shape = [&](std::size_t i) -> const Shape& {
    return net.layer(l.inputs[i]).output_shape;
  };
  const std::int64_t out_n = element_count(l.output_shape);
  float* out = ws.allocate(id, static_cast<std::size_t>(out_n * batch));
  ws.values[static_cast<std::size_t>(id)] = {out, out_n};

  if (is_mac_op(l.op)) {
    const LayerQuantizers* lq = nullptr;
    if (q && static_cast<std::size_t>(id) < q->layers.size() &&
        q->layers[static_cast<std::size_t>(id)])
      lq = &*q->layers[static_cast<std::size_t>(id)];
    // Operands: observed as they arrive, then quantized into a copy.
    Value operand[2];
    for (std::size_t i = 0; i < l.inputs.size() && i < 2; ++i) {
      operand[i] = in(i);
      const Shape& s = in_shape(i);
      const std::int64_t n = element_count(s);
      const std::int64_t samples = operand[i].stride ? batch : 1;
      if (obs && operand[i].stride)
        obs->mac_input(thread, id, static_cast<int>(i), s, first, batch,
                       {operand[i].data, static_cast<std::size_t>(n * batch)});
      if (lq && lq->inputs[i]) {
        auto& buf = ws.quantized[i];
        const auto count = static_cast<std::size_t>(n * samples);
        if (buf.size() < count) buf.resize(count);
        lq->inputs[i]->apply(s, samples, {operand[i].data, count}, {buf.data(), count});
        operand[i].data = buf.data();
      }
    }
    const float* weight =
        lq && lq->weight ? lq->weight->data.data() : (l.weight ? l.weight->data.data() : nullptr);
    const float* bias = l.bias ? l.bias->data.data() : nullptr;
    if (l.op == Op::kConv2d) {
      quant_detail::conv2d(l, in_shape(0), operand[0].data, batch, weight, bias, out, ws.scratch);
    } else if (l.op == Op::kLinear) {
      const std::int64_t k = in_shape(0).back();
      quant_detail::linear(l, batch * (element_count(in_shape(0)) / k), k, operand[0].data, weight,
                           bias, out);
    } else {
      for (std::int64_t s = 0; s < batch; ++s)
        quant_detail::matmul(l, in_shape(0), operand[0].data + s * operand[0].stride, in_shape(1),
                             operand[1].data + s * operand[1].stride, out + s * out_n);
    }
    if (lq && lq->output)
      lq->output->apply(l.output_shape, batch, {out, static_cast<std::size_t>(out_n * batch)});
    if (obs)
      obs->mac_output(thread, id, l.output_shape, first, batch,
                      {out, static_cast<std::size_t>(out_n * batch)});
    return;
  }

  for (std::int64_t s = 0; s < batch; ++s) {
    auto x = [&](std::size_t i) {
      const Value v = in(i);
      return v.data + s * v.stride;
    };
    float* y = out + s * out_n;
    switch (l.op) {
      case Op::kMaxPool:
      case Op::kAvgPool:
        quant_detail::pool(l, in_shape(0), x(0), y);
        break;
      case Op::kGlobalAvgPool:
        quant_detail::global_avg_pool(in_shape(0), x(0), y);
        break;
      case Op::kEltwise:
        quant_detail::eltwise(l, in_shape(0), x(0), in_shape(1), x(1), y);
        break;
      case Op::kUnary:
        quant_detail::unary(l, out_n, x(0), y);
        break;
      case Op::kBatchNorm:
        quant_detail::batch_norm(l, in_shape(0), x(0), y);
        break;
      case Op::kLayerNorm:
        quant_detail::layer_norm(l, in_shape(0), x(0), y);
        break;
      case Op::kSoftmax:
        quant_detail::softmax(l, in_shape(0), x(0), y);
        break;
      case Op::kReduce:
        quant_detail::reduce(l, in_shape(0), x(0), y);
        break;
      case Op::kConcat: {
        std::vector<Shape> shapes;
        std::vector<const float*> parts;
        for (std::size_t i = 0; i < l.inputs.size(); ++i) {
          shapes.push_back(in_shape(i));
          parts.push_back(x(i));
        }
        quant_detail::concat(l, shapes, parts, y);
        break;
      }
      case Op::kReshape:
        std::memcpy(y, x(0), static_cast<std::size_t>(out_n) * sizeof(float));
        break;
      case Op::kTranspose:
        quant_detail::transpose(l, in_shape(0), x(0), y);
        break;
      case Op::kSlice:
        quant_detail::slice(l, in_shape(0), x(0), y);
        break;
      case Op::kGather:
        quant_detail::gather(l, in_shape(0), x(0), y);
        break;
      case Op::kPad:
        quant_detail::pad(l, in_shape(0), x(0), y);
        break;
      default:
        throw UserError(describe(l) + ": the evaluator cannot run this operation");
    }
  }
}

void Engine::Impl::run_chunk(Workspace& ws, const float* in, float* out, std::int64_t first,
                             std::int64_t batch, const QuantConfig* q, Observer* obs,
                             int thread) const {
  const int n = static_cast<int>(net.size());
  for (int id = 0; id < n; ++id) {
    const auto i = static_cast<std::size_t>(id);
    if (constant[i]) {
      ws.values[i] = {fixed[i].data(), 0};
      continue;
    }
    if (id == input) {
      ws.values[i] = {in + first * element_count(net.layer(id).output_shape),
                      element_count(net.layer(id).output_shape)};
      continue;
    }
    if (last_use[i] < 0 && id != output) continue;  // feeds nothing the output needs
    compute(ws, id, batch, q, obs, thread, first);
    for (int src : net.layer(id).inputs)
      if (last_use[static_cast<std::size_t>(src)] == id) ws.release(src);
  }
  const std::int64_t m = element_count(net.layer(output).output_shape);
  std::memcpy(out + first * m, ws.values[static_cast<std::size_t>(output)].data,
              static_cast<std::size_t>(m * batch) * sizeof(float));
  ws.release(output);
}

Engine::Engine(Network net, EngineOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& e = *impl_;
  e.net = std::move(net);
  e.options = options;
  // Each thread keeps a workspace and, while calibrating, per-layer histograms: an absurd count
  // would exhaust memory before doing anything (docs/limits.md). "Every core" stops there too.
  if (e.options.threads <= 0)
    e.options.threads = std::clamp(omp_get_num_procs(), 1, kMaxEngineThreads);
  if (e.options.threads > kMaxEngineThreads)
    throw UserError("--threads " + std::to_string(e.options.threads) + ": expected at most " +
                    std::to_string(kMaxEngineThreads) + " (this machine has " +
                    std::to_string(omp_get_num_procs()) + " cores)");
  if (e.options.micro_batch <= 0) throw UserError("the micro-batch must be positive");

  const std::size_t n = e.net.size();
  e.constant.assign(n, false);
  e.fixed.resize(n);
  e.last_use.assign(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    const Layer& l = e.net.layers()[i];
    if (l.op == Op::kInput) {
      if (l.weight) {
        e.constant[i] = true;
        e.fixed[i] = l.weight->data;
      } else if (e.input >= 0) {
        throw UserError("the network has several inputs ('" + e.net.layer(e.input).name + "', '" +
                        l.name + "'); the evaluator feeds one");
      } else {
        e.input = static_cast<int>(i);
      }
      continue;
    }
    e.check_supported(l);
    bool all_constant = true;
    for (int src : l.inputs) {
      all_constant = all_constant && e.constant[static_cast<std::size_t>(src)];
      e.last_use[static_cast<std::size_t>(src)] = static_cast<int>(i);
    }
    e.constant[i] = all_constant;
  }
  if (e.input < 0) throw UserError("the network has no input");
  for (int id : e.net.outputs()) {
    if (e.constant[static_cast<std::size_t>(id)]) continue;
    if (e.output >= 0)
      throw UserError("the network has several outputs ('" + e.net.layer(e.output).name + "', '" +
                      e.net.layer(id).name + "'); the evaluator reads one");
    e.output = id;
  }
  if (e.output < 0) throw UserError("the network has no output computed from its input");

  // Constant layers, once, in order.
  Workspace ws;
  ws.owned.resize(n);
  ws.values.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!e.constant[i]) continue;
    if (e.net.layers()[i].op == Op::kInput) {
      ws.values[i] = {e.fixed[i].data(), 0};
      continue;
    }
    e.compute(ws, static_cast<int>(i), 1, nullptr, nullptr, 0, 0);
    e.fixed[i] = ws.owned[i];
    ws.values[i] = {e.fixed[i].data(), 0};
  }

  for (std::size_t i = 0; i < n; ++i) {
    const Layer& l = e.net.layers()[i];
    if (e.constant[i] || l.op == Op::kInput) continue;
    if (is_mac_op(l.op)) {
      e.flops += 2.0 * static_cast<double>(l.macs);
    } else if (!is_data_movement(l.op)) {
      e.flops += static_cast<double>(element_count(l.output_shape));
    }
  }
  e.workspaces.resize(static_cast<std::size_t>(e.options.threads));
  for (auto& w : e.workspaces) {
    w.owned.resize(n);
    w.values.resize(n);
  }
}

Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const Network& Engine::network() const {
  return impl_->net;
}
const Shape& Engine::input_shape() const {
  return impl_->net.layer(impl_->input).output_shape;
}
const Shape& Engine::output_shape() const {
  return impl_->net.layer(impl_->output).output_shape;
}
std::int64_t Engine::input_size() const {
  return element_count(input_shape());
}
std::int64_t Engine::output_size() const {
  return element_count(output_shape());
}
int Engine::threads() const {
  return impl_->options.threads;
}
double Engine::flops_per_sample() const {
  return impl_->flops;
}

void Engine::run(std::span<const float> inputs, std::span<float> outputs, const QuantConfig* quant,
                 Observer* observer) {
  Impl& e = *impl_;
  const std::int64_t in_n = input_size(), out_n = output_size();
  if (static_cast<std::int64_t>(inputs.size()) % in_n != 0)
    throw UserError("the inputs hold " + std::to_string(inputs.size()) +
                    " values, not a whole number of samples of " + shape_string(input_shape()));
  const std::int64_t samples = static_cast<std::int64_t>(inputs.size()) / in_n;
  if (static_cast<std::int64_t>(outputs.size()) != samples * out_n)
    throw UserError("the output buffer holds " + std::to_string(outputs.size()) +
                    " values; expected " + std::to_string(samples * out_n));
  const std::int64_t micro = e.options.micro_batch;
  const std::int64_t chunks = (samples + micro - 1) / micro;
  const int threads = static_cast<int>(std::min<std::int64_t>(e.options.threads, chunks));
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    const int t = omp_get_thread_num();
    // The GEMM library's own OpenMP regions, nested in this one, stay on this thread (a team
    // of one thread would not count as nesting otherwise).
    omp_set_num_threads(1);
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < chunks; ++c) {
      try {
        const std::int64_t first = c * micro;
        e.run_chunk(e.workspaces[static_cast<std::size_t>(t)], inputs.data(), outputs.data(), first,
                    std::min(micro, samples - first), quant, observer, t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace mpsim
