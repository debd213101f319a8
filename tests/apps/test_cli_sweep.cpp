// `mpsim sweep` in-process: the CSV, per-point overrides, --jobs, --shard, resume, errors.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/test_support.h"

using mpsim::test::run_cli;
using mpsim::test::ScopedEnv;
using mpsim::test::TempDir;
using mpsim::test::with;

namespace {

// RFC 4180 rows (quoted fields may hold commas and doubled quotes).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// A small closed-form sweep (six points of resnet18 on the ideal-memory array).
std::vector<std::string> small_sweep(const std::string& out) {
  return {"sweep",
          "--hw",
          "ideal_memory",
          "--set",
          "array.rows=8,16,32",
          "--set",
          "array.cols=8,16",
          "-w",
          "resnet18",
          "--engine",
          "closed-form",
          "-o",
          out};
}

}  // namespace

TEST_CASE("cli sweep: one row per point, overrides applied, columns as documented") {
  TempDir dir;
  const auto out = dir.path("s.csv");
  const auto r = run_cli(small_sweep(out));
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());  // no progress bar when stderr is not a terminal
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
  const auto rows = parse_csv(mpsim::test::read_file(out));
  REQUIRE(rows.size() == 7);
  CHECK(rows[0] == std::vector<std::string>{"point", "array.rows", "array.cols", "area_mm2",
                                            "energy_pj", "dynamic_energy_pj", "leakage_energy_pj",
                                            "latency_s", "cycles", "edp_js", "pareto"});
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == rows[0].size());
    CHECK(rows[i][0] == std::to_string(i - 1));
    const double energy = std::stod(rows[i][4]), latency = std::stod(rows[i][7]);
    CHECK(std::stod(rows[i][9]) == doctest::Approx(energy * 1e-12 * latency));
    CHECK(std::stod(rows[i][5]) + std::stod(rows[i][6]) == doctest::Approx(energy));
    CHECK((rows[i][10] == "true" || rows[i][10] == "false"));
  }
  // First --set slowest: rows 8,8 / 8,16 / 16,8 ...
  CHECK(rows[1][1] == "8");
  CHECK(rows[2][1] == "8");
  CHECK(rows[2][2] == "16");
  CHECK(rows[3][1] == "16");
  CHECK(rows[3][2] == "8");
  // The point's overrides reach the model: more rows, fewer cycles and more area.
  CHECK(std::stoll(rows[3][8]) < std::stoll(rows[1][8]));
  CHECK(std::stoll(rows[5][8]) < std::stoll(rows[3][8]));
  CHECK(std::stod(rows[3][3]) > std::stod(rows[1][3]));
  // The largest array is the fastest point: on the front whatever its area and energy.
  CHECK(rows[6][10] == "true");
}

TEST_CASE("cli sweep: array values stay whole and are quoted in the CSV") {
  TempDir dir;
  const auto out = dir.path("f.csv");
  const auto r = run_cli(
      {"sweep", "--hw", "edge_npu", "--set", R"(array.mac.formats=["int8"],["int8","int4"])",
       "--set", "technology.node_nm=28,7", "-w", "resnet18", "--engine", "closed-form", "-o", out});
  REQUIRE(r.status == 0);
  const auto rows = parse_csv(mpsim::test::read_file(out));
  REQUIRE(rows.size() == 5);
  CHECK(rows[1][1] == R"(["int8"])");
  CHECK(rows[4][1] == R"(["int8","int4"])");
  CHECK(rows[4][2] == "7");
  CHECK(std::stod(rows[2][4]) < std::stod(rows[1][4]));  // 7 nm spends less energy than 28 nm
}

TEST_CASE("cli sweep: --jobs 2 writes the same bytes as --jobs 1") {
  TempDir dir;
  const auto one = dir.path("one.csv"), two = dir.path("two.csv");
  REQUIRE(run_cli(small_sweep(one)).status == 0);
  const auto r = run_cli(with(small_sweep(two), {"--jobs", "2"}));
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  CHECK(mpsim::test::read_file(two) == mpsim::test::read_file(one));
  CHECK_FALSE(std::filesystem::exists(two + ".partial.0"));
  CHECK_FALSE(std::filesystem::exists(two + ".partial.1"));
}

