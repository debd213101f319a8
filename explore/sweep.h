// A design-space sweep as `mpsim sweep` runs it: the cross product of config values
// (sweep_points.h) over one network and map, each point priced by a cost engine, optionally one
// shard of the points, evaluated in this process or in forked workers, resumable, written as one
// CSV. The command, the Python module and distributed runs share it; they differ only in who
// evaluates which point.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "explore/costing.h"
#include "explore/design_point.h"
#include "explore/sweep_csv.h"
#include "explore/sweep_points.h"
#include "workloads/network.h"
#include "workloads/network_io.h"

namespace mpsim {

// Which points a run evaluates: those with index % n == k - 1.
struct Shard {
  std::size_t k = 1, n = 1;
};
// "K/N" with 1 <= K <= N; "" is the whole sweep. Throws UserError naming --shard otherwise.
Shard parse_shard(const std::string& text);

struct SweepRequest {
  std::string hardware;           // bundled name, .toml or SCALE-Sim .cfg
  std::vector<std::string> sets;  // one axis each: "KEY=V1,V2,..."
  std::string workload;           // built-in name or a .toml/.onnx/.csv file
  WorkloadOptions workload_options;
  // The workload options as text ("batch=4", "input_shape=..."): they enter the fingerprint.
  std::vector<std::string> workload_flags;
  std::string map;       // precision map file; "" = the array's widest integer pair everywhere
  std::string map_text;  // a map's TOML text (a Python dict), used instead of map
  bool resolve_groups = false;
  CostEngine engine = CostEngine::kSimulator;
  Shard shard;
};

// A sweep ready to evaluate: every point's config read and checked (also the points another
// shard evaluates), this shard's points prepared. Building it throws UserError naming the first
// bad point ("sweep point 3 (array.rows=0): ...").
class SweepPlan {
 public:
  explicit SweepPlan(SweepRequest request);

  const SweepRequest& request() const { return request_; }
  const SweepPoints& points() const { return points_; }
  const Network& network() const { return net_; }
  // This shard's point indices, ascending.
  const std::vector<std::size_t>& own() const { return own_; }
  // Prices point `index` (one of own()).
  PointResult evaluate(std::size_t index) const;
  // What makes the sweep what it is, for the resume record: the request and the contents of the
  // files it names.
  std::vector<std::string> fingerprint_inputs() const;
  // dram_estimate_note() of the points whose DRAM energy is our estimate, or "".
  std::string dram_note() const;

 private:
  SweepRequest request_;
  SweepPoints points_;
  Network net_;
  std::vector<std::size_t> own_;
  std::map<std::size_t, PreparedPoint> prepared_;
};

struct SweepRunOptions {
  int jobs = 1;  // worker processes; 1 = this process
  // Test hook (MPSIM_SWEEP_STOP_AFTER): stop as if killed after this many points. 0 = never.
  std::size_t stop_after = 0;
  std::ostream* progress = nullptr;  // a terminal for the progress bar, or none
};

// Evaluates the plan's points not already recorded beside `out` (out + ".partial"), writes `out`
// whole (render_sweep_csv) and removes the record. Notes (a resume, a stale record, jobs reduced
// to 1 in a process that has simulated) go to `log`. Returns the rows written. Throws UserError
// when stopped early or when points are left unevaluated.
std::vector<PointResult> run_sweep(const SweepPlan& plan, const std::string& out,
                                   const SweepRunOptions& options, std::ostream& log);

}  // namespace mpsim
