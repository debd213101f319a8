// The sweep as a library call (explore/sweep.h): what the command, the Python module and
// distributed runs share. Points priced one by one equal the file a whole run writes; shards
// partition the points; a bad point is named before anything is evaluated.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "explore/sweep.h"
#include "formats/error.h"
#include "tests/test_support.h"

using namespace mpsim;

namespace {

SweepRequest small_request() {
  SweepRequest q;
  q.hardware = "edge_npu";
  q.sets = {"array.rows=8,16", "array.cols=8,16"};
  q.workload = "resnet18";
  q.engine = CostEngine::kClosedForm;
  return q;
}

}  // namespace

TEST_CASE("sweep plan: points priced one by one equal the rows a whole run writes") {
  const SweepPlan plan(small_request());
  REQUIRE(plan.points().size() == 4);
  REQUIRE(plan.own() == std::vector<std::size_t>{0, 1, 2, 3});
  std::vector<PointResult> one_by_one;
  for (auto i : plan.own())
    one_by_one.push_back(plan.evaluate(i));
  // A larger array finishes sooner: the points differ, so equality below means something.
  CHECK(one_by_one[3].cycles < one_by_one[0].cycles);

  const mpsim::test::TempDir dir;
  const std::string out = dir.path("sweep.csv");
  std::ostringstream log;
  const auto written = run_sweep(plan, out, SweepRunOptions{}, log);
  REQUIRE(written.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(written[i].index == i);
    CHECK(written[i].cycles == one_by_one[i].cycles);
    CHECK(written[i].energy_pj == one_by_one[i].energy_pj);
  }
  CHECK(mpsim::test::read_file(out) == render_sweep_csv(plan.points(), one_by_one));
  CHECK(log.str().empty());
}

TEST_CASE("sweep plan: shards partition the points and all check every config") {
  std::vector<std::size_t> seen;
  for (std::size_t k = 1; k <= 3; ++k) {
    SweepRequest q = small_request();
    q.shard = parse_shard(std::to_string(k) + "/3");
    const SweepPlan plan(q);
    for (auto i : plan.own()) {
      CHECK(i % 3 == k - 1);
      seen.push_back(i);
    }
    // Each shard's record carries its shard, so the records of two shards never mix.
    const auto inputs = plan.fingerprint_inputs();
    CHECK(std::count(inputs.begin(), inputs.end(), "shard=" + std::to_string(k) + "/3") == 1);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::size_t>{0, 1, 2, 3});

  SweepRequest bad = small_request();
  bad.sets = {"array.rows=8,0"};
  bad.shard = parse_shard("1/2");  // point 1 belongs to the other shard and is still checked
  CHECK_THROWS_WITH_AS(SweepPlan{bad}, doctest::Contains("sweep point 1 (array.rows=0)"),
                       UserError);
  CHECK_THROWS_WITH_AS(parse_shard("3/2"), doctest::Contains("expected K/N with 1 <= K <= N"),
                       UserError);
  const SweepPlan plan(small_request());
  CHECK_THROWS_AS(plan.evaluate(99), UserError);
}
