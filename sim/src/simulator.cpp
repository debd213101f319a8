// The process-wide SystemC kernel behind simulate_network().
#include "sim/simulator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>

#include "formats/error.h"
#include "sim/src/accelerator.h"
#include "sim/src/sanitizer_stack.h"

// libsystemc refers to sc_main (its own main() calls it), so loading the library with every
// symbol bound at once, as Python does for an extension module, needs one. mpsim never calls it.
// Weak, so that a program that embeds mpsim in its own SystemC model keeps its sc_main.
__attribute__((weak)) int sc_main(int, char*[]) {
  return 0;
}

namespace mpsim {

namespace {

constexpr int kMaxTilesPerLayer = 256;

std::atomic<int> g_runs = 0;

// One SystemC kernel per process, not safe to enter from two threads at once: every simulation
// holds this lock (a Python program may call from several threads with the GIL released).
std::mutex g_kernel;

sim::Accelerator& accelerator() {
  static std::unique_ptr<sim::Accelerator> top = [] {
    // No banner to silence: libsystemc prints it only from sc_elab_and_sim(), the path of its
    // own main(), which mpsim never takes; so the process's environment is left alone.
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    return std::make_unique<sim::Accelerator>("accelerator");
  }();
  return *top;
}

}  // namespace

int simulations_run() {
  return g_runs;
}

NetworkCost simulate_network(const Network& net, const PrecisionMap& map, const HardwareModel& hw) {
  const HardwareSpec& spec = hw.spec();
  bool rf_holds[3];
  for (int o = 0; o < 3; ++o)
    rf_holds[o] = hw.register_file_for(static_cast<Operand>(o)) >= 0;

  // A tile's loads must fit half of the buffers they go to (double buffering).
  double budget = HUGE_VAL;
  for (Operand o : {Operand::kWeight, Operand::kInput}) {
    const int b = hw.buffer_for(o);
    if (b < 0) continue;
    const auto& mem = hw.buffers()[static_cast<std::size_t>(b)];
    budget = std::min(
        budget, static_cast<double>(mem.capacity_bits) / static_cast<double>(mem.holds.size()) / 2);
  }

  // Plan every layer before simulating, so that a bad layer stops the run before it starts.
  const auto outs = output_formats(net, map);
  std::vector<int> ids;
  std::vector<LayerSchedule> schedules;
  sim::Job job;
  for (int id : net.mac_layers()) {
    const Layer& l = net.layer(id);
    try {
      schedules.push_back(layer_schedule(l, map.at(id), hw, outs[static_cast<std::size_t>(id)]));
    } catch (const UserError& e) {
      throw UserError("layer '" + l.name + "': " + e.what());
    }
    job.layers.push_back(sim::plan_tiles(schedules.back(), spec.array.rows, spec.array.cols,
                                         rf_holds, static_cast<int>(ids.size()), budget,
                                         kMaxTilesPerLayer));
    ids.push_back(id);
  }
  job.records.resize(job.layers.size());

  const std::lock_guard<std::mutex> lock(g_kernel);
  sim::Accelerator& acc = accelerator();
  const double t0 = sc_core::sc_time_stamp().to_double() / 1000.0;
  acc.dram.bits_per_cycle = spec.ideal_memory() ? 0.0 : hw.dram_bits_per_cycle();
  acc.dram.latency_cycles = spec.ideal_memory() ? 0.0 : hw.dram().latency_ns * 1e-9 * hw.clock_hz();
  acc.dram.busy_until = t0;
  // Buffer ports: width x banks bits per cycle; with ideal memory every level keeps up with
  // the array, as in SCALE-Sim's CALC mode.
  for (std::size_t b = 0; b < static_cast<std::size_t>(sim::kBufferModules); ++b) {
    auto& ports = acc.context.buffers[b]->ports;
    ports.bits_per_cycle = 0;
    ports.busy_until = t0;
    if (b < hw.buffers().size() && !spec.ideal_memory())
      ports.bits_per_cycle =
          static_cast<double>(hw.buffers()[b].width_bits) * spec.buffers[b].banks;
  }
  for (int o = 0; o < 3; ++o)
    acc.context.buffer_of[o] = hw.buffer_for(static_cast<Operand>(o));
  acc.context.job = &job;
  acc.controller.job_started = false;
  acc.controller.start.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  sim::restore_sanitizer_stack_bounds();
  acc.context.job = nullptr;
  ++g_runs;

  NetworkCost nc;
  nc.area_mm2 = hw.area().total_mm2;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Layer& l = net.layer(ids[i]);
    const LayerSchedule& s = schedules[i];
    const sim::LayerRecord& r = job.records[i];
    LayerCost c = layer_cost_shell(l, map.at(ids[i]), s);
    c.compute_cycles = r.stream_cycles;
    c.fill_drain_cycles = r.fill_drain_cycles;
    // Whole cycles: the layer ends in the cycle its last store completes.
    c.total_cycles = static_cast<std::int64_t>(std::ceil(r.end_cycle - r.start_cycle - 1e-6));
    c.stall_cycles =
        std::max<std::int64_t>(0, c.total_cycles - c.compute_cycles - c.fill_drain_cycles);
    c.traffic = r.events;
    price_layer(c, s, hw);

    nc.append(ids[i], std::move(c), hw.pes());
  }
  return nc;
}

}  // namespace mpsim
