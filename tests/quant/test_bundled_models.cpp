// The bundled Fashion-MNIST models import with their weights and end in 10 logits.
#include <doctest/doctest.h>

#include "tests/test_support.h"
#include "workloads/importers.h"

using namespace mpsim;

TEST_CASE("bundled models: each imports with weights and produces 10 logits") {
  for (const char* name : {"fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit"}) {
    INFO(name);
    const Network net = import_onnx(test::source_path(std::string("models/") + name + ".onnx"));
    const auto outs = net.outputs();
    REQUIRE(outs.size() == 1);
    CHECK(net.layer(outs[0]).output_shape == Shape{1, 10});
    CHECK(net.mac_layers().size() >= 10);
    for (int id : net.mac_layers()) {
      const Layer& l = net.layer(id);
      if (l.op == Op::kMatMul) continue;  // two activations, no weights
      REQUIRE(l.weight.has_value());
      CHECK(static_cast<std::int64_t>(l.weight->data.size()) == l.weight_count);
    }
  }
}
