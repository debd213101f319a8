// The precision search wired to the bundled ResNet, the evaluator and the simulator, and the
// `mpsim search` command: decisions, candidates, pins, maps written as files the other commands
// accept with the same figures, resume, determinism and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <tuple>

#include "explore/precision_search.h"
#include "explore/search_run.h"
#include "formats/error.h"
#include "tests/test_support.h"
#include "workloads/quantizer_groups.h"

namespace {

using namespace mpsim;
using test::ScopedEnv;
using test::with;

SearchSetup small_setup() {
  SearchSetup s;
  s.hardware = "edge_npu";
  s.eval.model = test::source_path("models/fmnist_resnet.onnx");
  s.eval.limit = 200;
  s.eval.calib = 100;
  s.validation = 200;
  return s;
}

// The arguments of a small, fast search (a few seconds).
std::vector<std::string> search_args(const std::string& method, const std::string& out) {
  return {"search",
          "--method",
          method,
          "--hw",
          "edge_npu",
          "--model",
          test::source_path("models/fmnist_resnet.onnx"),
          "--limit",
          "300",
          "--validation",
          "300",
          "--calib",
          "100",
          "--out",
          out};
}

}  // namespace

TEST_CASE("precision search: decisions follow quantizer groups, layers, blocks or the network") {
  SearchSetup s = small_setup();
  PrecisionSearchProblem groups(s);
  // 10 MAC layers; conv1 and the shortcut of blocks 1 and 2 each read one tensor.
  CHECK(groups.network().mac_layers().size() == 10);
  REQUIRE(groups.space().decisions() == 8);
  CHECK(groups.space().candidates == 9);  // edge_npu: int8/int4/int2 x int8/int4/int2
  bool joined = false;
  for (std::size_t d = 0; d < 8; ++d)
    if (groups.decision_layers(d).size() == 2) {
      joined = true;
      CHECK(groups.decision_name(d).find("(+1 in its quantizer group)") != std::string::npos);
    }
  CHECK(joined);

  s.granularity = "layer";
  CHECK(PrecisionSearchProblem(s).space().decisions() == 10);
  s.granularity = "network";
  CHECK(PrecisionSearchProblem(s).space().decisions() == 1);
  // Names split at '/' and '.': "/blocks/blocks.1/conv1/Conv" is blocks, blocks, 1, conv1, Conv.
  s.granularity = "block:3";  // stem.stem.0, blocks.blocks.0 .. 2, and /fc/Gemm (short) alone
  PrecisionSearchProblem blocks(s);
  CHECK(blocks.space().decisions() == 5);
  CHECK(blocks.decision_name(0) == "stem.stem.0");
  CHECK(blocks.decision_name(2) == "blocks.blocks.1");
  CHECK(blocks.decision_layers(2).size() == 3);  // conv1, conv2 and the shortcut
  s.granularity = "block:2";                     // stem.stem, blocks.blocks, /fc/Gemm
  CHECK(PrecisionSearchProblem(s).space().decisions() == 3);
  s.granularity = "block:x";
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s}, doctest::Contains("DEPTH must be a whole number"),
                       UserError);
  s.granularity = "tensor";
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s},
                       doctest::Contains("expected group, layer, block:DEPTH or network"),
                       UserError);
}

