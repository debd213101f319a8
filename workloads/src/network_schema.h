// The keys of a network file, as data (workloads/config_schema.h): the top level, [[input]],
// the keys every [[layer]] takes and those of each op. Private to workloads/.
#pragma once

#include <string>
#include <vector>

#include "workloads/config_schema.h"
#include "workloads/network.h"

namespace mpsim {

const config::TableSchema& network_schema();
// Every key a layer of `op` takes: the common ones and the op's own.
const config::TableSchema& layer_schema(const OpKind& op);

// The ops sharing one set of keys, for the docs.
struct OpKeys {
  std::vector<std::string> ops;  // "maxpool", "avgpool"
  config::TableSchema keys;      // the op's own keys, without the common ones
};
const std::vector<OpKeys>& op_key_groups();

}  // namespace mpsim
