// mpsim eval: output, options and errors.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/test_support.h"

using mpsim::test::run_cli;
using mpsim::test::source_path;

TEST_CASE("eval: fp32 JSON has top1, agreement, sqnr_db and images") {
  const auto r = run_cli({"eval", "--model", source_path("models/fmnist_resnet.onnx"), "--limit",
                          "200", "--format", "json", "--timing"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("images") == 200);
  CHECK(j.at("agreement") == 1.0);
  CHECK(j.at("sqnr_db").is_null());  // identical to fp32: infinite
  CHECK(j.at("top1").get<double>() > 0.85);
  CHECK(j.at("images_per_second").get<double>() > 0);
  CHECK(j.at("normalization").at("mean").get<double>() == doctest::Approx(0.286));
}

TEST_CASE("eval: a map gives quantized figures - the table names the calibration") {
  mpsim::test::TempDir dir;
  const std::string map = dir.file("m.toml",
                                   "[default]\nweight = \"int4\"\nactivation = \"int8\"\n"
                                   "[[override]]\nlayers = \"/fc/*\"\nweight = \"int8\"\n");
  const auto j = run_cli({"eval", "--model", source_path("models/fmnist_mobilenetv2.onnx"),
                          "--limit", "300", "--calib", "100", "--map", map, "--calibration",
                          "percentile:99.9", "--per-layer", "--format", "json"});
  REQUIRE_MESSAGE(j.status == 0, j.err);
  const auto d = nlohmann::json::parse(j.out);
  CHECK(d.at("sqnr_db").get<double>() > 5);
  CHECK(d.at("sqnr_db").get<double>() < 40);
  CHECK(d.at("agreement").get<double>() < 1.0);
  CHECK(d.at("calibration").at("images") == 100);
  CHECK(d.at("calibration").at("method") == "percentile:99.9");
  CHECK(d.at("calibration").at("source") == "fashion-mnist:train");
  CHECK(d.at("layers").size() == 17);

  const std::string out = dir.path("eval.txt");
  const auto t = run_cli({"eval", "--model", source_path("models/fmnist_mobilenetv2.onnx"),
                          "--limit", "100", "--calib", "50", "--map", map, "-o", out});
  REQUIRE_MESSAGE(t.status == 0, t.err);
  CHECK(t.out.empty());
  std::ifstream f(out);
  std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  // Without --calibration: MSE, the default.
  CHECK(text.find("mse on 50 images of fashion-mnist:train") != std::string::npos);
  // Without --timing the speed is said on stderr only, so the result is the same at any speed.
  CHECK(text.find("images/s") == std::string::npos);
  CHECK(t.err.find("images/s") != std::string::npos);
}

TEST_CASE("eval: .npy inputs with labels") {
  mpsim::test::TempDir dir;
  // Two samples of the bundled ResNet's input shape, all zeros, labels 0 and 1.
  const std::string x = dir.path("x.npy"), y = dir.path("y.npy");
  std::ofstream(x, std::ios::binary)
      << mpsim::test::npy("<f4", "(2, 1, 28, 28)", std::string(2 * 784 * 4, '\0'));
  std::string labels = mpsim::test::npy("<i8", "(2,)", std::string(16, '\0'));
  labels[labels.size() - 8] = 1;
  std::ofstream(y, std::ios::binary) << labels;
  const auto r = run_cli({"eval", "--model", source_path("models/fmnist_resnet.onnx"), "--dataset",
                          x, "--labels", y, "--format", "json"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j.at("images") == 2);
  CHECK(j.at("top1").is_number());
}

TEST_CASE("eval: bad input exits 2 with the file, key or value named") {
  mpsim::test::TempDir dir;
  const std::string model = source_path("models/fmnist_resnet.onnx");
  const std::string bad_map =
      dir.file("bad.toml", "[default]\nweight = \"int8\"\nactivation = \"intx\"\n");
  auto r = run_cli({"eval", "--model", model, "--map", bad_map});
  CHECK(r.status == 2);
  CHECK(r.err.find("bad.toml:3") != std::string::npos);
  CHECK(r.err.find("intx") != std::string::npos);

  r = run_cli({"eval", "--model", model, "--dataset", "mnist"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown data set 'mnist'") != std::string::npos);

  r = run_cli({"eval", "--model", dir.path("missing.onnx")});
  CHECK(r.status == 2);
  CHECK(r.err.find("missing.onnx") != std::string::npos);

  const std::string map =
      dir.file("m.toml", "[default]\nweight = \"int8\"\nactivation = \"int8\"\n");
  r = run_cli({"eval", "--model", model, "--map", map, "--calibration", "kl"});
  CHECK(r.status == 2);
  CHECK(r.err.find("unknown calibration 'kl'") != std::string::npos);

  r = run_cli({"eval", "--model", model, "--map", map, "--calib", "0"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--calib") != std::string::npos);

  r = run_cli({"eval", "--model", model, "--normalize", "0.5"});
  CHECK(r.status == 2);
  CHECK(r.err.find("MEAN,STD") != std::string::npos);

  const std::string twn = dir.file(
      "twn.toml", "[default]\nweight = \"int4\"\nactivation = \"int8\"\nweight_scale = \"twn\"\n");
  r = run_cli({"eval", "--model", model, "--map", twn});
  CHECK(r.status == 2);
  CHECK(r.err.find("twn") != std::string::npos);

  // Nothing half-written: a failing run leaves no output file.
  const std::string out = dir.path("never.json");
  r = run_cli({"eval", "--model", model, "--map", bad_map, "-o", out});
  CHECK(r.status == 2);
  CHECK(!std::ifstream(out).good());
}
