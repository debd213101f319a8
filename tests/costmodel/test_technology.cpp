// Technology scaling: the base node, Stillmaker-Baas table points, interpolation, supply scaling,
// monotonicity and the errors for unsupported nodes and supplies.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "costmodel/technology.h"
#include "formats/error.h"

using mpsim::TechnologyScale;
using mpsim::TechnologySpec;

namespace {

TechnologyScale at(int node, double vdd = 0) {
  return mpsim::technology_scale(TechnologySpec{node, vdd});
}

}  // namespace

TEST_CASE("technology: 45 nm at its nominal 0.9 V is the unit of every scale") {
  CHECK(mpsim::nominal_vdd_v(45) == doctest::Approx(0.9));
  for (double vdd : {0.0, 0.9}) {
    const auto s = at(45, vdd);
    CHECK(s.area == doctest::Approx(1.0));
    CHECK(s.energy == doctest::Approx(1.0));
    CHECK(s.leakage == doctest::Approx(1.0));
  }
}

TEST_CASE("technology: the nodes the brief requires are supported") {
  const auto nodes = mpsim::supported_nodes_nm();
  for (int n : {45, 28, 16, 7, 5})
    CHECK(std::find(nodes.begin(), nodes.end(), n) != nodes.end());
}

TEST_CASE("technology: Stillmaker-Baas table points are reproduced at the table's 0.9 V base") {
  // The table compares nodes at one supply; at 0.9 V our CV^2 factor is 1, leaving the table.
  CHECK(at(7, 0.9).area == doctest::Approx(0.059));
  CHECK(at(7, 0.9).energy == doctest::Approx(0.094));
  CHECK(at(16, 0.9).area == doctest::Approx(0.19));
  CHECK(at(16, 0.9).energy == doctest::Approx(0.17));
  CHECK(at(130, 0.9).energy == doctest::Approx(3.07));
}

TEST_CASE("technology: 28 and 22 nm interpolate in log-log between 32 and 20 nm, 5 nm extends") {
  const double t28 = std::log(28.0 / 32.0) / std::log(20.0 / 32.0);
  CHECK(at(28, 0.9).area == doctest::Approx(0.46 * std::pow(0.21 / 0.46, t28)));
  CHECK(at(28, 0.9).energy == doctest::Approx(0.66 * std::pow(0.22 / 0.66, t28)));
  for (int n : {28, 22}) {
    CHECK(at(n, 0.9).area < 0.46);
    CHECK(at(n, 0.9).area > 0.21);
  }
  const double t5 = std::log(5.0 / 10.0) / std::log(7.0 / 10.0);
  CHECK(at(5, 0.9).area == doctest::Approx(0.10 * std::pow(0.059 / 0.10, t5)));
  CHECK(at(5, 0.9).energy < 0.094);
}

TEST_CASE("technology: smaller nodes cost less energy, area and leakage at nominal supply") {
  auto nodes = mpsim::supported_nodes_nm();
  std::sort(nodes.begin(), nodes.end(), std::greater<int>());
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    CAPTURE(nodes[i]);
    const auto big = at(nodes[i - 1]);
    const auto small = at(nodes[i]);
    CHECK(small.area < big.area);
    CHECK(small.energy < big.energy);
    CHECK(small.leakage < big.leakage);
    CHECK(mpsim::nominal_vdd_v(nodes[i]) <= mpsim::nominal_vdd_v(nodes[i - 1]));
  }
}

TEST_CASE("technology: dynamic energy scales with the square of the supply, leakage linearly") {
  for (int node : {45, 28, 16, 7, 5}) {
    CAPTURE(node);
    const double v = mpsim::nominal_vdd_v(node);
    const auto nominal = at(node);
    const auto low = at(node, 0.8 * v);
    CHECK(low.energy / nominal.energy == doctest::Approx(0.64));
    CHECK(low.leakage / nominal.leakage == doctest::Approx(0.8));
    CHECK(low.area == doctest::Approx(nominal.area));
  }
  // The default supply is the node's nominal one.
  CHECK(at(7, 0).energy == doctest::Approx(at(7, mpsim::nominal_vdd_v(7)).energy));
  // At a nominal supply below 0.9 V the node factor includes the lower supply.
  CHECK(at(7).energy == doctest::Approx(0.094 * std::pow(0.75 / 0.9, 2)));
}

