// Models exported with dynamic axes through every command: the same MACs, costs and accuracy as
// their static twins; --batch and --input-shape on every command that loads a network; the
// eval note when a model states no input normalization.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/onnx_exports.h"
#include "tests/test_support.h"

using mpsim::test::run_cli;
using mpsim::test::source_path;
using mpsim::test::TempDir;

namespace {

// The dynamic-batch export of a bundled model, under the bundled file's own name (so reports,
// which name the network after its file, can be compared byte for byte).
std::string dynamic_twin(const TempDir& dir, const std::string& name) {
  const std::string from = mpsim::test::exported_model(name, "--opset 13 --dynamic batch");
  std::filesystem::create_directories(dir.path("dynamic"));
  const std::string to = dir.path("dynamic/" + name + ".onnx");
  std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  return to;
}

std::string output_of(const std::vector<std::string>& args) {
  const auto r = run_cli(args);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return r.out;
}

nlohmann::json json_of(const std::vector<std::string>& args) {
  return nlohmann::json::parse(output_of(args));
}

}  // namespace

TEST_CASE("cli dynamic: a dynamic-batch export costs and scores as its static twin") {
  const TempDir dir;
  for (const char* name : {"fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit"}) {
    INFO(name);
    const std::string fixed = source_path(std::string("models/") + name + ".onnx");
    const std::string dynamic = dynamic_twin(dir, name);
    auto same = [&](std::vector<std::string> args) {
      INFO(args[0]);
      std::vector<std::string> a = args, b = args;
      for (auto& s : a)
        if (s == "MODEL") s = fixed;
      for (auto& s : b)
        if (s == "MODEL") s = dynamic;
      CHECK(output_of(a) == output_of(b));
    };
    // CSV: MAC layers only, without their producers' names (exporters number the nodes of a
    // dynamic graph differently, e.g. an attention scale Div_2 instead of Div_1).
    same({"workload", "show", "MODEL", "--format", "csv"});
    same({"map", "groups", "-w", "MODEL"});
    same({"map", "show", "-w", "MODEL"});
    same({"estimate", "--hw", "edge_npu", "-w", "MODEL", "--format", "json"});
    same({"simulate", "--hw", "edge_npu", "-w", "MODEL", "--format", "json"});
    same({"costs", "--hw", "edge_npu", "-w", "MODEL"});

    const std::string a = dir.path("a.csv"), b = dir.path("b.csv");
    output_of({"sweep", "--hw", "edge_npu", "-w", fixed, "--set", "array.rows=8,16", "-o", a});
    output_of({"sweep", "--hw", "edge_npu", "-w", dynamic, "--set", "array.rows=8,16", "-o", b});
    CHECK(mpsim::test::read_file(a) == mpsim::test::read_file(b));

    const auto ea = json_of({"eval", "--model", fixed, "--limit", "500", "--format", "json"});
    const auto eb = json_of({"eval", "--model", dynamic, "--limit", "500", "--format", "json"});
    CHECK(ea.at("top1") == eb.at("top1"));
    CHECK(ea.at("top1").get<double>() > 0.8);
    CHECK(eb.at("normalization") == ea.at("normalization"));
  }
}

TEST_CASE("cli dynamic: --batch scales MACs, traffic and cycles of a dynamic-batch export") {
  const TempDir dir;
  const std::string model = dynamic_twin(dir, "fmnist_resnet");
  const auto one = json_of({"simulate", "--hw", "edge_npu", "-w", model, "--format", "json"});
  const auto four =
      json_of({"simulate", "--hw", "edge_npu", "-w", model, "--batch", "4", "--format", "json"});
  REQUIRE(one.at("layers").size() == four.at("layers").size());
  for (std::size_t i = 0; i < one.at("layers").size(); ++i) {
    const auto& a = one.at("layers")[i];
    const auto& b = four.at("layers")[i];
    CHECK(b.at("macs").get<std::int64_t>() == 4 * a.at("macs").get<std::int64_t>());
    CHECK(b.at("cycles").get<std::int64_t>() > a.at("cycles").get<std::int64_t>());
  }
  CHECK(four.at("total").at("energy_pj").at("total").get<double>() >
        one.at("total").at("energy_pj").at("total").get<double>());

  const auto show = json_of({"workload", "show", model, "--batch", "4", "--format", "json"});
  const auto show1 = json_of({"workload", "show", model, "--format", "json"});
  CHECK(show.at("total_macs").get<std::int64_t>() ==
        4 * show1.at("total_macs").get<std::int64_t>());
  CHECK(show.at("layers")[0].at("input_shapes")[0] == nlohmann::json({4, 1, 28, 28}));

  // The static twin cannot be re-batched; the message says how to export one that can.
  const auto r = run_cli({"estimate", "--hw", "edge_npu", "-w",
                          source_path("models/fmnist_resnet.onnx"), "--batch", "4"});
  CHECK(r.status == 2);
  CHECK(r.err.find("has a fixed batch dimension") != std::string::npos);
}

