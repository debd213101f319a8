// The controller's plan for one layer: the loop nest of the array's dataflow cut into tiles
// (plain C++, no SystemC). Each tile says what it loads from DRAM before it can compute, how
// long the array computes, what it stores afterwards, and the events it causes on the way.
#pragma once

#include <array>
#include <cstdint>
#include <ostream>
#include <vector>

#include "costmodel/layer_cost.h"

namespace mpsim::sim {

struct Tile {
  int layer = 0;  // index into the job's layers
  WorkUnit work;  // cycles, products and events (dram_bits split into loads and stores)
  double load_bits() const { return work.events[0].dram_bits + work.events[1].dram_bits; }
  double store_bits() const { return work.events[2].dram_bits; }
  bool last = false;  // the layer's last tile
};

// For sc_fifo<Tile>, which can print its contents.
inline std::ostream& operator<<(std::ostream& os, const Tile& t) {
  return os << "tile(layer " << t.layer << ", " << t.work.stream_cycles + t.work.fill_drain_cycles
            << " cycles)";
}

// Tiles of one layer in execution order: the units of the array's dataflow (costmodel/dataflow.h)
// merged into tiles whose DRAM loads fit `tile_budget_bits` (half a buffer: the other half holds
// the tile being computed), with at most `max_tiles` tiles so the grain stays coarse.
std::vector<Tile> plan_tiles(const LayerSchedule& s, int rows, int cols, bool rf_holds[3],
                             int layer_index, double tile_budget_bits, int max_tiles);

}  // namespace mpsim::sim
