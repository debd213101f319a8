// Energy, area and leakage of the memories: per-PE register files, on-chip SRAM buffers (fitted
// to CACTI-like tables) and DRAM (energy per bit by kind). docs/costmodel.md cites every constant.
#pragma once

#include <cstdint>

#include "costmodel/hardware.h"
#include "costmodel/technology.h"

namespace mpsim {

struct MemoryAccessCost {
  double read_pj = 0;  // one access of the port width
  double write_pj = 0;
  double area_um2 = 0;
  double leakage_mw = 0;
};

// An SRAM of `capacity_bytes`, `width_bits` per access, split in `banks` (an access touches one
// and, unless the banks are `distributed` beside their users, crosses the array to reach it).
MemoryAccessCost sram_cost(std::int64_t capacity_bytes, int width_bits, int banks,
                           const TechnologyScale& t, bool distributed = false);
// A register file of `entries` words of `word_bits` (one word per access).
MemoryAccessCost register_file_cost(std::int64_t entries, int word_bits, const TechnologyScale& t);

struct DramCost {
  double energy_pj_per_bit = 0;
  // The kind's default energy is our estimate rather than a cited figure (LPDDR5, DDR4, HBM3):
  // every report that uses it says so.
  bool energy_estimated = false;
  double bandwidth_gbytes_per_s = 0;  // infinite for ideal memory
  double latency_ns = 0;
};
// The spec's values, with the kind's defaults where the spec leaves 0. DRAM energy is not
// scaled with the logic node (the interface dominates it).
DramCost dram_cost(const DramSpec& d);

}  // namespace mpsim
