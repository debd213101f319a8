// The SystemC modules of the accelerator (private to sim/). One Accelerator is elaborated per
// process; each run() hands it a job (the tiles of every layer of a network) and simulates it.
//
//   Loader --tlm read--> Dram <--tlm write-- Writer
//     |                                        ^
//     +--sc_fifo<Tile>--> MacArray --sc_fifo---+
//
// The loader takes one of two buffer credits per tile (double buffering), loads the tile's
// operands from DRAM and passes it to the array; the array computes for the tile's cycles,
// returns the credit and passes it to the writer, which stores the outputs. Layers run one
// after another: the loader starts a layer when the writer has stored the previous one.
// Time: one SystemC nanosecond is one array clock cycle.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>
#include <vector>

#include "sim/src/tiles.h"

namespace mpsim::sim {

// What the modules count while a job runs, per layer.
struct LayerRecord {
  double start_cycle = 0;
  double end_cycle = 0;
  std::int64_t stream_cycles = 0;
  std::int64_t fill_drain_cycles = 0;
  double macs = 0;
  std::array<OperandTraffic, 3> events{};
};

struct Job {
  std::vector<std::vector<Tile>> layers;  // tiles of each layer, in order
  std::vector<LayerRecord> records;       // filled by the modules
};

// Carries the exact (fractional) number of bits of a transfer.
struct BitsExtension : tlm::tlm_extension<BitsExtension> {
  double bits = 0;
  tlm::tlm_extension_base* clone() const override { return new BitsExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    bits = static_cast<const BitsExtension&>(other).bits;
  }
};

// DRAM: one channel shared by reads and writes; a transfer occupies it for bits / bandwidth
// and completes one access latency later (latency is pipelined, bandwidth is not).
struct Dram : sc_core::sc_module {
  tlm_utils::simple_target_socket<Dram> read_port{"read_port"};
  tlm_utils::simple_target_socket<Dram> write_port{"write_port"};
  double bits_per_cycle = 0;  // 0: ideal memory
  double latency_cycles = 0;
  double busy_until = 0;  // cycle the channel frees up
  double bits_moved = 0;

  explicit Dram(sc_core::sc_module_name name);
  void transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
};

// The ports of an on-chip buffer: all its banks together move width x banks bits per cycle, and
// accesses queue for them. Behaviour only; the threads that touch the buffer call it.
struct BufferPorts {
  double bits_per_cycle = 0;  // 0: ideal (accesses take no time)
  double busy_until = 0;      // cycle the ports free up
  // Cycles from `now` until `bits` have moved through the ports.
  double access(double now, double bits) {
    if (bits_per_cycle <= 0 || bits <= 0) return 0;
    const double begin = now > busy_until ? now : busy_until;
    busy_until = begin + bits / bits_per_cycle;
    return busy_until - now;
  }
};

struct Accelerator : sc_core::sc_module {
  SC_HAS_PROCESS(Accelerator);
  explicit Accelerator(sc_core::sc_module_name name);

  Dram dram{"dram"};
  tlm_utils::simple_initiator_socket<Accelerator> load_socket{"load_socket"};
  tlm_utils::simple_initiator_socket<Accelerator> store_socket{"store_socket"};
  sc_core::sc_fifo<Tile> to_array{"to_array", 1};
  sc_core::sc_fifo<Tile> to_writer{"to_writer", 4};
  sc_core::sc_fifo<int> credits{"credits", 2};
  sc_core::sc_event start;       // a job is ready
  sc_core::sc_event layer_done;  // the writer stored a layer's last tile

  Job* job = nullptr;
  bool job_started = false;
  std::vector<BufferPorts> buffers;  // by HardwareModel::buffers() index
  int buffer_of[3] = {-1, -1, -1};   // by Operand

 private:
  // Waits until `bits[o]` have moved through the buffer of each operand o.
  void use_buffers(const double (&bits)[3]);

  void loader();
  void array();
  void writer();
  void transfer(tlm_utils::simple_initiator_socket<Accelerator>& socket, tlm::tlm_command cmd,
                double bits);
  double now_cycles() const;
};

}  // namespace mpsim::sim
