#include "workloads/quantizer_groups.h"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>
#include <map>

#include "formats/error.h"

namespace mpsim {

namespace {

// Per-element ops that hardware fuses into the producer's output stage, so their output keeps
// the producer's quantizer.
bool is_fused_elementwise(const Layer& l) {
  if (l.op == Op::kBatchNorm) return true;
  if (l.op != Op::kUnary) return false;
  switch (l.unary) {
    case UnaryOp::kRelu:
    case UnaryOp::kRelu6:
    case UnaryOp::kClip:
      return true;
    case UnaryOp::kGelu:
    case UnaryOp::kSilu:
    case UnaryOp::kSigmoid:
    case UnaryOp::kHardSwish:
    case UnaryOp::kHardSigmoid:
    case UnaryOp::kTanh:
    case UnaryOp::kErf:
    case UnaryOp::kSqrt:
    case UnaryOp::kExp:
    case UnaryOp::kNeg:
    case UnaryOp::kReciprocal:
    case UnaryOp::kAbs:
      return false;
  }
  return false;  // not reached: the switch covers every UnaryOp
}

// Ops that combine their inputs in one number domain, so the inputs share a format.
bool joins_inputs(const Layer& l) {
  if (l.op == Op::kConcat) return true;
  if (l.op != Op::kEltwise) return false;
  switch (l.binary) {
    case BinaryOp::kAdd:
    case BinaryOp::kSub:
    case BinaryOp::kMax:
    case BinaryOp::kMin:
      return true;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kPow:
      return false;
  }
  return false;  // not reached: the switch covers every BinaryOp
}

std::string member_name(const Network& net, const GroupMember& m) {
  const Layer& l = net.layer(m.layer);
  if (l.op != Op::kMatMul) return printable(l.name);
  return printable(l.name) + (m.operand == 0 ? " (first operand)" : " (second operand)");
}

}  // namespace

std::vector<QuantizerGroup> quantizer_groups(const Network& net) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  const auto n = net.size();
  Graph g(n);
  std::vector<std::vector<int>> joins_of(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Layer& l = net.layer(static_cast<int>(i));
    if (l.inputs.empty()) continue;
    // A concat only places its inputs side by side, so its output is in their group too.
    if (is_data_movement(l.op) || is_fused_elementwise(l) || l.op == Op::kConcat)
      boost::add_edge(i, static_cast<std::size_t>(l.inputs[0]), g);
    if (joins_inputs(l)) {
      for (std::size_t k = 1; k < l.inputs.size(); ++k)
        boost::add_edge(static_cast<std::size_t>(l.inputs[0]),
                        static_cast<std::size_t>(l.inputs[k]), g);
      joins_of[static_cast<std::size_t>(l.inputs[0])].push_back(static_cast<int>(i));
    }
  }
  std::vector<int> component(n);
  boost::connected_components(g, component.data());

  std::map<int, QuantizerGroup> by_component;
  for (std::size_t i = 0; i < n; ++i) {
    auto& grp = by_component[component[i]];
    grp.tensors.push_back(static_cast<int>(i));
    for (int j : joins_of[i])
      grp.joins.push_back(j);
  }
  for (int id : net.mac_layers()) {
    const Layer& l = net.layer(id);
    const int operands = l.op == Op::kMatMul ? 2 : 1;
    for (int k = 0; k < operands; ++k)
      by_component[component[static_cast<std::size_t>(l.inputs[static_cast<std::size_t>(k)])]]
          .members.push_back({id, k});
  }

  std::vector<QuantizerGroup> out;
  for (auto& [c, grp] : by_component) {
    if (grp.members.size() < 2) continue;
    std::sort(grp.joins.begin(), grp.joins.end());
    out.push_back(std::move(grp));
  }
  std::sort(out.begin(), out.end(), [](const QuantizerGroup& a, const QuantizerGroup& b) {
    return a.members.front().layer < b.members.front().layer;
  });
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i].id = static_cast<int>(i);
  return out;
}

const Format& member_format(const PrecisionMap& map, const GroupMember& m) {
  const auto& p = map.at(m.layer);
  return m.operand == 0 ? p.activation : p.weight;
}

std::vector<GroupConflict> find_group_conflicts(const Network& net, const PrecisionMap& map,
                                                const std::vector<QuantizerGroup>& groups) {
  std::vector<GroupConflict> out;
  for (const auto& g : groups) {
    const Format& first = member_format(map, g.members.front());
    const bool differs = std::any_of(g.members.begin(), g.members.end(), [&](const auto& m) {
      return !(member_format(map, m) == first);
    });
    if (!differs) continue;
    std::vector<std::string> parts;
    for (const auto& m : g.members)
      parts.push_back(member_name(net, m) + " " + member_format(map, m).name());
    std::string why;
    if (!g.joins.empty()) {
      std::vector<std::string> j;
      for (int id : g.joins)
        j.push_back(op_name(net.layer(id)) + " '" + net.layer(id).name + "'");
      why = "; joined by " + join(j);
    } else {
      why = "; they read the same tensor";
    }
    out.push_back({g.id, "quantizer group " + std::to_string(g.id) +
                             " must share one activation format but has " + join(parts) + why});
  }
  return out;
}

int set_group_format(PrecisionMap& map, const QuantizerGroup& group, const Format& format) {
  int changed = 0;
  for (const auto& m : group.members) {
    if (member_format(map, m) == format) continue;
    LayerPrecision p = map.at(m.layer);
    (m.operand == 0 ? p.activation : p.weight) = format;
    map.set(m.layer, p);
    ++changed;
  }
  return changed;
}

int resolve_groups_to_wider(const Network& net, PrecisionMap& map,
                            const std::vector<QuantizerGroup>& groups) {
  int changed = 0;
  for (const auto& g : groups) {
    // The first member with the most bits; the message names it and the one that ties with it.
    const GroupMember* widest = &g.members.front();
    for (const auto& m : g.members)
      if (member_format(map, m).bits() > member_format(map, *widest).bits()) widest = &m;
    const Format target = member_format(map, *widest);
    for (const auto& m : g.members) {
      const Format& f = member_format(map, m);
      if (f.bits() == target.bits() && !(f == target))
        throw UserError("quantizer group " + std::to_string(g.id) +
                        ": cannot choose the wider of " + target.name() + " and " + f.name() +
                        " (both " + std::to_string(f.bits()) + " bits; layer " +
                        member_name(net, *widest) + " reads " + target.name() + ", layer " +
                        member_name(net, m) + " reads " + f.name() +
                        "); set one format for the group in the map");
    }
    changed += set_group_format(map, g, target);
  }
  return changed;
}

}  // namespace mpsim
