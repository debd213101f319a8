// Precision map TOML files: parsed, then resolved against a bundled network with its quantizer
// groups checked, as `mpsim map check` does.
#include "fuzz/fuzz_support.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"
#include "workloads/quantizer_groups.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const mpsim::Network net = mpsim::load_workload("resnet18");
  return mpsim::fuzz::expect_user_errors_only([&] {
    const auto spec = mpsim::parse_precision_map(mpsim::fuzz::as_text(data, size), "fuzz.toml");
    const auto map = mpsim::resolve_precision_map(spec, net);
    mpsim::find_group_conflicts(net, map, mpsim::quantizer_groups(net));
  });
}
