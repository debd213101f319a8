// The engine's element-wise ops and reductions on a few values, each against its definition.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "quant/engine.h"
#include "workloads/network.h"

using namespace mpsim;

namespace {

const std::vector<float> kValues = {-4.0f, -1.5f, -0.25f, 0.0f, 0.5f, 2.0f, 7.0f};

// A network of the input and one layer of `kind` reading it.
Network one_layer(const OpKind& kind, const Shape& shape, const Layer& attributes = {}) {
  Network net("one");
  const int x = net.add_input("x", shape);
  Layer l = attributes;
  static_cast<OpKind&>(l) = kind;
  l.name = "op";
  l.inputs = {x};
  net.add_layer(std::move(l));
  return net;
}

std::vector<float> run_on(Network net, const std::vector<float>& in) {
  Engine e(std::move(net), {1, 1});
  std::vector<float> out(static_cast<std::size_t>(e.output_size()));
  e.run(in, out);
  return out;
}

// The op's definition in double precision. A switch without a default, so a new UnaryOp does
// not compile warning-free until it is tested here.
double unary_reference(UnaryOp op, double x, const Layer& l) {
  switch (op) {
    case UnaryOp::kRelu:
      return x > 0 ? x : 0;
    case UnaryOp::kRelu6:
      return std::min(std::max(x, 0.0), 6.0);
    case UnaryOp::kClip:
      return std::min(std::max(x, double{l.clip_min}), double{l.clip_max});
    case UnaryOp::kGelu:
      return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
    case UnaryOp::kSilu:
      return x / (1 + std::exp(-x));
    case UnaryOp::kSigmoid:
      return 1 / (1 + std::exp(-x));
    case UnaryOp::kHardSwish:
      return x * std::min(std::max(x + 3, 0.0), 6.0) / 6;
    case UnaryOp::kHardSigmoid:
      return std::min(std::max(double{l.alpha} * x + double{l.beta}, 0.0), 1.0);
    case UnaryOp::kTanh:
      return std::tanh(x);
    case UnaryOp::kErf:
      return std::erf(x);
    case UnaryOp::kSqrt:
      return std::sqrt(x);
    case UnaryOp::kExp:
      return std::exp(x);
    case UnaryOp::kNeg:
      return -x;
    case UnaryOp::kReciprocal:
      return 1 / x;
    case UnaryOp::kAbs:
      return std::fabs(x);
  }
  return NAN;
}

}  // namespace

TEST_CASE("engine ops: every unary op computes its definition") {
  Layer attributes;
  attributes.clip_min = -1.0f;
  attributes.clip_max = 0.75f;
  attributes.alpha = 0.2f;
  attributes.beta = 0.5f;
  const Shape shape{1, static_cast<std::int64_t>(kValues.size())};
  for (const auto& name : unary_op_names()) {
    INFO(name);
    OpKind kind;
    kind.op = Op::kUnary;
    kind.unary = *parse_unary_op(name);
    const auto out = run_on(one_layer(kind, shape, attributes), kValues);
    REQUIRE(out.size() == kValues.size());
    for (std::size_t i = 0; i < kValues.size(); ++i) {
      INFO("x = " << kValues[i]);
      const double want = unary_reference(kind.unary, kValues[i], attributes);
      if (std::isnan(want)) {
        CHECK(std::isnan(out[i]));  // sqrt of a negative number
      } else if (std::isinf(want)) {
        CHECK(out[i] == want);  // 1 / 0
      } else {
        CHECK(out[i] == doctest::Approx(want).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("engine ops: reductions take the mean, sum and maximum over their axes") {
  // [2, 3] reduced over the last axis, then over the first (keepdims).
  const std::vector<float> in = {1.0f, -2.0f, 4.0f, 0.5f, 3.0f, -1.0f};
  const std::vector<std::pair<ReduceOp, std::vector<float>>> last_axis = {
      {ReduceOp::kMean, {1.0f, 2.5f / 3.0f}},
      {ReduceOp::kSum, {3.0f, 2.5f}},
      {ReduceOp::kMax, {4.0f, 3.0f}},
  };
  for (const auto& [op, want] : last_axis) {
    INFO(reduce_op_name(op));
    OpKind kind;
    kind.op = Op::kReduce;
    kind.reduce = op;
    Layer axes;
    axes.axes = {-1};
    axes.keepdims = false;
    const auto out = run_on(one_layer(kind, {2, 3}, axes), in);
    REQUIRE(out.size() == 2);
    CHECK(out[0] == doctest::Approx(want[0]));
    CHECK(out[1] == doctest::Approx(want[1]));
    Layer leading;  // the first axis: the kernel's general loop, not its trailing-axes one
    leading.axes = {0};
    const auto first = run_on(one_layer(kind, {2, 3}, leading), in);
    REQUIRE(first.size() == 3);
    const float a = in[0], b = in[3];
    CHECK(first[0] == doctest::Approx(op == ReduceOp::kMean  ? (a + b) / 2
                                      : op == ReduceOp::kSum ? a + b
                                                             : std::max(a, b)));
  }
}