TEST_CASE("precision search: candidates and pins") {
  SearchSetup s = small_setup();
  s.candidates = "int8:int8,int4:int8";
  s.pins = {"/stem/stem.0/Conv,/fc/*=int8:int4"};
  PrecisionSearchProblem p(s);
  CHECK(p.space().candidates == 3);  // the pinned pair joins as a candidate of its own
  CHECK(p.candidate_name(2) == "int8:int4");
  for (std::size_t d = 0; d < p.space().decisions(); ++d) {
    const auto& layers = p.decision_layers(d);
    const std::string first = p.network().layer(layers.front()).name;
    if (first == "/stem/stem.0/Conv" || first == "/fc/Gemm")
      CHECK(p.space().allowed[d] == std::vector<int>{2});
    else
      CHECK(p.space().allowed[d] == std::vector<int>{0, 1});
  }
  s.pins = {};
  s.candidates = "int8:fp8_e4m3";
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s},
                       doctest::Contains("--candidates: the array runs no int8 x fp8_e4m3; it "
                                         "supports"),
                       UserError);
  s.candidates = "int8";
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s}, doctest::Contains("expected WEIGHT:ACTIVATION"),
                       UserError);
  s.candidates = "";
  s.pins = {"/stem/stem.0/Cnv=int8:int8"};
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s},
                       doctest::Contains("matches no MAC layer (did you mean /stem/stem.0/Conv?)"),
                       UserError);
  // Spaces after the commas of a list are not part of a pair.
  s.pins = {};
  s.candidates = "int8:int8, int4:int8";
  CHECK(PrecisionSearchProblem(s).space().candidates == 2);
  s.candidates = "";
  // A pin that names some layers of a decision fixes all of them, and the search says so.
  s.granularity = "block:3";
  s.pins = {"/blocks/blocks.1/conv1/Conv=int8:int4"};
  {
    PrecisionSearchProblem block(s);
    REQUIRE(block.space_notes().size() == 1);
    CHECK(block.space_notes()[0] ==
          "--pin: decision 'blocks.blocks.1' (3 layers) is pinned to int8:int4 with its pinned "
          "layer(s): a decision takes one pair, so 2 unpinned layer(s) follow (--granularity "
          "layer pins layers alone)");
  }
  s.granularity = "layer";
  CHECK(PrecisionSearchProblem(s).space_notes().empty());
  s.granularity = "group";
  // Two members of one quantizer group pinned apart cannot be one decision.
  s.pins = {"/blocks/blocks.1/conv1/Conv=int8:int8", "/blocks/blocks.1/shortcut/*=int4:int8"};
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s}, doctest::Contains("pinned to different pairs"),
                       UserError);
}

TEST_CASE("precision search: at --granularity layer every map is valid and pins hold") {
  // conv1 and the shortcut of block 1 read one tensor. Choosing them apart gives the group the
  // pinned layer's format, else the widest; of equally wide formats (int8 and fp8 on
  // datacenter_fp8) the first member's.
  SearchSetup s = small_setup();
  s.granularity = "layer";
  s.pins = {"/blocks/blocks.1/conv1/Conv=int4:int4"};
  PrecisionSearchProblem p(s);
  const Network& net = p.network();
  const int conv1 = *net.find("/blocks/blocks.1/conv1/Conv");
  const int shortcut = *net.find("/blocks/blocks.1/shortcut/shortcut.0/Conv");
  const int int8 = p.candidate_index("int8:int8");
  REQUIRE(int8 >= 0);
  search::Choice c(p.space().decisions());
  for (std::size_t d = 0; d < c.size(); ++d)
    c[d] = p.space().allowed[d].front();
  for (std::size_t d = 0; d < c.size(); ++d)
    if (p.decision_layers(d).front() == shortcut) c[d] = int8;
  PrecisionMap map = p.map_of(c);
  CHECK(map.at(conv1).activation.name() == "int4");  // the pin holds
  CHECK(map.at(shortcut).activation.name() == "int4");
  CHECK(map.at(shortcut).weight.name() == "int8");
  CHECK(find_group_conflicts(net, map, quantizer_groups(net)).empty());

  s.pins = {"/blocks/blocks.1/conv1/Conv=int4:int4", "/blocks/blocks.1/shortcut/*=int8:int8"};
  CHECK_THROWS_WITH_AS(PrecisionSearchProblem{s}, doctest::Contains("pin them alike"), UserError);

  s.pins = {};
  s.hardware = "datacenter_fp8";
  PrecisionSearchProblem dc(s);
  const int fp8 = dc.candidate_index("fp8_e5m2:fp8_e5m2");
  const int i8 = dc.candidate_index("int8:int8");
  REQUIRE(fp8 >= 0);
  REQUIRE(i8 >= 0);
  search::Choice mixed(dc.space().decisions(), i8);
  for (std::size_t d = 0; d < mixed.size(); ++d)
    if (dc.decision_layers(d).front() == shortcut) mixed[d] = fp8;
  map = dc.map_of(mixed);
  // int8 and fp8_e5m2 are equally wide: the group takes its first member's, conv1's int8.
  CHECK(map.at(conv1).activation.name() == "int8");
  CHECK(map.at(shortcut).activation.name() == "int8");
  CHECK(map.at(shortcut).weight.name() == "fp8_e5m2");
  CHECK(find_group_conflicts(net, map, quantizer_groups(net)).empty());
  CHECK(dc.cost({mixed}).front() > 0);
}

