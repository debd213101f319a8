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

double now_cycles() {
  return sc_core::sc_time_stamp().to_double() / 1000.0;
}

double JobContext::use_buffers(double now, const double (&bits)[3]) {
  double longest = 0;
  for (int o = 0; o < 3; ++o)
    if (buffer_of[o] >= 0)
      longest = std::max(longest, buffers[buffer_of[o]]->ports.access(now, bits[o]));
  return longest;
}

Accelerator::Accelerator(sc_core::sc_module_name name) : sc_module(name) {
  context.buffers[0] = &buffer0;
  context.buffers[1] = &buffer1;
  context.buffers[2] = &buffer2;
  context.buffers[3] = &buffer3;
  controller.load_socket.bind(dram.read_port);
  controller.store_socket.bind(dram.write_port);
  controller.to_array(to_array_);
  array.tiles_in(to_array_);
  array.tiles_out(to_writer_);
  controller.from_array(to_writer_);
  array.credits_out(credits_);
  controller.credits_in(credits_);
}

MacArray::MacArray(sc_core::sc_module_name name, JobContext& context)
    : sc_module(name), ctx_(context) {
  SC_THREAD(run);
}

void MacArray::run() {
  for (int i = 0; i < 2; ++i)
    credits_out->write(1);  // two tile buffers: double buffering
  for (;;) {
    const Tile t = tiles_in->read();
    LayerRecord& r = ctx_.job->records[static_cast<std::size_t>(t.layer)];
    // The array streams operands out of the buffers and partial sums back into them; it takes
    // the longer of its compute and what the buffers' ports need. (The outputs' last read, for
    // the store to DRAM, is the writer's.)
    const double out_bits = t.work.events[2].buffer_write_bits +
                            std::max(0.0, t.work.events[2].buffer_read_bits - t.store_bits());
    const double ports = ctx_.use_buffers(
        now_cycles(),
        {t.work.events[0].buffer_read_bits, t.work.events[1].buffer_read_bits, out_bits});
    const double compute = static_cast<double>(t.work.stream_cycles + t.work.fill_drain_cycles);
    wait(sc_time(std::max(compute, ports), SC_NS));
    r.stream_cycles += t.work.stream_cycles;
    r.fill_drain_cycles += t.work.fill_drain_cycles;
    r.macs += t.work.macs;
    for (std::size_t o = 0; o < 3; ++o) {
      r.events[o].buffer_read_bits += o < 2 ? t.work.events[o].buffer_read_bits : 0.0;
      r.events[o].rf_reads += t.work.events[o].rf_reads;
      r.events[o].rf_writes += t.work.events[o].rf_writes;
    }
    credits_out->write(1);  // its buffer is free for the next load
    tiles_out->write(t);
  }
}

Controller::Controller(sc_core::sc_module_name name, JobContext& context)
    : sc_module(name), ctx_(context) {
  SC_THREAD(loader);
  SC_THREAD(writer);
}

void Controller::transfer(tlm_utils::simple_initiator_socket<Controller>& socket,
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

void Controller::loader() {
  for (;;) {
    // A job set before the first sc_start() is already there when this thread first runs; a
    // later one is announced by `start` while this thread waits for it.
    while (!ctx_.job || job_started)
      wait(start);
    job_started = true;
    Job& job = *ctx_.job;
    for (std::size_t l = 0; l < job.layers.size(); ++l) {
      job.records[l].start_cycle = now_cycles();
      for (const Tile& t : job.layers[l]) {
        credits_in->read();
        for (int o = 0; o < 2; ++o) {  // weights and inputs come in
          const auto& e = t.work.events[static_cast<std::size_t>(o)];
          auto& r = job.records[l].events[static_cast<std::size_t>(o)];
          r.dram_bits += e.dram_bits;
          r.buffer_write_bits += e.buffer_write_bits;
        }
        transfer(load_socket, tlm::TLM_READ_COMMAND, t.load_bits());
        // The loaded operands are written into their buffers.
        const double fill = ctx_.use_buffers(
            now_cycles(),
            {t.work.events[0].buffer_write_bits, t.work.events[1].buffer_write_bits, 0.0});
        if (fill > 0) wait(sc_time(fill, SC_NS));
        to_array->write(t);
      }
      wait(layer_done_);  // the next layer reads this one's outputs
    }
  }
}

void Controller::writer() {
  for (;;) {
    const Tile t = from_array->read();
    LayerRecord& r = ctx_.job->records[static_cast<std::size_t>(t.layer)];
    const auto& e = t.work.events[2];
    r.events[2].buffer_read_bits += e.buffer_read_bits;
    r.events[2].buffer_write_bits += e.buffer_write_bits;
    r.events[2].dram_bits += e.dram_bits;
    const double read = ctx_.use_buffers(now_cycles(), {0.0, 0.0, t.store_bits()});
    if (read > 0) wait(sc_time(read, SC_NS));
    transfer(store_socket, tlm::TLM_WRITE_COMMAND, t.store_bits());
    if (t.last) {
      r.end_cycle = now_cycles();
      layer_done_.notify(sc_core::SC_ZERO_TIME);
    }
  }
}

}  // namespace mpsim::sim
