// Quantizer groups: tensors that must share one activation format.
//
// Derived from the graph after the Qualcomm mixed-precision algorithm (Pandey et al., 2023): a
// tensor and the tensors reached from it through data-movement ops (reshape, transpose, slice,
// gather, pad, pooling) and fused per-element ops (batchnorm, relu, relu6, clip) carry one
// quantizer; the inputs of an add, sub, max, min or concat are joined into one group, since the
// op combines them in one number domain (a concat's output stays in that group). Every MAC layer
// reading a tensor of the group is a member: all members must agree on the format of that operand.
#pragma once

#include <string>
#include <vector>

#include "workloads/network.h"
#include "workloads/precision_map.h"

namespace mpsim {

struct GroupMember {
  int layer = 0;    // a MAC layer
  int operand = 0;  // 0: its activation input; 1: a matmul's second operand (the map's `weight`)
  bool operator==(const GroupMember&) const = default;
};

struct QuantizerGroup {
  int id = 0;
  std::vector<int> tensors;          // ids of the nodes whose outputs form the group
  std::vector<GroupMember> members;  // MAC operands reading the group
  std::vector<int> joins;            // add/concat/... nodes that joined tensors into this group
};

// The groups with at least two members, in order of their first member.
std::vector<QuantizerGroup> quantizer_groups(const Network& net);

// The format a member's operand has under a map.
const Format& member_format(const PrecisionMap& map, const GroupMember& m);

struct GroupConflict {
  int group = 0;
  std::string message;  // names every member and its format
};

std::vector<GroupConflict> find_group_conflicts(const Network& net, const PrecisionMap& map,
                                                const std::vector<QuantizerGroup>& groups);

// Sets the operand every member of `group` reads to `format`; returns how many changed.
int set_group_format(PrecisionMap& map, const QuantizerGroup& group, const Format& format);

// Sets every member of a conflicting group to the group's widest format (most bits). Throws
// UserError when two different formats of equal width tie (e.g. int8 and fp8_e4m3), naming them.
// Returns the number of operands changed.
int resolve_groups_to_wider(const Network& net, PrecisionMap& map,
                            const std::vector<QuantizerGroup>& groups);

}  // namespace mpsim
