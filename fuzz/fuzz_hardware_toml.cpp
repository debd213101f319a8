// Hardware config TOML: parsed, validated, built into a model, and used to cost a small network
// in closed form, so values the reader lets through also reach the arithmetic that uses them.
#include "costmodel/hardware.h"
#include "fuzz/fuzz_support.h"
#include "fuzz/small_network.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return mpsim::fuzz::expect_user_errors_only([&] {
    const auto spec =
        mpsim::parse_hardware_toml(std::string(mpsim::fuzz::as_text(data, size)), "fuzz.toml");
    mpsim::fuzz::cost_small_network(spec);
  });
}
