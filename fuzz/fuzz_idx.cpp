// IDX files (gzip or plain), read both as images and as labels, at most a few samples as
// `mpsim eval --limit` does.
#include "fuzz/fuzz_support.h"
#include "quant/dataset.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mpsim::fuzz::ScratchFile file(data, size, ".idx");
  const std::string& path = file.path();
  mpsim::fuzz::expect_user_errors_only([&] { mpsim::read_idx_images(path, 16); });
  return mpsim::fuzz::expect_user_errors_only([&] { mpsim::read_idx_labels(path, 16); });
}
