// A hardware description turned into the per-event costs the layer model and the simulator
// multiply by counts: energy per product for each supported format pair, per access of each
// memory, per DRAM bit; area by component; leakage. Built once per configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "costmodel/hardware.h"
#include "costmodel/mac_model.h"
#include "costmodel/memory_model.h"
#include "costmodel/technology.h"

namespace mpsim {

struct AreaBreakdown {
  double mac_units_mm2 = 0;                                 // all PEs' MAC units
  double register_files_mm2 = 0;                            // all PEs' register files
  std::vector<std::pair<std::string, double>> buffers_mm2;  // by buffer name
  double total_mm2 = 0;
};

class HardwareModel {
 public:
  explicit HardwareModel(HardwareSpec spec);

  struct PairCost {
    FormatPair pair;
    double mac_pj = 0;  // one product with its accumulation, into the pair's accumulator
    Format accumulator = Format::parse("int32");  // the pair's accumulator
  };
  struct Memory {
    std::string name;
    std::vector<Operand> holds;
    std::int64_t capacity_bits = 0;  // a register file: per PE
    int width_bits = 0;
    MemoryAccessCost cost;
  };

  const HardwareSpec& spec() const { return spec_; }
  const TechnologyScale& scale() const { return scale_; }
  double clock_hz() const { return spec_.array.clock_mhz * 1e6; }
  std::int64_t pes() const { return std::int64_t{spec_.array.rows} * spec_.array.cols; }

  const std::vector<PairCost>& pairs() const { return pairs_; }
  // The pair a layer with these formats runs on: the exact pair if supported; else, when the
  // config allows fallback, the supported pair with formats at least as wide and the lowest
  // energy per product; else a UserError naming the layer formats and the supported pairs.
  const PairCost& pair_for(const Format& weight, const Format& activation) const;
  std::string supported_pairs_text() const;  // "int8 x int8 (1/cycle), int4 x int4 (4/cycle)"

  // One product of pair `index` accumulated into `accumulator` (a precision map's choice; the
  // pair's own accumulator when it is the same).
  double mac_pj(int index, const Format& accumulator) const;
  // The accumulated sum times a 16-bit cluster scale (clustered weights).
  double scale_multiply_pj(const Format& accumulator) const;
  // Rescaling one value from `accumulator` into `to`.
  double requantize_pj(const Format& accumulator, const Format& to) const;

  const std::vector<Memory>& register_files() const { return register_files_; }
  const std::vector<Memory>& buffers() const { return buffers_; }
  // Index of the first register file / buffer holding `o`, or -1.
  int register_file_for(Operand o) const { return rf_for_[static_cast<int>(o)]; }
  int buffer_for(Operand o) const { return buffer_for_[static_cast<int>(o)]; }

  const DramCost& dram() const { return dram_; }
  // DRAM bits per clock cycle; +infinity for ideal memory.
  double dram_bits_per_cycle() const { return dram_bits_per_cycle_; }

  double leakage_mw() const { return leakage_mw_; }  // whole accelerator
  // MAC units and register files of every PE: never gated.
  double logic_leakage_mw() const { return logic_leakage_mw_; }
  const AreaBreakdown& area() const { return area_; }

 private:
  HardwareSpec spec_;
  TechnologyScale scale_;
  std::vector<PairCost> pairs_;
  std::vector<Memory> register_files_;
  std::vector<Memory> buffers_;
  int rf_for_[3] = {-1, -1, -1};
  int buffer_for_[3] = {-1, -1, -1};
  DramCost dram_;
  double dram_bits_per_cycle_ = 0;
  double leakage_mw_ = 0;
  double logic_leakage_mw_ = 0;
  AreaBreakdown area_;
};

}  // namespace mpsim