TEST_CASE("precision search: a choice's map, its file, its cost and its quality") {
  PrecisionSearchProblem p(small_setup());
  const search::Choice c = search::uniform_choice(p.space(), p.candidate_index("int4:int8"));
  const PrecisionMap map = p.map_of(c);
  const test::TempDir dir;
  const std::string file = dir.file("m.toml", p.map_toml(c, "a comment\non two lines"));
  const PrecisionMap read = resolve_precision_map(load_precision_map(file), p.network());
  for (int id : p.network().mac_layers()) {
    CHECK(read.at(id).weight == map.at(id).weight);
    CHECK(read.at(id).activation == map.at(id).activation);
  }
  CHECK(test::read_file(file).rfind("# a comment\n# on two lines\n", 0) == 0);
  // Energy is what the simulator says for that map; BOPs is MACs x bits x bits.
  const double energy = p.cost({c}).front();
  CHECK(energy == price_network(p.network(), map, p.hardware(), CostEngine::kSimulator)
                      .total.energy.total_pj());
  CHECK(p.cost_of(c, CostMetric::kBops) == static_cast<double>(p.network().total_macs()) * 4 * 8);
  // Quality on the validation split; an unquantized decision is fp32.
  search::Choice probe(p.space().decisions(), search::kReference);
  CHECK(p.quality({probe}).front() == p.reference_quality());
  CHECK_THROWS_WITH_AS(p.cost({probe}), doctest::Contains("no cost on the accelerator"), UserError);
  CHECK(p.parse_target("0.5xint4:int8") == doctest::Approx(0.5 * energy));
  CHECK(p.parse_target("1e6") == 1e6);
  CHECK_THROWS_WITH_AS(p.parse_target("0.5xint3:int8"), doctest::Contains("not a candidate"),
                       UserError);
  CHECK_THROWS_WITH_AS(p.parse_target("-3"), doctest::Contains("expected a positive cost in pJ"),
                       UserError);
}

TEST_CASE("precision search: scores and costs are cached by the resolved map") {
  // Per layer, a choice that breaks a quantizer group is widened into a valid map; a choice
  // that widens into a map already scored is not scored again.
  SearchSetup s = small_setup();
  s.granularity = "layer";
  PrecisionSearchProblem p(s);
  const search::Choice base = search::uniform_choice(p.space(), p.candidate_index("int8:int8"));
  const int narrow = p.candidate_index("int8:int4");
  std::optional<search::Choice> widened;
  for (std::size_t d = 0; d < p.space().decisions() && !widened; ++d) {
    search::Choice c = base;
    c[d] = narrow;
    bool same = true;
    const PrecisionMap a = p.map_of(c), b = p.map_of(base);
    for (int id : p.network().mac_layers())
      same = same && a.at(id).activation == b.at(id).activation;
    if (same) widened = c;
  }
  REQUIRE(widened.has_value());  // conv1 and its block's shortcut read one tensor
  CHECK(*widened != base);
  const auto q = p.quality({base, *widened});
  CHECK(q[0] == q[1]);
  CHECK(p.distinct_maps_scored() == 1);
  CHECK(p.cost({base}).front() == p.cost({*widened}).front());
  search::Choice other = base;
  other[0] = narrow;
  p.quality({other});
  CHECK(p.distinct_maps_scored() ==
        (p.map_of(other).at(p.network().mac_layers()[0]).activation ==
                 p.map_of(base).at(p.network().mac_layers()[0]).activation
             ? 1u
             : 2u));
}