TEST_CASE("cli sweep: --shard 1/2 and 2/2 together cover every point once") {
  TempDir dir;
  const auto all = dir.path("all.csv"), a = dir.path("a.csv"), b = dir.path("b.csv");
  REQUIRE(run_cli(small_sweep(all)).status == 0);
  REQUIRE(run_cli(with(small_sweep(a), {"--shard", "1/2"})).status == 0);
  REQUIRE(run_cli(with(small_sweep(b), {"--shard", "2/2", "-j", "2"})).status == 0);
  const auto rows_all = parse_csv(mpsim::test::read_file(all));
  const auto rows_a = parse_csv(mpsim::test::read_file(a)),
             rows_b = parse_csv(mpsim::test::read_file(b));
  REQUIRE(rows_a.size() == 4);
  REQUIRE(rows_b.size() == 4);
  CHECK(rows_a[0] == rows_all[0]);
  std::map<std::string, std::vector<std::string>> merged;
  for (const auto* rows : {&rows_a, &rows_b})
    for (std::size_t i = 1; i < rows->size(); ++i) {
      CHECK(merged.emplace((*rows)[i][0], (*rows)[i]).second);
    }
  REQUIRE(merged.size() == 6);
  CHECK(rows_a[1][0] == "0");
  CHECK(rows_a[2][0] == "2");
  CHECK(rows_b[1][0] == "1");
  for (std::size_t i = 1; i < rows_all.size(); ++i) {
    // Same figures; only the Pareto flag may differ (it is computed among a file's rows).
    auto shard_row = merged.at(rows_all[i][0]);
    auto full_row = rows_all[i];
    shard_row.pop_back();
    full_row.pop_back();
    CHECK(shard_row == full_row);
  }
}

TEST_CASE("cli sweep: an interrupted sweep resumes and writes the same bytes") {
  TempDir dir;
  const auto ref = dir.path("ref.csv"), out = dir.path("out.csv");
  REQUIRE(run_cli(small_sweep(ref)).status == 0);
  {
    ScopedEnv stop("MPSIM_SWEEP_STOP_AFTER", "2");
    const auto first = run_cli(small_sweep(out));
    CHECK(first.status != 0);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK(std::filesystem::exists(out + ".partial"));
  }
  {
    // Interrupted again, in workers this time (one point each): their part files are kept.
    ScopedEnv stop("MPSIM_SWEEP_STOP_AFTER", "1");
    const auto second = run_cli(with(small_sweep(out), {"--jobs", "2"}));
    CHECK(second.status != 0);
    CHECK(second.err.find("resuming with 2 of 6") != std::string::npos);
  }
  // A torn last line, as a kill in the middle of a write leaves it, is ignored.
  std::ofstream(out + ".partial", std::ios::app) << "0123456789abcdef 5 1.2";
  const auto resumed = run_cli(with(small_sweep(out), {"--jobs", "3"}));
  REQUIRE(resumed.status == 0);
  CHECK(resumed.err.find("resuming with 4 of 6") != std::string::npos);
  CHECK(mpsim::test::read_file(out) == mpsim::test::read_file(ref));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
  CHECK_FALSE(std::filesystem::exists(out + ".partial.0"));
}

TEST_CASE("cli sweep: rows of a different command are not reused") {
  TempDir dir;
  const auto ref = dir.path("ref.csv"), out = dir.path("out.csv");
  REQUIRE(run_cli(small_sweep(ref)).status == 0);
  {
    ScopedEnv stop("MPSIM_SWEEP_STOP_AFTER", "3");
    // Same output, another base config: its rows must not end up in this sweep's file.
    auto other = small_sweep(out);
    other[2] = "edge_npu";
    CHECK(run_cli(other).status != 0);
  }
  const auto r = run_cli(small_sweep(out));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("different sweep command") != std::string::npos);
  CHECK(mpsim::test::read_file(out) == mpsim::test::read_file(ref));
}

