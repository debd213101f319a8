#include "sim/src/accelerator.h"

#include <algorithm>

namespace mpsim::sim {

using sc_core::SC_NS;
using sc_core::sc_time;

Dram::Dram(sc_core::sc_module_name name) : sc_module(name) {
  read_port.register_b_transport(this, &Dram::transport);
  write_port.register_b_transport(this, &Dram::transport);
}

void Dram::transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  BitsExtension* ext = nullptr;
  gp.get_extension(ext);
  const double bits = ext ? ext->bits : 8.0 * gp.get_data_length();
  bits_moved += bits;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
  if (bits_per_cycle <= 0) return;  // ideal memory: no time
  const double now = (sc_core::sc_time_stamp() + delay).to_double() / 1000.0;  // ps -> cycles
  const double begin = std::max(now, busy_until);
  busy_until = begin + bits / bits_per_cycle;
  delay += sc_time(busy_until - now + latency_cycles, SC_NS);
}

Accelerator::Accelerator(sc_core::sc_module_name name) : sc_module(name) {
  load_socket.bind(dram.read_port);
  store_socket.bind(dram.write_port);
  SC_THREAD(loader);
  SC_THREAD(array);
  SC_THREAD(writer);
}

double Accelerator::now_cycles() const {
  return sc_core::sc_time_stamp().to_double() / 1000.0;  // the resolution is 1 ps
}

void Accelerator::transfer(tlm_utils::simple_initiator_socket<Accelerator>& socket,
                           tlm::tlm_command cmd, double bits) {
  if (bits <= 0) return;
  tlm::tlm_generic_payload gp;
  BitsExtension ext;
  ext.bits = bits;
  gp.set_command(cmd);
  gp.set_address(0);
  gp.set_data_ptr(nullptr);
  gp.set_data_length(0);
  gp.set_extension(&ext);
  sc_time delay = sc_core::SC_ZERO_TIME;
  socket->b_transport(gp, delay);
  gp.clear_extension(&ext);
  if (delay > sc_core::SC_ZERO_TIME) wait(delay);
}

void Accelerator::use_buffers(const double (&bits)[3]) {
  const double now = now_cycles();
  double longest = 0;
  for (int o = 0; o < 3; ++o)
    if (buffer_of[o] >= 0)
      longest =
          std::max(longest, buffers[static_cast<std::size_t>(buffer_of[o])].access(now, bits[o]));
  if (longest > 0) wait(sc_time(longest, SC_NS));
}

void Accelerator::loader() {
  for (int i = 0; i < 2; ++i)
    credits.write(1);  // two tile buffers
  for (;;) {
    // A job set before the first sc_start() is already there when this thread first runs; a
    // later one is announced by `start` while this thread waits for it.
    while (!job || job_started)
      wait(start);
    job_started = true;
    for (std::size_t l = 0; l < job->layers.size(); ++l) {
      job->records[l].start_cycle = now_cycles();
      for (const Tile& t : job->layers[l]) {
        credits.read();
        for (int o = 0; o < 2; ++o) {  // weights and inputs come in
          const auto& e = t.events[static_cast<std::size_t>(o)];
          auto& r = job->records[l].events[static_cast<std::size_t>(o)];
          r.dram_bits += e.dram_bits;
          r.buffer_write_bits += e.buffer_write_bits;
        }
        transfer(load_socket, tlm::TLM_READ_COMMAND, t.load_bits());
        // The loaded operands are written into their buffers.
        use_buffers({t.events[0].buffer_write_bits, t.events[1].buffer_write_bits, 0.0});
        to_array.write(t);
      }
      wait(layer_done);  // the next layer reads this one's outputs
    }
  }
}

void Accelerator::array() {
  for (;;) {
    const Tile t = to_array.read();
    LayerRecord& r = job->records[static_cast<std::size_t>(t.layer)];
    // The array streams operands out of the buffers and partial sums back into them; it takes
    // the longer of its compute and what the buffers' ports need. (The outputs' last read, for
    // the store to DRAM, is the writer's.)
    const double now = now_cycles();
    const double out_bits = t.events[2].buffer_write_bits +
                            std::max(0.0, t.events[2].buffer_read_bits - t.store_bits());
    double ports = 0;
    const double bits[3] = {t.events[0].buffer_read_bits, t.events[1].buffer_read_bits, out_bits};
    for (int o = 0; o < 3; ++o)
      if (buffer_of[o] >= 0)
        ports =
            std::max(ports, buffers[static_cast<std::size_t>(buffer_of[o])].access(now, bits[o]));
    const double compute = static_cast<double>(t.stream_cycles + t.fill_drain_cycles);
    wait(sc_time(std::max(compute, ports), SC_NS));
    r.stream_cycles += t.stream_cycles;
    r.fill_drain_cycles += t.fill_drain_cycles;
    r.macs += t.macs;
    for (std::size_t o = 0; o < 3; ++o) {
      r.events[o].buffer_read_bits += o < 2 ? t.events[o].buffer_read_bits : 0.0;
      r.events[o].rf_reads += t.events[o].rf_reads;
      r.events[o].rf_writes += t.events[o].rf_writes;
    }
    credits.write(1);  // its buffer is free for the next load
    to_writer.write(t);
  }
}

void Accelerator::writer() {
  for (;;) {
    const Tile t = to_writer.read();
    LayerRecord& r = job->records[static_cast<std::size_t>(t.layer)];
    const auto& e = t.events[2];
    r.events[2].buffer_read_bits += e.buffer_read_bits;
    r.events[2].buffer_write_bits += e.buffer_write_bits;
    r.events[2].dram_bits += e.dram_bits;
    use_buffers({0.0, 0.0, t.store_bits()});
    transfer(store_socket, tlm::TLM_WRITE_COMMAND, t.store_bits());
    if (t.last) {
      r.end_cycle = now_cycles();
      layer_done.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

}  // namespace mpsim::sim
