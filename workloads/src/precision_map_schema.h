// The keys of a precision map file, as data (workloads/config_schema.h). Private to workloads/.
#pragma once

#include "workloads/config_schema.h"

namespace mpsim {

const config::TableSchema& precision_map_schema();

}  // namespace mpsim
