// NumPy .npy files, read as samples (the first rows only) and as labels.
#include "fuzz/fuzz_support.h"
#include "quant/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mpsim::fuzz::ScratchFile file(data, size, ".npy");
  const std::string& path = file.path();
  mpsim::fuzz::expect_user_errors_only([&] { mpsim::load_npy(path, "", 8); });
  return mpsim::fuzz::expect_user_errors_only([&] { mpsim::load_npy(path, path, 8); });
}
