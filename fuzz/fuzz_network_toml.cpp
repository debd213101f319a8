// Network TOML files: parsed with shape inference, then grouped into quantizers.
#include "fuzz/fuzz_support.h"
#include "workloads/network_io.h"
#include "workloads/quantizer_groups.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim::fuzz::expect_user_errors_only([&] {
    const auto net = mpsim::parse_network_toml(mpsim::fuzz::as_text(data, size), "fuzz.toml");
    mpsim::quantizer_groups(net);
  });
}