TEST_CASE("technology: unsupported nodes and supplies are user errors") {
  CHECK_THROWS_AS(at(40), mpsim::UserError);
  CHECK_THROWS_AS(at(3), mpsim::UserError);
  CHECK_THROWS_AS(at(0), mpsim::UserError);
  CHECK_THROWS_AS(mpsim::nominal_vdd_v(12), mpsim::UserError);
  CHECK_THROWS_AS(at(45, 0.44), mpsim::UserError);  // below 0.5 x 0.9 V
  CHECK_THROWS_AS(at(45, 1.36), mpsim::UserError);  // above 1.5 x 0.9 V
  CHECK_THROWS_AS(at(45, -0.9), mpsim::UserError);
  CHECK_NOTHROW(at(45, 0.45));
  CHECK_NOTHROW(at(45, 1.35));
  try {
    at(40);
  } catch (const mpsim::UserError& e) {
    const std::string msg = e.what();
    CHECK(msg.find("40 nm") != std::string::npos);
    CHECK(msg.find("45") != std::string::npos);  // lists the supported nodes
  }
}

TEST_CASE("technology: device and temperature set leakage from CACTI's 45 nm devices") {
  using mpsim::Device;
  auto spec = [](Device d, double kelvin) {
    TechnologySpec t{45, 0};
    t.device = d;
    t.temperature_k = kelvin;
    return mpsim::technology_scale(t);
  };
  // The SRAM table's own basis, itrs-hp at 360 K (subthreshold and gate leakage).
  CHECK(spec(Device::kHighPerformance, 360).sram_device == doctest::Approx(1.0));
  // The logic density's basis, NanGate at 25 C, is itrs-hp at 300 K.
  CHECK(spec(Device::kHighPerformance, 300).logic_device == doctest::Approx(1.0));
  // Logic and SRAM move together: one device, one temperature.
  for (Device d : {Device::kHighPerformance, Device::kLowOperatingPower, Device::kLowStandbyPower})
    for (double kelvin : {300.0, 330.0, 360.0}) {
      const auto s = spec(d, kelvin);
      CHECK(s.logic_device / s.sram_device ==
            doctest::Approx(spec(Device::kHighPerformance, 300).logic_device /
                            spec(Device::kHighPerformance, 300).sram_device));
    }
  // Hotter leaks more; low-power devices leak less (CACTI: LOP 0.07x, LSTP 2e-4x of HP at 360 K).
  CHECK(spec(Device::kHighPerformance, 360).sram_device >
        2 * spec(Device::kHighPerformance, 300).sram_device);
  CHECK(spec(Device::kLowOperatingPower, 360).sram_device ==
        doctest::Approx((0.37805 + 1.559) / (27.127 + 0.7852)));
  CHECK(spec(Device::kLowStandbyPower, 360).sram_device <
        spec(Device::kLowOperatingPower, 360).sram_device / 100);
  const double mid = spec(Device::kHighPerformance, 330).sram_device;
  CHECK(mid > spec(Device::kHighPerformance, 300).sram_device);
  CHECK(mid < spec(Device::kHighPerformance, 360).sram_device);
  // Dynamic energy does not depend on the device or temperature (CACTI: temperature-free).
  CHECK(spec(Device::kLowStandbyPower, 300).energy == doctest::Approx(1.0));
  CHECK_THROWS_AS(mpsim::device_leakage_factor(Device::kHighPerformance, 400), mpsim::UserError);
  CHECK_THROWS_AS(mpsim::device_leakage_factor(Device::kHighPerformance, 290), mpsim::UserError);
}