TEST_CASE("precision search: maps scored elsewhere give the same report as maps scored here") {
  // A scorer that stands for worker processes: another problem of the same setup scores each
  // map it is sent. The search's report must not change, and the batches it sends are whole
  // (greedy's phase-1 probes in one batch; the front's test split in one batch).
  SearchSetup s = small_setup();
  SearchRunOptions o;
  o.max_drop = 0.02;
  const test::TempDir dir;
  PrecisionSearchProblem here(s);
  const SearchReport expected = run_precision_search(here, o, dir.path("here"));

  PrecisionSearchProblem worker(s), driver(s);
  std::size_t largest_batch = 0, test_batches = 0, maps_sent = 0;
  driver.set_scorer(
      [&](const std::vector<search::Choice>& choices, PrecisionSearchProblem::Split split) {
        largest_batch = std::max(largest_batch, choices.size());
        test_batches += split == PrecisionSearchProblem::Split::kTest;
        maps_sent += choices.size();
        std::vector<std::vector<double>> out;
        for (const auto& c : choices)
          out.push_back(worker.score_here(c, split));
        return out;
      });
  const SearchReport got = run_precision_search(driver, o, dir.path("elsewhere"));
  REQUIRE(got.rows.size() == expected.rows.size());
  for (std::size_t i = 0; i < got.rows.size(); ++i) {
    CHECK(got.rows[i].choice == expected.rows[i].choice);
    CHECK(got.rows[i].quality == expected.rows[i].quality);
    CHECK(got.rows[i].cost == expected.rows[i].cost);
    REQUIRE(got.rows[i].figures.has_value());
    CHECK(std::isnan(got.rows[i].figures->test_top1) ==
          std::isnan(expected.rows[i].figures->test_top1));
    if (!std::isnan(expected.rows[i].figures->test_top1))
      CHECK(got.rows[i].figures->test_top1 == expected.rows[i].figures->test_top1);
  }
  CHECK(got.chosen == expected.chosen);
  CHECK(driver.distinct_maps_scored() == here.distinct_maps_scored());
  CHECK(largest_batch > 9);  // more than the uniform maps: phase 1's probes went together
  CHECK(test_batches == 1);
  CHECK(maps_sent >= driver.distinct_maps_scored());

  // A scorer that answers the wrong number of maps is an error, not a short report.
  PrecisionSearchProblem wrong(s);
  wrong.set_scorer([](const std::vector<search::Choice>&, PrecisionSearchProblem::Split) {
    return std::vector<std::vector<double>>{};
  });
  CHECK_THROWS_WITH_AS(wrong.quality({search::uniform_choice(wrong.space(), 0)}),
                       doctest::Contains("returned 0 results for 1 maps"), UserError);

  // A library caller that sets another method's option, without naming it in `given`, is
  // refused as the command's user is: a value off the default counts as given.
  SearchRunOptions rl_only = o;
  rl_only.entropy_max = 3;
  CHECK_THROWS_WITH_AS(run_precision_search(here, rl_only, dir.path("refused")),
                       doctest::Contains("--entropy-max is for --method rl; --method greedy"),
                       UserError);
  CHECK_FALSE(std::filesystem::exists(dir.path("refused") + ".partial"));
}

