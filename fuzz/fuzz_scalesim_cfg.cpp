// SCALE-Sim .cfg files: parsed into a hardware config, then used as fuzz_hardware_toml does.
#include "costmodel/hardware.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/small_network.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim::fuzz::expect_user_errors_only([&] {
    const auto spec =
        mpsim::parse_scalesim_config(std::string(mpsim::fuzz::as_text(data, size)), "fuzz.cfg");
    mpsim::fuzz::cost_small_network(spec);
  });
}
