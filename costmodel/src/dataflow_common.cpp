// The rules every dataflow shares, and the list of dataflows (costmodel/dataflow.h).
#include <algorithm>

#include "costmodel/dataflow.h"
#include "costmodel/layer_cost.h"
#include "costmodel/src/dataflows.h"

namespace mpsim {

void WorkUnit::add(const WorkUnit& o) {
  stream_cycles += o.stream_cycles;
  fill_drain_cycles += o.fill_drain_cycles;
  macs += o.macs;
  for (std::size_t i = 0; i < 3; ++i) {
    auto& a = events[i];
    const auto& b = o.events[i];
    a.dram_bits += b.dram_bits;
    a.buffer_read_bits += b.buffer_read_bits;
    a.buffer_write_bits += b.buffer_write_bits;
    a.rf_reads += b.rf_reads;
    a.rf_writes += b.rf_writes;
  }
}

WorkUnit unit_events(const UnitCounts& u, const LayerSchedule& s, const bool rf_holds[3]) {
  WorkUnit t;
  t.stream_cycles = u.stream_steps * s.cycles_per_step;
  t.fill_drain_cycles = u.fill_drain_steps * s.cycles_per_step;
  t.macs = u.macs;
  auto& w = t.events[static_cast<int>(Operand::kWeight)];
  auto& in = t.events[static_cast<int>(Operand::kInput)];
  auto& out = t.events[static_cast<int>(Operand::kOutput)];
  for (auto [moves, ev] : {std::pair{&u.weight, &w}, std::pair{&u.input, &in}}) {
    ev->buffer_read_bits = moves->buffer_read_bits;
    ev->dram_bits = moves->dram_bits;
    ev->buffer_write_bits = moves->dram_bits;  // what DRAM delivers is written into the buffer
    ev->rf_writes = moves->rf_writes;
    ev->rf_reads = u.macs;
  }
  // Partial sums at accumulator width; the last pass writes the output format, which is then
  // read once more to go to DRAM.
  out.buffer_write_bits = (u.psum_writes - u.out_elems) * s.accb + u.out_elems * s.ob;
  out.buffer_read_bits = u.psum_reads * s.accb + u.out_elems * s.ob;
  out.dram_bits = u.out_elems * s.ob + (s.psum_spill ? 2.0 * u.psum_reads * s.accb : 0.0);
  // A PE sums its p products inside: the partial-sum file sees one access per PE cycle.
  out.rf_reads = out.rf_writes = u.macs / static_cast<double>(s.products_per_cycle);
  for (int o = 0; o < 3; ++o)
    if (!rf_holds[o]) t.events[static_cast<std::size_t>(o)].rf_reads = t.events[o].rf_writes = 0;
  return t;
}

const DataflowModel& dataflow_model(Dataflow d) {
  // The list of dataflows: one line each.
  static const DataflowModel* const models[] = {
      &weight_stationary(),
      &output_stationary(),
      &input_stationary(),
      &row_stationary(),
  };
  for (const DataflowModel* m : models)
    if (m->kind() == d) return *m;
  return weight_stationary();  // unreachable for a Dataflow value the parser produced
}

}  // namespace mpsim