TEST_CASE("cli dynamic: --input-shape sets a sequence length on every costing command") {
  const std::string model =
      mpsim::test::exported_model("tiny_transformer", "--opset 13 --dynamic batch,seq");
  const std::string fixed = mpsim::test::exported_model("tiny_transformer");
  auto macs = [](const nlohmann::json& j) { return j.at("total_macs").get<std::int64_t>(); };
  CHECK(macs(json_of({"workload", "show", model, "--input-shape", "seq=12", "--format", "json"})) ==
        macs(json_of({"workload", "show", fixed, "--format", "json"})));
  const auto r = run_cli({"estimate", "--hw", "edge_npu", "-w", model});
  CHECK(r.status == 2);
  CHECK(r.err.find("dynamic dimension 1 ('seq') that nothing sets: give its size with "
                   "--input-shape input=1x<seq>x32 or --input-shape seq=SIZE") !=
        std::string::npos);
  for (const char* cmd : {"estimate", "simulate"}) {
    INFO(cmd);
    const auto j = json_of({cmd, "--hw", "edge_npu", "-w", model, "--input-shape", "input=2x12x32",
                            "--format", "json"});
    const auto k = json_of({cmd, "--hw", "edge_npu", "-w", fixed, "--format", "json"});
    CHECK(j.at("total").at("cycles").get<double>() > k.at("total").at("cycles").get<double>());
  }
  const auto bad = run_cli({"costs", "--hw", "edge_npu", "-w", model, "--input-shape", "seq"});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--input-shape 'seq': no NAME= before the shape") != std::string::npos);
}

