// The keys a hardware config may hold, as data (workloads/config_schema.h): the reader checks
// every table against it (type, range, an unknown key is an error with a "did you mean"), --set
// resolves its dotted paths through it, and docs/hardware.md holds its table (`mpsim hw keys`).
// Private to costmodel/.
#pragma once

#include "workloads/config_schema.h"

namespace mpsim::hwcfg {

using config::child_path;
using config::KeySchema;
using config::TableSchema;
using config::ValueType;

const TableSchema& root_schema();

}  // namespace mpsim::hwcfg
