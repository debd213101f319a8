// The evaluator's keys of a precision map: weight_scale and cluster_of.
#include <doctest/doctest.h>

#include "formats/error.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

using namespace mpsim;

TEST_CASE("precision map: weight_scale and cluster_of are parsed, checked and applied") {
  const Network net = load_workload("resnet18");
  const auto spec = parse_precision_map(
      "[default]\nweight = \"int4\"\nactivation = \"int8\"\nweight_scale = \"mse\"\n"
      "[[override]]\nlayers = \"layer1.*\"\nweight = \"ternary\"\ncluster_size = 8\n"
      "cluster_of = \"weights\"\nweight_scale = \"twn\"\n",
      "m.toml");
  const PrecisionMap map = resolve_precision_map(spec, net);
  const auto& conv1 = map.at(*net.find("conv1"));
  CHECK(conv1.weight_scale == WeightScale::kMse);
  CHECK(conv1.cluster_elements(net.layer(*net.find("conv1"))) == 0);
  const int id = *net.find("layer1.0.conv1");
  const auto& l1 = map.at(id);
  CHECK(l1.weight_scale == WeightScale::kTwn);
  CHECK(l1.cluster_unit == ClusterUnit::kWeights);
  CHECK(l1.cluster_elements(net.layer(id)) == 8);
  CHECK(granularity_name(l1.granularity, l1.cluster_size, l1.cluster_unit) == "cluster:8 weights");
  LayerPrecision filters = l1;
  filters.cluster_unit = ClusterUnit::kFilters;
  CHECK(filters.cluster_elements(net.layer(id)) == 72);  // 8 filters x 3 x 3

  CHECK_THROWS_WITH_AS(parse_precision_map("[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                                           "weight_scale = \"entropy\"\n",
                                           "bad.toml"),
                       doctest::Contains("bad.toml:4"), UserError);
  CHECK_THROWS_WITH_AS(parse_precision_map("[default]\nweight = \"int8\"\nactivation = \"int8\"\n"
                                           "cluster_of = \"rows\"\n",
                                           "bad.toml"),
                       doctest::Contains("bad.toml:4:14: key 'default.cluster_of': unknown cluster "
                                         "unit 'rows'; valid: filters, weights"),
                       UserError);
  // twn is the ternary rule only.
  CHECK_THROWS_WITH_AS(
      resolve_precision_map(
          parse_precision_map(
              "[default]\nweight = \"int4\"\nactivation = \"int8\"\nweight_scale = \"twn\"\n",
              "twn.toml"),
          net),
      doctest::Contains("twn"), UserError);
}
