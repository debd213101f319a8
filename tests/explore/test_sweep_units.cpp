// The pieces of `mpsim sweep`: value lists, the cross product, Pareto flags, the CSV and the
// resume lines.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "explore/sweep_csv.h"
#include "explore/sweep_points.h"
#include "explore/sweep_resume.h"
#include "explore/sweep_runner.h"
#include "formats/error.h"
#include "tests/test_support.h"

using namespace mpsim;

TEST_CASE("sweep: value lists split on top-level commas only") {
  CHECK(split_top_level("8,16, 32", "t") == std::vector<std::string>{"8", "16", "32"});
  CHECK(split_top_level(R"(["int8"],["int8","int4"])", "t") ==
        std::vector<std::string>{R"(["int8"])", R"(["int8","int4"])"});
  CHECK(split_top_level(R"({a = 1, b = [2, 3]},"x,y",'p,q')", "t") ==
        std::vector<std::string>{"{a = 1, b = [2, 3]}", R"("x,y")", "'p,q'"});
  CHECK(split_top_level(R"("a\",b",c)", "t") == std::vector<std::string>{R"("a\",b")", "c"});
  CHECK_THROWS_WITH_AS(split_top_level("8,,16", "ctx"), doctest::Contains("ctx: empty value"),
                       UserError);
  CHECK_THROWS_AS(split_top_level("[1,2", "t"), UserError);
  CHECK_THROWS_AS(split_top_level("1]", "t"), UserError);
  CHECK_THROWS_AS(split_top_level("\"ab", "t"), UserError);

  const auto axis = parse_sweep_set("array.rows=8,16");
  CHECK(axis.key == "array.rows");
  CHECK(axis.values == std::vector<std::string>{"8", "16"});
  CHECK_THROWS_WITH_AS(parse_sweep_set("array.rows="), doctest::Contains("empty value list"),
                       UserError);
  CHECK_THROWS_AS(parse_sweep_set("array.rows"), UserError);
  CHECK_THROWS_AS(parse_sweep_set("=8"), UserError);
}

TEST_CASE("sweep: the cross product, first axis slowest") {
  const SweepPoints p(
      {parse_sweep_set("a=1,2,3"), parse_sweep_set("b=x,y"), parse_sweep_set("c=true")});
  REQUIRE(p.size() == 6);
  CHECK(p.values(0) == std::vector<std::string>{"1", "x", "true"});
  CHECK(p.values(1) == std::vector<std::string>{"1", "y", "true"});
  CHECK(p.values(2) == std::vector<std::string>{"2", "x", "true"});
  CHECK(p.values(5) == std::vector<std::string>{"3", "y", "true"});
  CHECK(p.overrides(3) == std::vector<std::string>{"a=2", "b=y", "c=true"});
  CHECK(p.describe(4) == "a=3, b=x, c=true");
  CHECK(SweepPoints({}).size() == 1);  // no --set: the base config alone
  CHECK_THROWS_WITH_AS(SweepPoints({parse_sweep_set("a=1"), parse_sweep_set("a=2")}),
                       doctest::Contains("given twice"), UserError);
}

TEST_CASE("sweep: Pareto flags on a hand-made set") {
  auto pt = [](std::size_t i, double a, double e, double l) {
    PointResult r;
    r.index = i;
    r.area_mm2 = a;
    r.energy_pj = e;
    r.latency_s = l;
    return r;
  };
  const std::vector<PointResult> set{
      pt(0, 1, 10, 10),  // front: smallest area
      pt(1, 2, 5, 5),    // front
      pt(2, 2, 6, 5),    // dominated by 1 (energy larger, rest equal)
      pt(3, 3, 5, 5),    // dominated by 1 (area larger)
      pt(4, 3, 1, 20),   // front: smallest energy
      pt(5, 2, 5, 5),    // equal to 1: equal points do not dominate each other
      pt(6, 4, 4, 4),    // front: smallest latency
      pt(7, 4, 4, 4.5),  // dominated by 6
  };
  CHECK(pareto_flags(set) == std::vector<bool>{true, true, false, false, true, true, true, false});
  CHECK(pareto_flags({}).empty());
  CHECK(pareto_flags({pt(0, 1, 1, 1)}) == std::vector<bool>{true});
}

TEST_CASE("sweep: numbers round-trip and the CSV has one column per axis") {
  for (double v : {0.1, 1.0 / 3, 6.02214076e23, 5e-324, 123456789.0, 0.0}) {
    CHECK(std::strtod(format_number(v).c_str(), nullptr) == v);
  }
  CHECK(format_number(0.1) == "0.1");
  const SweepPoints p({parse_sweep_set(R"(array.mac.formats=["int8"],["int8","int4"])")});
  PointResult a, b;
  a.index = 1;
  a.area_mm2 = 2;
  a.energy_pj = 1e12;
  a.leakage_pj = 2.5e11;
  a.latency_s = 0.5;
  a.cycles = 42;
  b.index = 0;
  b.area_mm2 = 1;
  b.energy_pj = 3e12;
  b.latency_s = 1;
  const auto csv = render_sweep_csv(p, {a, b});
  CHECK(csv ==
        "point,array.mac.formats,area_mm2,energy_pj,dynamic_energy_pj,leakage_energy_pj,latency_s,"
        "cycles,edp_js,pareto\n"
        "0,\"[\"\"int8\"\"]\",1,3e+12,3e+12,0,1,0,3,true\n"
        "1,\"[\"\"int8\"\",\"\"int4\"\"]\",2,1e+12,7.5e+11,2.5e+11,0.5,42,0.5,true\n");
}

TEST_CASE("sweep: resume lines round-trip - torn lines and other fingerprints are rejected") {
  PointResult r;
  r.index = 7;
  r.area_mm2 = 1.0 / 3;
  r.energy_pj = 2.5e10;
  r.leakage_pj = 1.0 / 7;
  r.latency_s = 0.1 + 0.2;
  r.cycles = 123456789012;
  const auto fp = fingerprint({"hw=a", "set=b"});
  CHECK(fp.size() == 16);
  CHECK(fp != fingerprint({"hw=a", "set=c"}));
  CHECK(fingerprint({"ab", "c"}) != fingerprint({"a", "bc"}));
  const auto line = encode_result_line(fp, r);
  REQUIRE(line.back() == '\n');
  const auto d = decode_result_line(std::string_view(line).substr(0, line.size() - 1));
  REQUIRE(d.has_value());
  CHECK(d->fingerprint == fp);
  CHECK(d->result.index == 7);
  CHECK(d->result.area_mm2 == r.area_mm2);
  CHECK(d->result.leakage_pj == r.leakage_pj);
  CHECK(d->result.latency_s == r.latency_s);
  CHECK(d->result.cycles == r.cycles);
  CHECK_FALSE(decode_result_line(fp + " 7 0.3 1e10"));
  CHECK_FALSE(decode_result_line(fp + " 7 0.3 1e10 0.1 0.2 12x"));
  CHECK_FALSE(decode_result_line(fp + " 7 0.3 1e10 0.1 12"));  // a record without leakage
  CHECK_FALSE(decode_result_line(""));
}

TEST_CASE("sweep: a worker's error leaves no worker unreaped") {
  const mpsim::test::TempDir dir;
  const ResumeStore store(dir.path("out.csv"), "fingerprint");
  ProgressBar progress(nullptr, 6, 0);
  RunOptions run;
  run.jobs = 3;
  // Point 0 (worker 1) fails at once; the other workers are busy when it does.
  auto evaluate = [](std::size_t index) {
    if (index == 0) throw UserError("point 0 is bad");
    ::usleep(300 * 1000);
    PointResult r;
    r.index = index;
    return r;
  };
  CHECK_THROWS_WITH_AS(run_points({0, 1, 2, 3, 4, 5}, evaluate, store, run, progress),
                       "point 0 is bad", UserError);
  // No child is left, running or as a zombie: waitpid finds none.
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}
