// A dataflow is one object (docs/layer-model.md, "Dataflows"): it decides a layer's fold
// geometry and cuts its loop nest into units (a column fold with its row folds for ws, one
// filter group of an output-row fold for rs, ...), each with the steps it streams and the data
// it moves. The closed form sums the units of a layer; the simulator groups them into tiles.
// Adding a dataflow is one file in costmodel/src/ plus one line in dataflow_models().
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "costmodel/hardware.h"

namespace mpsim {

struct LayerSchedule;  // layer_cost.h
struct FoldModel;      // layer_cost.h

// Bits one operand moves, summed over a unit, a tile or a layer.
struct OperandTraffic {
  double dram_bits = 0;          // read from (weights, inputs) or written to (outputs) DRAM
  double buffer_read_bits = 0;   // read from its on-chip buffer into the array
  double buffer_write_bits = 0;  // written into its buffer (fills from DRAM, partial sums)
  double rf_reads = 0;           // register-file accesses in the PEs
  double rf_writes = 0;
  double rf_accesses() const { return rf_reads + rf_writes; }
};

// What a dataflow decides for one unit of the loop nest: steps, products, and the moves of the
// two input operands and of the partial sums. Everything else follows from these (unit_events).
struct UnitCounts {
  std::int64_t stream_steps = 0;      // steps the array streams (cycles on a bit-parallel PE)
  std::int64_t fill_drain_steps = 0;  // pipeline fill and drain
  double macs = 0;
  struct Moves {
    double buffer_read_bits = 0;  // read from the buffer into the array
    double dram_bits = 0;         // read from DRAM (into the buffer)
    double rf_writes = 0;         // values written into PE register files
  } weight, input;
  double out_elems = 0;    // final outputs the unit produces
  double psum_writes = 0;  // partial-sum (and final output) writes to the output buffer
  double psum_reads = 0;   // partial-sum read-backs
};

// A unit as the memories see it: cycles and the events at every level.
struct WorkUnit {
  std::int64_t stream_cycles = 0;
  std::int64_t fill_drain_cycles = 0;
  double macs = 0;
  std::array<OperandTraffic, 3> events{};  // by Operand
  void add(const WorkUnit& o);
};

// The rules every dataflow shares: DRAM fills are written into their buffer once; partial sums
// move at accumulator width and the final outputs at the output format; weight and input
// register files are read once per product and the partial-sum file once per PE cycle; a
// register file the array lacks sees nothing; a bit-serial PE stretches every step.
WorkUnit unit_events(const UnitCounts& u, const LayerSchedule& s, const bool rf_holds[3]);

class DataflowModel {
 public:
  virtual ~DataflowModel() = default;
  virtual Dataflow kind() const = 0;
  // Fold geometry of one group: folds(), steps per fold and the fill/drain per fold.
  virtual FoldModel folds(const LayerSchedule& s, int rows, int cols) const = 0;
  // Bits of partial sums one unit keeps on chip between its passes; 0 when it never reads
  // partial sums back (then they need no room beyond the outputs).
  virtual double psum_tile_bits(const LayerSchedule& s, int rows, int cols) const = 0;
  // Units of the loop nest in one group, and unit `j`'s counts (first_of_group: j == 0).
  virtual std::int64_t units_per_group(const LayerSchedule& s) const = 0;
  // Whether partial sums that do not fit may be handled by splitting the streamed dimension
  // into chunks (systolic arrays); otherwise they spill to DRAM.
  virtual bool chunks_partial_sums() const { return true; }
  virtual UnitCounts unit(const LayerSchedule& s, std::int64_t j, int rows, int cols) const = 0;
};

const DataflowModel& dataflow_model(Dataflow d);

}  // namespace mpsim