TEST_CASE("cli search: greedy writes a front whose maps the other commands price alike") {
  const test::TempDir dir;
  const std::string out = dir.path("s");
  const auto r = test::run_cli(with(search_args("greedy", out), {"--max-drop", "2"}));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("best uniform") != std::string::npos);
  CHECK(r.out.find("validation top-1 ") != std::string::npos);  // not the option's "top1"
  for (const char* f : {"front.csv", "front.json", "chosen.toml", "trace.csv"})
    CHECK(std::filesystem::exists(out + "/" + f));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
  const auto front = nlohmann::json::parse(test::read_file(out + "/front.json"));
  // What priced the maps is part of the result.
  CHECK(front.at("engine") == "sim");
  CHECK(front.at("hardware_overrides") == nlohmann::json::array());
  CHECK(r.out.find("  priced on edge_npu by the simulator\n") != std::string::npos);
  CHECK(test::read_file(out + "/chosen.toml").find("# priced on edge_npu by the simulator\n") !=
        std::string::npos);
  CHECK(front.at("reference_quality").is_number());  // greedy's reference, the fp32 network
  // The greedy options, and only those, with the drop as a fraction of top-1.
  CHECK(front.at("settings") ==
        nlohmann::json{{"max_drop", 0.02}, {"full_curve", false}, {"order", "score"}});
  const auto& chosen = front.at("rows").at(front.at("chosen_row").get<std::size_t>());
  CHECK(chosen.at("validation_quality").get<double>() >=
        front.at("reference_quality").get<double>() - 0.02);
  std::size_t uniform = 0, pareto = 0;
  for (const auto& row : front.at("rows")) {
    uniform += row.at("method") == "uniform";
    if (row.at("pareto").get<bool>()) {
      ++pareto;
      CHECK(std::filesystem::exists(out + "/" + row.at("map_file").get<std::string>()));
    }
  }
  CHECK(uniform == 9);
  CHECK(pareto >= 2);

  // chosen.toml through simulate and eval gives the figures the front reports.
  const auto sim = test::run_cli({"simulate", "--hw", "edge_npu", "-w",
                                  test::source_path("models/fmnist_resnet.onnx"), "-m",
                                  out + "/chosen.toml", "--format", "json"});
  REQUIRE_MESSAGE(sim.status == 0, sim.err);
  CHECK(nlohmann::json::parse(sim.out).at("total").at("energy_pj").at("total") ==
        chosen.at("energy_pj"));
  const auto ev =
      test::run_cli({"eval", "--model", test::source_path("models/fmnist_resnet.onnx"), "-m",
                     out + "/chosen.toml", "--limit", "300", "--calib", "100", "--format", "json"});
  REQUIRE_MESSAGE(ev.status == 0, ev.err);
  CHECK(nlohmann::json::parse(ev.out).at("top1") == chosen.at("test_top1"));

  // Phase-2 scoring stays within ceil(log2 n) + 2 of the path's n steps.
  const auto trace = test::read_file(out + "/trace.csv");
  CHECK(trace.rfind("phase,decision,candidate,score,cost,decision_name,candidate_name\n", 0) == 0);

  // Phase 1 ranks by the output's SQNR by default (scores in dB), by top-1 when asked (scores
  // are fractions); the pick keeps the top-1 drop either way.
  CHECK(front.at("sensitivity") == "sqnr");
  auto phase1_scores = [](const std::string& csv) {
    std::vector<double> out;
    std::istringstream in(csv);
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line))
      if (line.rfind("1,", 0) == 0) {
        std::istringstream cells(line);
        std::string cell;
        for (int i = 0; i < 4; ++i)
          std::getline(cells, cell, ',');
        out.push_back(std::stod(cell));
      }
    return out;
  };
  const auto sqnr = phase1_scores(trace);
  REQUIRE_FALSE(sqnr.empty());
  CHECK(*std::max_element(sqnr.begin(), sqnr.end()) > 20);
  const std::string out1 = dir.path("s1");
  const auto r1 = test::run_cli(
      with(search_args("greedy", out1), {"--max-drop", "2", "--sensitivity", "top1"}));
  REQUIRE_MESSAGE(r1.status == 0, r1.err);
  const auto top1 = phase1_scores(test::read_file(out1 + "/trace.csv"));
  REQUIRE(top1.size() == sqnr.size());
  CHECK(*std::max_element(top1.begin(), top1.end()) <= 1);
  const auto front1 = nlohmann::json::parse(test::read_file(out1 + "/front.json"));
  CHECK(front1.at("sensitivity") == "top1");
  CHECK(front1.at("rows")
            .at(front1.at("chosen_row").get<std::size_t>())
            .at("validation_quality")
            .get<double>() >= front1.at("reference_quality").get<double>() - 0.02);
}

