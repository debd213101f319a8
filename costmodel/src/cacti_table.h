// SRAM figures from CACTI 7 (HewlettPackard/cacti at 1ffd8df), run by us at 45 nm with the
// settings of the Bit Fusion repository's SRAM sweep (sram/default.json: itrs-hp cells and
// periphery, 360 K, one UCA bank, ECC, one read and one write port), the block size equal to the
// port: every power of two from 128 B to 4 MiB at 32 to 512-bit ports (the pairs CACTI could
// organise). Private to costmodel/src; docs/costmodel.md, "SRAM".
#pragma once

#include <vector>

namespace mpsim::cacti {

struct SramRow {
  double bytes;
  double port_bits;
  double read_pj;
  double write_pj;
  double leakage_mw;  // subthreshold, as CACTI reports per bank
  double area_mm2;
};

// Sorted by bytes, then port bits.
const std::vector<SramRow>& sram_45nm();

}  // namespace mpsim::cacti
