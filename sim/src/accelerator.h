// The SystemC modules of the accelerator (private to sim/). One Accelerator is elaborated per
// process; each simulation hands it a job (the tiles of every layer of a network).
//
//   Controller.loader --TLM read--> Dram <--TLM write-- Controller.writer
//     |  fills Buffers                                 ^  reads Buffers
//     +--sc_fifo<Tile>--> MacArray --sc_fifo<Tile>-----+
//     <----------- credits (2 tile buffers) ---+
//                          reads and writes Buffers
//
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

// An on-chip buffer: all its banks together move width x banks bits per cycle, and accesses
// (fills from DRAM, the array's reads and partial sums, reads for stores) queue for its ports.
// The modules that touch it call access(); the behaviour is this plain class's.
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

struct Buffer : sc_core::sc_module {
  explicit Buffer(sc_core::sc_module_name name) : sc_module(name) {}
  BufferPorts ports;
};

inline constexpr int kBufferModules = 4;  // the most buffers a config may have

// What the modules share for the current job: the job, and which buffer holds each operand.
struct JobContext {
  Job* job = nullptr;
  Buffer* buffers[kBufferModules] = {};
  int buffer_of[3] = {-1, -1, -1};  // by Operand

  // Cycles until `bits[o]` have moved through the buffer of each operand o (the longest).
  double use_buffers(double now, const double (&bits)[3]);
};

double now_cycles();  // the simulated time in array cycles (the resolution is 1 ps)

// The MAC array: computes each tile for its cycles (or longer, if the buffers' ports cannot keep
// up), counts MACs, register-file accesses and buffer reads, returns the tile's buffer credit.
struct MacArray : sc_core::sc_module {
  SC_HAS_PROCESS(MacArray);
  MacArray(sc_core::sc_module_name name, JobContext& context);

  sc_core::sc_fifo_in<Tile> tiles_in{"tiles_in"};
  sc_core::sc_fifo_out<Tile> tiles_out{"tiles_out"};
  sc_core::sc_fifo_out<int> credits_out{"credits_out"};

 private:
  void run();
  JobContext& ctx_;
};

// The controller: a loader thread that takes a buffer credit per tile (double buffering), loads
// the tile's operands from DRAM into the buffers and hands it to the array; a writer thread that
// stores each computed tile's outputs. Layers run one after another.
struct Controller : sc_core::sc_module {
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, JobContext& context);

  tlm_utils::simple_initiator_socket<Controller> load_socket{"load_socket"};
  tlm_utils::simple_initiator_socket<Controller> store_socket{"store_socket"};
  sc_core::sc_fifo_out<Tile> to_array{"to_array"};
  sc_core::sc_fifo_in<Tile> from_array{"from_array"};
  sc_core::sc_fifo_in<int> credits_in{"credits_in"};

  sc_core::sc_event start;  // a job is ready
  bool job_started = false;

 private:
  void loader();
  void writer();
  void transfer(tlm_utils::simple_initiator_socket<Controller>& socket, tlm::tlm_command cmd,
                double bits);
  JobContext& ctx_;
  sc_core::sc_event layer_done_;  // the writer stored a layer's last tile
};

// The whole accelerator, elaborated once per process.
struct Accelerator : sc_core::sc_module {
  explicit Accelerator(sc_core::sc_module_name name);

  JobContext context;
  Dram dram{"dram"};
  Buffer buffer0{"buffer0"}, buffer1{"buffer1"}, buffer2{"buffer2"}, buffer3{"buffer3"};
  MacArray array{"array", context};
  Controller controller{"controller", context};

 private:
  sc_core::sc_fifo<Tile> to_array_{"to_array", 1};
  sc_core::sc_fifo<Tile> to_writer_{"to_writer", 4};
  sc_core::sc_fifo<int> credits_{"credits", 2};
};

}  // namespace mpsim::sim
