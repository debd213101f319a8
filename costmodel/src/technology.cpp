// Technology scaling relative to 45 nm at 0.9 V (docs/costmodel.md, "Technology scaling").
#include "costmodel/technology.h"

#include <array>
#include <cmath>
#include <sstream>
#include <string>

#include "costmodel/src/mac_model_cells.h"
#include "formats/error.h"

namespace mpsim {

namespace {

// Stillmaker & Baas (Integration 2017) scaling factors relative to 45 nm, as tabulated by
// Accelergy: area, and dynamic energy with every node at one common supply (0.8 V).
struct NodeFactors {
  int node_nm;
  double area;
  double energy;
};
constexpr std::array<NodeFactors, 10> kStillmakerBaas = {{
    {130, 6.4, 3.07},
    {90, 2.8, 1.90},
    {65, 1.5, 1.24},
    {45, 1.0, 1.0},
    {32, 0.46, 0.66},
    {20, 0.21, 0.22},
    {16, 0.19, 0.17},
    {14, 0.17, 0.14},
    {10, 0.10, 0.12},
    {7, 0.059, 0.094},
}};

// The nodes we accept, with the nominal core supply each defaults to. 45 nm is Horowitz's
// 0.9 V so that the base energies need no correction; the others are typical published core
// supplies of those generations (our assumption, see the doc). 28, 22 and 5 nm are not in the
// table: their factors are our own log-log interpolation/extrapolation.
struct Node {
  int node_nm;
  double nominal_vdd_v;
};
constexpr std::array<Node, 13> kNodes = {{
    {130, 1.2},
    {90, 1.0},
    {65, 1.0},
    {45, 0.9},
    {32, 0.9},
    {28, 0.9},
    {22, 0.8},
    {20, 0.8},
    {16, 0.8},
    {14, 0.8},
    {10, 0.75},
    {7, 0.75},
    {5, 0.7},
}};

const Node* find_node(int node_nm) {
  for (const auto& n : kNodes)
    if (n.node_nm == node_nm) return &n;
  return nullptr;
}

std::string supported_text() {
  std::string out;
  for (const auto& n : kNodes) {
    if (!out.empty()) out += ", ";
    out += std::to_string(n.node_nm);
  }
  return out + " nm";
}

// Log-log interpolation between the bracketing table nodes; below the smallest table node the
// last segment's slope is extended. Factors fall as power laws of the feature size over a
// segment, hence interpolating straight lines in log-log rather than linearly.
NodeFactors factors_for(int node_nm) {
  for (const auto& f : kStillmakerBaas)
    if (f.node_nm == node_nm) return f;
  std::size_t hi = 0;  // index of the larger node of the segment used
  while (hi + 2 < kStillmakerBaas.size() && kStillmakerBaas[hi + 1].node_nm > node_nm)
    ++hi;
  const NodeFactors& a = kStillmakerBaas[hi];
  const NodeFactors& b = kStillmakerBaas[hi + 1];
  const double t = std::log(static_cast<double>(node_nm) / a.node_nm) /
                   std::log(static_cast<double>(b.node_nm) / a.node_nm);
  auto interp = [t](double ya, double yb) { return ya * std::pow(yb / ya, t); };
  return {node_nm, interp(a.area, b.area), interp(a.energy, b.energy)};
}

// CACTI 7 (HewlettPackard/cacti 1ffd8df) at 45 nm with Bit Fusion's SRAM settings
// (hsharma35/bitfusion sram/default.json: 1R1W, 32-bit port), 16 KiB array: subthreshold plus
// gate leakage in mW, for each device at 300 K and 360 K (our runs; docs/costmodel.md). The
// basis of the SRAM table, itrs-hp at 360 K, leaks 27.127 + 0.7852 mW there.
struct DeviceLeakage {
  Device device;
  double at300_mw;
  double at360_mw;
};
constexpr double kHp360Mw = 27.127 + 0.7852;
constexpr std::array<DeviceLeakage, 3> kCactiLeakage16KiB = {{
    {Device::kHighPerformance, 11.831 + 0.7852, 27.127 + 0.7852},
    {Device::kLowOperatingPower, 0.11997 + 0.5144, 0.37805 + 1.559},
    {Device::kLowStandbyPower, 0.00047597 + 0.000239, 0.0061263 + 0.000239},
}};
constexpr double kMinTemperatureK = 300, kMaxTemperatureK = 360;

}  // namespace

double device_leakage_factor(Device device, double temperature_k) {
  if (!(temperature_k >= kMinTemperatureK && temperature_k <= kMaxTemperatureK)) {
    std::ostringstream msg;
    msg << "technology temperature_k " << temperature_k << " K is outside the modelled range "
        << kMinTemperatureK << ".." << kMaxTemperatureK << " K";
    throw UserError(msg.str());
  }
  for (const auto& d : kCactiLeakage16KiB) {
    if (d.device != device) continue;
    // Leakage grows about exponentially with temperature: interpolate in log space.
    const double t = (temperature_k - kMinTemperatureK) / (kMaxTemperatureK - kMinTemperatureK);
    return d.at300_mw * std::pow(d.at360_mw / d.at300_mw, t) / kHp360Mw;
  }
  return 1.0;
}

std::vector<int> supported_nodes_nm() {
  std::vector<int> out;
  for (const auto& n : kNodes)
    out.push_back(n.node_nm);
  return out;
}

double nominal_vdd_v(int node_nm) {
  const Node* n = find_node(node_nm);
  if (n == nullptr)
    throw UserError("technology node " + std::to_string(node_nm) +
                    " nm is not supported; supported nodes: " + supported_text());
  return n->nominal_vdd_v;
}

TechnologyScale technology_scale(const TechnologySpec& t) {
  const double nominal = nominal_vdd_v(t.node_nm);
  if (t.vdd_v < 0 || !std::isfinite(t.vdd_v))
    throw UserError("technology vdd must be a positive voltage (0 = the node's nominal " +
                    number_text(nominal) + " V)");
  const double vdd = t.vdd_v == 0 ? nominal : t.vdd_v;
  // Outside this band the CV^2 and linear-leakage rules below stop being credible (near- and
  // sub-threshold operation, or overdrive).
  if (vdd < 0.5 * nominal || vdd > 1.5 * nominal) {
    std::ostringstream msg;
    msg << "technology vdd " << vdd << " V is outside the modelled range " << 0.5 * nominal << ".."
        << 1.5 * nominal << " V for " << t.node_nm << " nm (0.5 to 1.5 x nominal " << nominal
        << " V)";
    throw UserError(msg.str());
  }
  const NodeFactors f = factors_for(t.node_nm);
  TechnologyScale s;
  s.area = f.area;
  // The table compares nodes at one common supply, so it carries the capacitance change only;
  // the supply enters as CV^2 relative to the 0.9 V of the base energies. At a node's nominal
  // supply this gives table x (V_nom / 0.9 V)^2, which is 1 at 45 nm.
  const double v = vdd / cells::kBaseVddV;
  s.energy = f.energy * v * v;
  s.wire_energy = v * v;
  // Assumption: leakage power per unit area is node-independent and grows linearly with the
  // supply (leakage current roughly constant per area, times V).
  s.leakage = f.area * v;
  // One device and temperature for logic and SRAM: the SRAM fit's basis is itrs-hp at 360 K;
  // the logic density's basis, NanGate's typical corner at 25 C, is taken as itrs-hp at 300 K
  // (our assumption), so both move by CACTI's factors for the chosen device and temperature.
  const double device = device_leakage_factor(t.device, t.temperature_k);
  s.sram_device = device;
  s.logic_device = device / device_leakage_factor(Device::kHighPerformance, kMinTemperatureK);
  return s;
}

}  // namespace mpsim