TEST_CASE("cli search: the hardware overrides and the engine are recorded, and --out DIR/ works") {
  const test::TempDir dir;
  const std::string out = dir.path("u");
  const auto r = test::run_cli(with(search_args("uniform", out + "/"),
                                    {"--set", "array.rows=32", "--engine", "closed-form"}));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("  priced on edge_npu --set array.rows=32 by the closed-form model\n") !=
        std::string::npos);
  const auto front = nlohmann::json::parse(test::read_file(out + "/front.json"));
  CHECK(front.at("engine") == "closed-form");
  CHECK(front.at("hardware_overrides") == nlohmann::json::array({"array.rows=32"}));
  CHECK(front.at("reference_quality").is_null());  // uniform computes no fp32 reference
  CHECK(test::read_file(out + "/chosen.toml")
            .find("# priced on edge_npu --set array.rows=32 by the closed-form model\n") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out + "/.partial"));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
}

TEST_CASE("cli search: an interrupted search resumes and writes the same bytes") {
  const test::TempDir dir;
  const auto whole = test::run_cli(with(search_args("greedy", dir.path("a")), {"--max-drop", "2"}));
  REQUIRE_MESSAGE(whole.status == 0, whole.err);
  // Stopped among the uniform maps, and among phase 1's sensitivity probes (after the 9
  // uniform maps' qualities and costs), then run to the end.
  for (const char* after : {"6", "30"}) {
    INFO("stopped after " << after);
    const std::string out = dir.path(std::string("b") + after);
    const auto args = with(search_args("greedy", out), {"--max-drop", "2"});
    {
      ScopedEnv stop("MPSIM_SEARCH_STOP_AFTER", after);
      const auto r = test::run_cli(args);
      CHECK(r.status == 2);
      CHECK(r.err.find("run the same command again to resume") != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(out));  // no half-written folder
      CHECK(std::filesystem::exists(out + ".partial"));
    }
    const auto r = test::run_cli(args);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.err.find("resumed") != std::string::npos);
    for (const char* f : {"front.csv", "front.json", "chosen.toml", "trace.csv"})
      CHECK(test::read_file(dir.path("a") + "/" + f) == test::read_file(out + "/" + f));
  }
}

TEST_CASE("cli search: a seed gives the same RL search at 1 and 2 threads") {
  const test::TempDir dir;
  auto rl = [&](const std::string& out, const char* threads) {
    return test::run_cli(with(search_args("rl", dir.path(out)),
                              {"--target", "0.6xint8:int8", "--samples", "40", "--warmup", "8",
                               "--seed", "5", "--threads", threads}));
  };
  REQUIRE(rl("one", "1").status == 0);
  REQUIRE(rl("two", "2").status == 0);
  CHECK(test::read_file(dir.path("one") + "/front.csv") ==
        test::read_file(dir.path("two") + "/front.csv"));
  CHECK(test::read_file(dir.path("one") + "/trace.csv") ==
        test::read_file(dir.path("two") + "/trace.csv"));
}

