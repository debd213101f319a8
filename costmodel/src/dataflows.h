// The dataflow objects (private to costmodel/src): one file each, listed in dataflow_common.cpp.
#pragma once

#include "costmodel/dataflow.h"

namespace mpsim {

const DataflowModel& weight_stationary();  // dataflow_ws.cpp
const DataflowModel& output_stationary();  // dataflow_os.cpp
const DataflowModel& input_stationary();   // dataflow_is.cpp
const DataflowModel& row_stationary();     // dataflow_rs.cpp

}  // namespace mpsim
