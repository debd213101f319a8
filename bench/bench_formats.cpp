// Throughput of the format conversions the fake-quant engine runs on every tensor.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "formats/fake_quant.h"
#include "formats/format.h"
#include "formats/mx.h"

namespace {

constexpr std::int64_t kRows = 1024;
constexpr std::int64_t kCols = 1024;  // 1M elements, the reduction axis last

const std::vector<float>& data() {
  static const std::vector<float> d = [] {
    std::mt19937 rng(42);
    std::normal_distribution<float> dist(0.0f, 20.0f);
    std::vector<float> v(kRows * kCols);
    for (float& x : v)
      x = dist(rng);
    return v;
  }();
  return d;
}

void BM_Fp8E4m3ScalarQuantize(benchmark::State& state) {
  const mpsim::Format f = mpsim::Format::parse("fp8_e4m3");
  const auto& in = data();
  std::vector<float> out(in.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < in.size(); ++i)
      out[i] = f.quantize(in[i]);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_Fp8E4m3ScalarQuantize)->Unit(benchmark::kMicrosecond);

void BM_Fp8E4m3SpanQuantize(benchmark::State& state) {
  const mpsim::Format f = mpsim::Format::parse("fp8_e4m3");
  const auto& in = data();
  std::vector<float> out(in.size());
  for (auto _ : state) {
    mpsim::fake_quant(f, in, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_Fp8E4m3SpanQuantize)->Unit(benchmark::kMicrosecond);

void BM_Int8PerChannelFakeQuant(benchmark::State& state) {
  const mpsim::Format f = mpsim::Format::parse("int8");
  const auto& in = data();
  const std::vector<std::int64_t> shape = {kRows, kCols};
  const auto params = mpsim::params_per_channel(f, in, shape, 0);
  std::vector<float> out(in.size());
  for (auto _ : state) {
    mpsim::fake_quant_per_channel(f, in, out, shape, 0, params);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_Int8PerChannelFakeQuant)->Unit(benchmark::kMicrosecond);

void BM_MxFp4BlockQuantize(benchmark::State& state) {
  const mpsim::Format f = mpsim::Format::parse("mxfp4_e2m1");
  const auto& in = data();
  const std::vector<std::int64_t> shape = {kRows, kCols};
  std::vector<float> out(in.size());
  for (auto _ : state) {
    mpsim::mx_quantize(f, in, out, shape, 1);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(in.size()));
}
BENCHMARK(BM_MxFp4BlockQuantize)->Unit(benchmark::kMicrosecond);

}  // namespace