TEST_CASE("cli search: bad input is a message and exit 2, with no folder written") {
  const test::TempDir dir;
  const std::string out = dir.path("s");
  auto fails = [&](const std::vector<std::string>& args, const std::string& message) {
    const auto r = test::run_cli(args);
    CHECK(r.status == 2);
    CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(out + ".partial"));
  };
  // Bad values of a greedy search's options, each with the message that names it.
  const std::vector<std::pair<std::vector<std::string>, std::string>> greedy_cases = {
      {{"--cost", "joules"},
       "--cost: unknown cost 'joules'; expected energy, latency, edp or bops"},
      {{"--quality", "top5"},
       "--quality: unknown quality 'top5'; expected top1, agreement or sqnr"},
      {{"--sensitivity", "hessian"},
       "--sensitivity: unknown quality 'hessian'; expected top1, agreement or sqnr"},
      // The validation split is never the test split nor a named data set: a .npy file, or the
      // default images after the calibration ones.
      {{"--validation-data", "fashion-mnist:test"},
       "--validation-data fashion-mnist:test: expected a .npy file of inputs"},
      {{"--validation-labels", "l.npy"},
       "--validation-labels l.npy goes with --validation-data V.npy"},
      {{"--threads", "100000"}, "--threads 100000: expected at most 1024"},
      // An empty value is not "not given": it would run another search than the one asked for.
      {{"--candidates", ""}, "--candidates: expected a value, not an empty string"},
      {{"--candidates", "int8:int8,int8:foo"}, "--candidates: unknown number format 'foo'"},
      {{"--pin", "/fc/Gemm=foo:int8"}, "--pin /fc/Gemm=foo:int8: unknown number format 'foo'"}};
  for (const auto& [extra, message] : greedy_cases)
    fails(with(search_args("greedy", out), extra), message);
  {
    // Either end of the span, as printed, can be given back as the target: here the span is
    // one point (one candidate), which four figures would miss.
    const auto one = with(search_args("greedy", out), {"--candidates", "int4:int8"});
    const auto r = test::run_cli(with(one, {"--target", "1"}));
    REQUIRE(r.status == 2);
    const std::string from = "reach: ";
    const auto at = r.err.find(from);
    REQUIRE(at != std::string::npos);
    const std::string end =
        r.err.substr(at + from.size(), r.err.find(' ', at + from.size()) - (at + from.size()));
    CHECK(end.size() > 5);  // more than four figures
    const auto back = test::run_cli(with(one, {"--target", end}));
    CHECK_MESSAGE(back.status == 0, back.err);
    std::filesystem::remove_all(out);
  }
  auto calib = [&](const char* n) {
    auto args = search_args("greedy", out);
    *(std::find(args.begin(), args.end(), "--calib") + 1) = n;
    return args;
  };
  fails(calib("70000"), "--calib 70000: fashion-mnist:train has only 60000 images");
  fails(calib("0"), "a search needs calibration images for its maps' activation scales");
  fails(with(search_args("rl", out), {"--target", "0.6xint8:int8", "--samples", "40"}),
        "--warmup 50: RL learns only after its warm-up, so --samples (40) must be larger");
  // A validation split without labels has no top-1, for the quality or for the ranking.
  const std::string x = dir.path("x.npy");
  std::ofstream(x, std::ios::binary)
      << test::npy("<f4", "(4, 1, 28, 28)", std::string(4 * 784 * 4, '\0'));
  const std::vector<std::string> unlabelled = {"search",
                                               "--method",
                                               "greedy",
                                               "--hw",
                                               "edge_npu",
                                               "--model",
                                               test::source_path("models/fmnist_resnet.onnx"),
                                               "--dataset",
                                               x,
                                               "--validation-data",
                                               x,
                                               "--calib-data",
                                               x,
                                               "--calib",
                                               "4",
                                               "--max-drop",
                                               "1",
                                               "--out",
                                               out};
  fails(unlabelled, "--quality top1 needs labels for the validation split");
  // A validation file smaller than asked for is refused; by default all of it is used, and the
  // report says where every split comes from.
  fails(with(unlabelled, {"--quality", "agreement", "--validation", "5"}),
        "--validation 5: " + x + " holds only 4 images");
  {
    const auto r = test::run_cli({"search", "--method", "uniform", "--hw", "edge_npu", "--model",
                                  test::source_path("models/fmnist_resnet.onnx"), "--dataset", x,
                                  "--validation-data", x, "--calib-data", x, "--calib", "4",
                                  "--quality", "agreement", "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(r.out.find("  validation: " + x + " (4 images)\n") != std::string::npos);
    CHECK(r.out.find("  calibration: mse on 4 images of " + x + "\n") != std::string::npos);
    const auto front = nlohmann::json::parse(test::read_file(out + "/front.json"));
    CHECK(front.at("data").at("validation") == x + " (4 images)");
    std::filesystem::remove_all(out);
  }
  fails(with(unlabelled, {"--quality", "agreement", "--sensitivity", "top1"}),
        "--sensitivity top1 needs labels for the validation split");
  fails(search_args("annealing", out), "--method");
  fails(search_args("rl", out), "--method rl needs a cost target");
  // An option the method would ignore is refused, naming it: {method, options, message}.
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> unused = {
      {"greedy",
       {"--max-drop", "1", "--target", "0.6xint8:int8"},
       "--max-drop and --target: greedy picks its map by one of them"},
      {"rl", {"--target", "0.6xint8:int8", "--max-drop", "1"}, "--max-drop is for --method greedy"},
      {"random", {"--full-curve"}, "--full-curve is for --method greedy; --method random does"},
      {"uniform",
       {"--order", "score-per-cost"},
       "--order is for --method greedy; --method uniform"},
      {"uniform", {"--target", "0.6xint8:int8"}, "--target is for --method greedy, rl or random"},
      {"greedy", {"--samples", "10"}, "--samples is for --method rl or random; --method greedy"},
      {"uniform", {"--seed", "3"}, "--seed is for --method rl or random; --method uniform"},
      {"random", {"--warmup", "3"}, "--warmup is for --method rl; --method random does not use"},
      {"rl",
       {"--target", "0.6xint8:int8", "--sensitivity", "top1"},
       "--sensitivity is for --method greedy; --method rl does not use it"},
      {"greedy", {"--one-sided"}, "--one-sided is for --method rl; --method greedy"},
      {"random", {"--entropy-max", "200"}, "--entropy-max is for --method rl; --method random"}};
  for (const auto& [method, options, message] : unused)
    fails(with(search_args(method, out), options), message);
  // A flag set to false is the flag left out, for any method (as in the Python module).
  {
    const auto r = test::run_cli(with(search_args("uniform", out), {"--one-sided=false"}));
    CHECK_MESSAGE(r.status == 0, r.err);
    std::filesystem::remove_all(out);
  }
  fails(with(search_args("greedy", out), {"--target", "0.01xint8:int8"}),
        "is outside what the candidates reach: ");
  // The span in the target's own form, rounded inwards, so that it can be given back.
  fails(with(search_args("rl", out), {"--target", "2xint8:int8"}),
        "(the cheapest uniform map, int2:int2: 0.2010xint8:int8) to 1.095e+07 pJ (the dearest, "
        "int8:int8: 1.0000xint8:int8)");
  fails(with(search_args("rl", out), {"--target", "1"}),
        "--target 1 = 1 pJ is outside what the candidates reach: 2.202e+06 pJ (the cheapest "
        "uniform map, int2:int2) to 1.095e+07 pJ (the dearest, int8:int8)");
  auto big = search_args("greedy", out);
  *(std::find(big.begin(), big.end(), "--validation") + 1) = "100000";
  fails(big, "--validation 100000: fashion-mnist:train has only 60000 images");
  // Scoring the training split, the search validates on the test split (never the scored one),
  // also without calibration images to say which split they come from.
  big = with(big, {"--dataset", "fashion-mnist:train"});
  *(std::find(big.begin(), big.end(), "--calib") + 1) = "0";
  fails(big, "--validation 100000: fashion-mnist:test has only 10000 images");
  std::filesystem::create_directory(out);
  const auto r = test::run_cli(search_args("uniform", out));
  CHECK(r.status == 2);
  CHECK(r.err.find("exists already") != std::string::npos);
}