TEST_CASE("cli dynamic: --batch on built-in networks and network files") {
  const auto one = json_of({"workload", "show", "resnet18", "--format", "json"});
  const auto two = json_of({"workload", "show", "resnet18", "--batch", "2", "--format", "json"});
  CHECK(two.at("total_macs").get<std::int64_t>() == 2 * one.at("total_macs").get<std::int64_t>());
  CHECK(two.at("total_weights") == one.at("total_weights"));
  for (const char* net : {"vit_b16", "bert_base", "llama2_7b_block_decode", "mobilenet_v2"}) {
    INFO(net);
    const auto a = json_of({"workload", "show", net, "--format", "json"});
    const auto b = json_of({"workload", "show", net, "--batch", "3", "--format", "json"});
    CHECK(b.at("total_macs").get<std::int64_t>() == 3 * a.at("total_macs").get<std::int64_t>());
  }

  const TempDir dir;
  // A reshape that writes the batch as 1 cannot follow --batch; the error says what to write.
  const std::string file =
      dir.file("net.toml",
               "[[input]]\nname = \"x\"\nshape = [1, 4, 2, 2]\n"
               "[[layer]]\nname = \"flat\"\nop = \"reshape\"\n"
               "shape = [1, 16]\n"
               "[[layer]]\nname = \"fc\"\nop = \"linear\"\nout_features = 3\n");
  CHECK(run_cli({"workload", "show", file}).status == 0);
  auto r = run_cli({"workload", "show", file, "--batch", "2"});
  CHECK(r.status == 2);
  CHECK(r.err.find("net.toml:4") != std::string::npos);
  CHECK(r.err.find("a reshape follows it when its shape gives 0 for the batch") !=
        std::string::npos);

  r = run_cli({"workload", "show", "resnet18", "--input-shape", "image=1x3x32x32"});
  CHECK(r.status == 2);
  CHECK(r.err.find("sets dynamic dimensions of ONNX models; resnet18 is not one (a network file "
                   "states its inputs' shapes; --batch sets the batch)") != std::string::npos);
  const std::string csv = dir.file("topo.csv", "Layer, M, N, K,\nfc, 4, 8, 16,\n");
  r = run_cli({"estimate", "--hw", "edge_npu", "-w", csv, "--batch", "2"});
  CHECK(r.status == 2);
  CHECK(r.err.find("is a SCALE-Sim topology, whose layers have no batch dimension") !=
        std::string::npos);
  // Sizes that cannot be counted are errors, not wrapped-around numbers.
  r = run_cli({"workload", "show", "llama2_7b_block_prefill512", "--batch", "2147483648"});
  CHECK(r.status == 2);
  CHECK(r.err.find("more than 2^62 MACs") != std::string::npos);
  r = run_cli({"workload", "show", "resnet18", "--batch", "2147483649"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--batch 2147483649: must be from 1 to 2147483648") != std::string::npos);
  for (const char* bad : {"0", "-2", "two"}) {
    r = run_cli({"workload", "show", "resnet18", "--batch", bad});
    CHECK(r.status == 2);
    CHECK(r.err.find("--batch") != std::string::npos);
  }
}

TEST_CASE("cli dynamic: eval sizes dynamic dimensions from its data, or from --input-shape") {
  const TempDir dir;
  const std::string model = mpsim::test::exported_model("dynamic_dims");  // x [N, 3, H, W]
  const std::string x = dir.path("x.npy");
  std::ofstream(x, std::ios::binary)
      << mpsim::test::npy("<f4", "(2, 3, 8, 10)", std::string(2 * 3 * 8 * 10 * 4, '\0'));
  auto r = run_cli({"eval", "--model", model, "--dataset", x, "--format", "json"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(nlohmann::json::parse(r.out).at("images") == 2);
  r = run_cli({"eval", "--model", model, "--dataset", x, "--input-shape", "x=1x3x8x10",
               "--normalize", "none"});
  CHECK(r.status == 0);
  // Sizes that do not match the data are the data's error, naming both shapes.
  r = run_cli({"eval", "--model", model, "--dataset", x, "--input-shape", "H=9"});
  CHECK(r.status == 2);
  CHECK(r.err.find("do not fit the network's input 1x3x9x10") != std::string::npos);
}

TEST_CASE("cli dynamic: eval says once which input scaling it uses when the model states none") {
  const std::string bare =
      mpsim::test::exported_model("fmnist_resnet", "--opset 13 --dynamic batch --no-metadata");
  const auto r = run_cli({"eval", "--model", bare, "--limit", "300", "--format", "json"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const std::string note = "states no input normalization";
  const auto at = r.err.find(note);
  REQUIRE(at != std::string::npos);
  CHECK(r.err.find(note, at + 1) == std::string::npos);  // once
  CHECK(r.err.find("Fashion-MNIST pixels / 255, in [0, 1]") != std::string::npos);
  CHECK(r.err.find("--normalize 0.2860,0.3530") != std::string::npos);
  CHECK(nlohmann::json::parse(r.out).at("normalization").is_null());

  const auto normalized = run_cli({"eval", "--model", bare, "--limit", "300", "--normalize",
                                   "0.2860,0.3530", "--format", "json"});
  REQUIRE_MESSAGE(normalized.status == 0, normalized.err);
  CHECK(normalized.err.find(note) == std::string::npos);
  const auto bundled = json_of({"eval", "--model", source_path("models/fmnist_resnet.onnx"),
                                "--limit", "300", "--format", "json"});
  CHECK(nlohmann::json::parse(normalized.out).at("top1") == bundled.at("top1"));
  // Unnormalized inputs cost this model most of its accuracy: the note is the only hint.
  CHECK(nlohmann::json::parse(r.out).at("top1").get<double>() <
        bundled.at("top1").get<double>() - 0.3);

  const auto quiet = run_cli({"eval", "--model", bare, "--limit", "50", "--normalize", "none"});
  CHECK(quiet.status == 0);
  CHECK(quiet.err.find(note) == std::string::npos);
  CHECK(quiet.out.find("normalization  none (inputs as the data set gives them)") !=
        std::string::npos);
  const auto with_metadata =
      run_cli({"eval", "--model", source_path("models/fmnist_resnet.onnx"), "--limit", "50"});
  CHECK(with_metadata.err.find(note) == std::string::npos);
  CHECK(with_metadata.out.find("normalization  (x - 0.286) / 0.353, from the model's metadata") !=
        std::string::npos);
}

TEST_CASE("cli dynamic: search --batch prices maps at that batch and scores them as at batch 1") {
  const TempDir dir;
  const std::string model = dynamic_twin(dir, "fmnist_resnet");
  auto search = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args{"search",  "--method",     "uniform", "--hw",  "edge_npu",
                                  "--model", model,          "--limit", "200",   "--calib",
                                  "100",     "--validation", "200",     "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  const std::string one = dir.path("one"), four = dir.path("four");
  auto r = search(one, {});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("costs are of a batch") == std::string::npos);
  r = search(four, {"--batch", "4"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("costs are of a batch of 4") != std::string::npos);
  const auto a = nlohmann::json::parse(mpsim::test::read_file(one + "/front.json"));
  const auto b = nlohmann::json::parse(mpsim::test::read_file(four + "/front.json"));
  CHECK(a.at("batch") == 1);
  CHECK(b.at("batch") == 4);
  REQUIRE(a.at("rows").size() == b.at("rows").size());
  for (std::size_t i = 0; i < a.at("rows").size(); ++i) {
    const auto& x = a.at("rows")[i];
    const auto& y = b.at("rows")[i];
    CHECK(x.at("test_top1") == y.at("test_top1"));
    CHECK(x.at("validation_quality") == y.at("validation_quality"));
    CHECK(y.at("bops").get<double>() == 4 * x.at("bops").get<double>());
    CHECK(y.at("weight_bytes") == x.at("weight_bytes"));
    CHECK(y.at("energy_pj").get<double>() > x.at("energy_pj").get<double>());
  }
  // A whole input shape given with --input-shape (batch 1, as eval takes it) follows --batch.
  const std::string shaped = dir.path("shaped");
  r = search(shaped, {"--batch", "4", "--input-shape", "input=1x1x28x28"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(nlohmann::json::parse(mpsim::test::read_file(shaped + "/front.json")).at("rows") ==
        b.at("rows"));
  // The chosen map's cost is what simulate says for it at that batch.
  const auto& chosen = b.at("rows").at(b.at("chosen_row").get<std::size_t>());
  const auto sim = json_of({"simulate", "--hw", "edge_npu", "-w", model, "--batch", "4", "-m",
                            four + "/chosen.toml", "--format", "json"});
  CHECK(sim.at("total").at("energy_pj").at("total") == chosen.at("energy_pj"));
  CHECK(sim.at("total").at("cycles") == chosen.at("cycles"));

  // A model with a fixed batch cannot be priced at another: exit 2, no folder.
  const std::string fixed = dir.path("fixed");
  r = run_cli({"search", "--method", "uniform", "--hw", "edge_npu", "--model",
               source_path("models/fmnist_resnet.onnx"), "--limit", "200", "--batch", "4", "--out",
               fixed});
  CHECK(r.status == 2);
  CHECK(r.err.find("--batch 4: ") != std::string::npos);
  CHECK(r.err.find("has a fixed batch dimension") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(fixed));
  CHECK_FALSE(std::filesystem::exists(fixed + ".partial"));
  r = run_cli({"search", "--method", "uniform", "--hw", "edge_npu", "--model", model, "--batch",
               "0", "--out", fixed});
  CHECK(r.status == 2);
  CHECK(r.err.find("--batch") != std::string::npos);
}