TEST_CASE("cli sweep: another --batch or --input-shape starts over instead of resuming") {
  TempDir dir;
  const auto ref = dir.path("ref.csv"), out = dir.path("out.csv");
  REQUIRE(run_cli(with(small_sweep(ref), {"--batch", "2"})).status == 0);
  {
    ScopedEnv stop("MPSIM_SWEEP_STOP_AFTER", "3");
    CHECK(run_cli(small_sweep(out)).status != 0);  // batch 1, interrupted
  }
  const auto r = run_cli(with(small_sweep(out), {"--batch", "2"}));
  REQUIRE(r.status == 0);
  CHECK(r.err.find("different sweep command") != std::string::npos);
  CHECK(mpsim::test::read_file(out) == mpsim::test::read_file(ref));
}

TEST_CASE("cli sweep: the simulator engine evaluates the points in workers") {
  TempDir dir;
  const auto sim = dir.path("sim.csv");
  // Two workers, so the kernel starts in them (or in-process, with a note, when an earlier test
  // of this process has already simulated: forking a started kernel is unsafe).
  const auto r = run_cli({"sweep", "--hw", "ideal_memory", "--set", "array.rows=8,16", "-w",
                          mpsim::test::source_path("configs/topologies/alexnet_conv1.csv"),
                          "--jobs", "2", "-o", sim});
  REQUIRE(r.status == 0);
  const auto rows = parse_csv(mpsim::test::read_file(sim));
  REQUIRE(rows.size() == 3);
  REQUIRE(rows[0][7] == "cycles");
  CHECK(std::stoll(rows[1][7]) > 0);
  CHECK(std::stoll(rows[2][7]) < std::stoll(rows[1][7]));  // more rows, fewer cycles
  CHECK(std::stod(rows[1][3]) > 0);                        // energy
}

TEST_CASE("cli sweep: bad input exits 2 before evaluating anything") {
  TempDir dir;
  const auto out = dir.path("e.csv");
  auto no_out = small_sweep(out);
  no_out.resize(no_out.size() - 2);
  const auto missing = run_cli(no_out);
  CHECK(missing.status == 2);
  CHECK(missing.err.find("--out") != std::string::npos);

  const auto key = run_cli(with(small_sweep(out), {"--set", "array.rowz=3,4"}));
  CHECK(key.status == 2);
  CHECK(key.err.find("array.rowz") != std::string::npos);

  // Point 2 (rows=8, dataflow=xs) is the first bad one: the message names its values.
  const auto type = run_cli({"sweep", "--hw", "ideal_memory", "--set", "array.rows=8,16", "--set",
                             "array.dataflow=ws,os,xs", "-w", "resnet18", "-o", out});
  CHECK(type.status == 2);
  CHECK(type.err.find("sweep point 2 (array.rows=8, array.dataflow=xs)") != std::string::npos);

  CHECK(run_cli(with(small_sweep(out), {"--set", "array.clock_mhz="})).status == 2);
  CHECK(run_cli(with(small_sweep(out), {"--set", "array.clock_mhz=1,,2"})).status == 2);
  CHECK(run_cli(with(small_sweep(out), {"--jobs", "0"})).status == 2);
  for (const char* shard : {"0/2", "3/2", "1", "a/b", "1/2/3", "/2"}) {
    const auto bad = run_cli(with(small_sweep(out), {"--shard", shard}));
    CHECK(bad.status == 2);
    CHECK(bad.err.find("--shard") != std::string::npos);
  }
  const auto folder = run_cli(small_sweep(dir.path("missing/e.csv")));
  CHECK(folder.status == 2);
  CHECK(folder.err.find("does not exist") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  CHECK_FALSE(std::filesystem::exists(out + ".partial"));
}
