// Numeric options: a sign, a fraction or an out-of-range value is refused with a message that
// names the option and what it expects, never wrapped around or printed as a 309-digit bound.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/test_support.h"

namespace {

using mpsim::test::run_cli;

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli options: negative and fractional counts are refused, not wrapped") {
  const std::string model = mpsim::test::source_path("models/fmnist_resnet.onnx");
  struct Case {
    std::vector<std::string> args;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {{"eval", "--model", model, "--limit", "-1"},
       "--limit: expected a whole number >= 0, not '-1'"},
      {{"eval", "--model", model, "--threads", "-3"},
       "--threads: expected a whole number >= 0, not '-3'"},
      {{"eval", "--model", model, "--calib", "2.5"},
       "--calib: expected a whole number >= 0, not '2.5'"},
      {{"eval", "--model", model, "--micro-batch", "0"},
       "--micro-batch: expected a whole number >= 1, not '0'"},
      {{"estimate", "--hw", "edge_npu", "-w", "resnet18", "--batch", "-2"},
       "--batch: expected a whole number >= 1, not '-2'"},
      {{"sweep", "--hw", "edge_npu", "-w", "resnet18", "--set", "array.rows=8", "--jobs", "-1",
        "-o", "x.csv"},
       "--jobs: expected a whole number >= 1, not '-1'"},
      {{"search", "--hw", "edge_npu", "--model", model, "--beta", "-1", "--out", "x"},
       "--beta: expected a number >= 0, not '-1'"},
      {{"search", "--hw", "edge_npu", "--model", model, "--learning-rate", "nan", "--out", "x"},
       "--learning-rate: expected a number > 0, not 'nan'"},
      {{"search", "--hw", "edge_npu", "--model", model, "--samples", "1e400", "--out", "x"},
       "--samples: expected a whole number >= 1, not '1e400'"},
      // Counts held in an int say their own bound rather than CLI11's "Could not convert".
      {{"search", "--hw", "edge_npu", "--model", model, "--samples", "9007199254740992", "--out",
        "x"},
       "--samples: expected a whole number >= 1 and at most 2147483647, not '9007199254740992'"},
      {{"eval", "--model", model, "--threads", "3000000000"},
       "--threads: expected a whole number >= 0 and at most 2147483647, not '3000000000'"},
      {{"eval", "--model", model, "--limit", "9007199254740993"},
       "--limit: expected a whole number >= 0 and at most 2^53 (9007199254740992)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expected);
    const auto r = run_cli(c.args);
    CHECK(r.status == 2);
    CHECK(has(r.err, c.expected));
    CHECK_FALSE(has(r.err, "179769313486231570"));  // CLI11's bound, printed in full
    CHECK(r.out.empty());
  }
}
