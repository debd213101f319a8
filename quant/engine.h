// The fp32 inference engine of the evaluator: runs an imported Network on the CPU, batched and
// multi-threaded, with the fake quantization of a QuantConfig applied at the MAC layers.
//
// Every tensor keeps the shape the importer inferred for one sample (batch 1); the engine runs
// the network once per sample, so any reshape or transpose of an exported graph stays valid.
// The MAC layers take a whole micro-batch at once (one library call for all its samples). Threads
// run separate micro-batches through the whole network (no synchronisation between layers); the
// GEMM and convolution library runs single-threaded inside them. Constants (and layers computing
// only from constants) are evaluated once when the engine is built.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "quant/quantizers.h"
#include "workloads/network.h"

namespace mpsim {

// More threads than this are refused: each holds its own workspace and statistics.
inline constexpr int kMaxEngineThreads = 1024;

struct EngineOptions {
  int threads = 0;                // 0: every core, at most kMaxEngineThreads
  std::int64_t micro_batch = 16;  // samples one thread runs through the network at a time
};

// Sees the MAC layers' tensors while the engine runs: `data` holds `samples` consecutive samples
// (sample indices first .. first + samples - 1 of the run) of `shape`. Called concurrently from
// the engine's threads; `thread` is in [0, threads()).
class Observer {
 public:
  virtual ~Observer() = default;
  // An activation operand (0 or 1) as it arrives, before any quantizer.
  virtual void mac_input(int /*thread*/, int /*layer*/, int /*operand*/, const Shape& /*shape*/,
                         std::int64_t /*first*/, std::int64_t /*samples*/,
                         std::span<const float> /*data*/) {}
  // The layer's output, after any accumulator quantizer.
  virtual void mac_output(int /*thread*/, int /*layer*/, const Shape& /*shape*/,
                          std::int64_t /*first*/, std::int64_t /*samples*/,
                          std::span<const float> /*data*/) {}
};

class Engine {
 public:
  // Throws UserError naming the first layer the engine cannot run (a MAC layer without weights,
  // several graph inputs or outputs).
  explicit Engine(Network net, EngineOptions options = {});
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  const Network& network() const;
  const Shape& input_shape() const;   // one sample, as imported (batch 1)
  const Shape& output_shape() const;  // one sample
  std::int64_t input_size() const;
  std::int64_t output_size() const;
  int threads() const;

  // Runs inputs.size() / input_size() samples; writes outputs (samples x output_size()). One
  // run at a time per engine.
  void run(std::span<const float> inputs, std::span<float> outputs,
           const QuantConfig* quant = nullptr, Observer* observer = nullptr);

  // Floating-point operations of one sample (2 per MAC plus one per element of the other
  // layers' outputs): the basis of GFLOP/s figures.
  double flops_per_sample() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mpsim
