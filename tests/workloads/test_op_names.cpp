// Op and sub-op names: every enum value round-trips through its name, and a network file with an
// unknown name is refused naming the file, the line and the layer.
#include <doctest/doctest.h>

#include "formats/error.h"
#include "workloads/network.h"
#include "workloads/network_io.h"

using namespace mpsim;

TEST_CASE("op names: every unary, binary and reduce sub-op round-trips through its name") {
  // The lists are in enum order, so entry i names value i; each name parses back to its value
  // and, as an op name, to a layer of the right op that op_name prints the same.
  const auto unary = unary_op_names();
  REQUIRE(unary.size() == 15);
  for (std::size_t i = 0; i < unary.size(); ++i) {
    const auto op = static_cast<UnaryOp>(i);
    CHECK(unary_op_name(op) == unary[i]);
    CHECK(parse_unary_op(unary[i]) == op);
    const auto kind = parse_op_name(unary[i]);
    REQUIRE(kind);
    CHECK(kind->op == Op::kUnary);
    CHECK(kind->unary == op);
    CHECK(op_name(*kind) == unary[i]);
  }
  const auto binary = binary_op_names();
  REQUIRE(binary.size() == 7);
  for (std::size_t i = 0; i < binary.size(); ++i) {
    const auto op = static_cast<BinaryOp>(i);
    CHECK(binary_op_name(op) == binary[i]);
    CHECK(parse_binary_op(binary[i]) == op);
    const auto kind = parse_op_name(binary[i]);
    REQUIRE(kind);
    CHECK(kind->op == Op::kEltwise);
    CHECK(kind->binary == op);
    CHECK(op_name(*kind) == binary[i]);
  }
  const auto reduce = reduce_op_names();
  REQUIRE(reduce.size() == 3);
  for (std::size_t i = 0; i < reduce.size(); ++i) {
    const auto op = static_cast<ReduceOp>(i);
    CHECK(reduce_op_name(op) == reduce[i]);
    CHECK(parse_reduce_op(reduce[i]) == op);
    const auto kind = parse_op_name("reduce_" + reduce[i]);
    REQUIRE(kind);
    CHECK(kind->op == Op::kReduce);
    CHECK(kind->reduce == op);
    CHECK(op_name(*kind) == "reduce_" + reduce[i]);
  }
  // Names as the network files and the printed tables have always spelt them.
  CHECK(unary_op_name(UnaryOp::kHardSwish) == "hardswish");
  CHECK(binary_op_name(BinaryOp::kPow) == "pow");
  CHECK(op_name(*parse_op_name("reduce_max")) == "reduce_max");
  // Every op name parses back and prints the same; unknown names and bare prefixes do not parse.
  for (const auto& name : op_names()) {
    INFO(name);
    const auto kind = parse_op_name(name);
    REQUIRE(kind);
    CHECK(op_name(*kind) == name);
  }
  for (const char* name : {"", "reduce_", "reduce_min", "mean", "hardtanh", "Relu", "relu "})
    CHECK_FALSE(parse_op_name(name));
  CHECK_FALSE(parse_unary_op("add"));
  CHECK_FALSE(parse_binary_op("relu"));
  CHECK_FALSE(parse_reduce_op("reduce_mean"));
}

TEST_CASE("op names: an unknown sub-op in a network file names the file, line and layer") {
  const std::string input = "[[input]]\nname = \"x\"\nshape = [1, 4]\n";
  for (const char* op : {"hardtanh", "reduce_min", "powr"}) {
    INFO(op);
    try {
      parse_network_toml(input + "[[layer]]\nname = \"act1\"\nop = \"" + op + "\"\n", "net.toml");
      FAIL("expected an error");
    } catch (const UserError& e) {
      const std::string m = e.what();
      CHECK(m.find("net.toml:6:") == 0);
      CHECK(m.find("key 'layer.act1.op'") != std::string::npos);
      CHECK(m.find(std::string("unknown op '") + op + "'") != std::string::npos);
      // The known names are listed, sub-ops included.
      CHECK(m.find("hardswish") != std::string::npos);
      CHECK(m.find("reduce_mean, reduce_sum, reduce_max") != std::string::npos);
      CHECK(m.find("add, sub, mul, div, pow, max, min") != std::string::npos);
    }
  }
}
