// The fake-quant evaluator's speed: images per second through each bundled model on 2 threads,
// in fp32 and under the model's mixed map (configs/maps/<model>_mixed.toml), beside PyTorch
// running the very network the ONNX file was exported from on the same 2 threads
// (bench/pytorch_baseline.py, Debian's torch) in the same benchmark run. Goal: faster than
// PyTorch. Each iteration is one pass over the 10,000 Fashion-MNIST test images; both sides
// report the median of 5 passes (PyTorch at whichever of its batch sizes 32..1000 is fastest).
// GFLOP/s counts 2 per MAC plus one per element of the other layers' outputs.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "quant/dataset.h"
#include "quant/evaluator.h"
#include "workloads/importers.h"

namespace {

constexpr int kThreads = 2;
const char* const kModels[] = {"fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit"};

std::string source(const std::string& relative) {
  return std::string(MPSIM_SOURCE_DIR) + "/" + relative;
}

std::unique_ptr<mpsim::Evaluator> evaluator(const std::string& model) {
  mpsim::Network net = mpsim::import_onnx(source("models/" + model + ".onnx"));
  const float mean = std::stof(net.metadata().at("mean")), sd = std::stof(net.metadata().at("std"));
  mpsim::Dataset data = mpsim::load_fashion_mnist("test");
  mpsim::Dataset calib = mpsim::load_fashion_mnist("train", 1000);
  mpsim::normalize(data, mean, sd);
  mpsim::normalize(calib, mean, sd);
  mpsim::EvalOptions o;
  o.engine.threads = kThreads;
  return std::make_unique<mpsim::Evaluator>(std::move(net), std::move(data), std::move(calib), o);
}

void report(benchmark::State& state, const mpsim::Evaluator& ev, double flops) {
  const double images = static_cast<double>(ev.data().size()) * state.iterations();
  state.counters["images_per_s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["GFLOP_per_s"] =
      benchmark::Counter(images * flops * 1e-9, benchmark::Counter::kIsRate);
}

void BM_EvalFp32(benchmark::State& state, const char* model) {
  auto ev = evaluator(model);
  auto& engine = ev->engine();
  std::vector<float> out(ev->data().size() * static_cast<std::size_t>(engine.output_size()));
  engine.run(ev->data().values, out);  // warm-up: buffers reach their size
  for (auto _ : state) {
    engine.run(ev->data().values, out);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, *ev, engine.flops_per_sample());
}

void BM_EvalMixed(benchmark::State& state, const char* model) {
  auto ev = evaluator(model);
  auto& engine = ev->engine();
  const mpsim::PrecisionMap map = mpsim::resolve_precision_map(
      mpsim::load_precision_map(source("configs/maps/" + std::string(model) + "_mixed.toml")),
      engine.network());
  const mpsim::QuantConfig q = ev->quantizers(map);  // calibration and weights, outside timing
  std::vector<float> out(ev->data().size() * static_cast<std::size_t>(engine.output_size()));
  engine.run(ev->data().values, out, &q);
  for (auto _ : state) {
    engine.run(ev->data().values, out, &q);
    benchmark::DoNotOptimize(out.data());
  }
  report(state, *ev, engine.flops_per_sample());
}

// One pass of PyTorch per iteration, timed by the script itself (interpreter start-up and data
// loading excluded); the iteration's time is the median of the script's 5 passes.
void BM_PyTorch(benchmark::State& state, const char* model) {
  const std::string cmd = std::string(MPSIM_PYTHON) + " '" + source("bench/pytorch_baseline.py") +
                          "' " + model + " --threads " + std::to_string(kThreads);
  double flops = 0;
  {
    mpsim::Engine e(mpsim::import_onnx(source("models/" + std::string(model) + ".onnx")));
    flops = e.flops_per_sample();
  }
  double images = 0;
  for (auto _ : state) {
    FILE* p = popen(cmd.c_str(), "r");
    std::string text;
    char buf[4096];
    while (p && fgets(buf, sizeof buf, p))
      text += buf;
    if (!p || pclose(p) != 0) {
      state.SkipWithError("bench/pytorch_baseline.py failed (is python3-torch installed?)");
      return;
    }
    const auto j = nlohmann::json::parse(text);
    state.SetIterationTime(j.at("seconds").get<double>());
    images += j.at("images").get<double>();
  }
  state.counters["images_per_s"] = benchmark::Counter(images, benchmark::Counter::kIsRate);
  state.counters["GFLOP_per_s"] =
      benchmark::Counter(images * flops * 1e-9, benchmark::Counter::kIsRate);
}

void register_all() {
  for (const char* m : kModels) {
    benchmark::RegisterBenchmark((std::string("EvalFp32/") + m).c_str(), BM_EvalFp32, m)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark((std::string("EvalMixed/") + m).c_str(), BM_EvalMixed, m)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime()
        ->Iterations(1)
        ->Repetitions(5)
        ->ReportAggregatesOnly(true);
    benchmark::RegisterBenchmark((std::string("PyTorch/") + m).c_str(), BM_PyTorch, m)
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime()
        ->Iterations(1);
  }
}

const int registered = (register_all(), 0);

}  // namespace
