// SCALE-Sim topology CSVs (convolution and GEMM forms), with the network's quantizer groups.
#include "fuzz/fuzz_support.h"
#include "workloads/importers.h"
#include "workloads/quantizer_groups.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim::fuzz::expect_user_errors_only([&] {
    const auto net = mpsim::parse_scalesim_topology(mpsim::fuzz::as_text(data, size), "fuzz.csv");
    mpsim::quantizer_groups(net);
  });
}
