#include "explore/sweep.h"

#include <algorithm>
#include <ostream>
#include <utility>

#include "costmodel/hardware.h"
#include "explore/cost_report.h"
#include "explore/progress.h"
#include "explore/record_text.h"
#include "explore/sweep_resume.h"
#include "explore/sweep_runner.h"
#include "formats/error.h"
#include "formats/output_file.h"
#include "sim/simulator.h"

namespace mpsim {

namespace {

std::vector<SweepAxis> axes_of(const std::vector<std::string>& sets) {
  std::vector<SweepAxis> axes;
  for (const auto& s : sets)
    axes.push_back(parse_sweep_set(s));
  return axes;
}

}  // namespace

Shard parse_shard(const std::string& text) {
  Shard s;
  if (text.empty()) return s;
  const auto slash = text.find('/');
  auto number = [](const std::string& t, std::size_t& v) {
    if (t.empty() || t.find_first_not_of("0123456789") != std::string::npos || t.size() > 9)
      return false;
    v = std::stoul(t);
    return true;
  };
  if (slash == std::string::npos || !number(text.substr(0, slash), s.k) ||
      !number(text.substr(slash + 1), s.n) || s.k < 1 || s.k > s.n)
    throw UserError("--shard " + text + ": expected K/N with 1 <= K <= N (e.g. --shard 2/8)");
  return s;
}

SweepPlan::SweepPlan(SweepRequest request)
    : request_(std::move(request)),
      points_(axes_of(request_.sets)),
      net_(load_workload(request_.workload, request_.workload_options)) {
  const Shard& shard = request_.shard;
  if (shard.k < 1 || shard.k > shard.n)
    throw UserError("shard " + std::to_string(shard.k) + "/" + std::to_string(shard.n) +
                    ": expected K/N with 1 <= K <= N");
  DesignPoint base;
  base.hardware = request_.hardware;
  base.workload = request_.workload;
  base.workload_options = request_.workload_options;
  base.map = request_.map;
  base.map_text = request_.map_text;
  base.resolve_groups = request_.resolve_groups;
  base.engine = request_.engine;
  // Every point's config is read before anything is evaluated, so a bad value fails at once
  // instead of after the points before it; the closed form on this run's own points catches
  // what only the map reveals (a format pair the point's array lacks).
  for (std::size_t i = 0; i < points_.size(); ++i) {
    try {
      DesignPoint point = base;
      point.overrides = points_.overrides(i);
      if (i % shard.n != shard.k - 1) {
        // Every point's config is checked, also those another shard evaluates.
        const HardwareModel checked(load_hardware_by_name(point.hardware, point.overrides));
        continue;
      }
      prepared_.emplace(i, prepare_point(net_, point));
      own_.push_back(i);
    } catch (const UserError& e) {
      throw UserError("sweep point " + std::to_string(i) + " (" + points_.describe(i) +
                      "): " + e.what());
    }
  }
}

PointResult SweepPlan::evaluate(std::size_t index) const {
  const auto it = prepared_.find(index);
  if (it == prepared_.end())
    throw UserError("sweep point " + std::to_string(index) + " is not one of this shard's");
  const PointCost c = evaluate_point(net_, it->second, request_.engine);
  PointResult r;
  r.index = index;
  r.area_mm2 = c.area_mm2;
  r.energy_pj = c.energy_pj;
  r.leakage_pj = c.leakage_pj;
  r.latency_s = c.latency_s;
  r.cycles = c.cycles;
  return r;
}

std::vector<std::string> SweepPlan::fingerprint_inputs() const {
  const SweepRequest& q = request_;
  std::vector<std::string> inputs{
      "mpsim-sweep-1",
      "hw=" + q.hardware,
      "hw_file=" + content_digest_if_file(q.hardware),
      "workload=" + q.workload,
      "workload_file=" + content_digest_if_file(q.workload),
      "map=" + q.map,
      "map_file=" + content_digest_if_file(q.map),
      std::string("resolve_groups=") + (q.resolve_groups ? "1" : "0"),
      "engine=" + cost_engine_name(q.engine),
      "shard=" + std::to_string(q.shard.k) + "/" + std::to_string(q.shard.n)};
  // Only when given, so a sweep of a map file keeps the fingerprint it had before maps as text.
  if (!q.map_text.empty()) inputs.push_back("map_text=" + q.map_text);
  for (const auto& s : q.sets)
    inputs.push_back("set=" + s);
  for (const auto& s : q.workload_flags)
    inputs.push_back(s);
  return inputs;
}

std::string SweepPlan::dram_note() const {
  std::string note;
  for (const auto& [i, p] : prepared_)
    if (p.hw.dram().energy_estimated) note = dram_estimate_note(p.hw);
  return note;
}

std::vector<PointResult> run_sweep(const SweepPlan& plan, const std::string& out,
                                   const SweepRunOptions& options, std::ostream& log) {
  if (options.jobs < 1)
    throw UserError("--jobs " + std::to_string(options.jobs) + ": expected at least 1");
  const std::vector<std::size_t>& own = plan.own();
  const ResumeStore store(out, fingerprint(plan.fingerprint_inputs()));
  auto loaded = store.load(plan.points().size());
  if (loaded.stale)
    log << "mpsim: sweep: " << store.sidecar_path()
        << " holds results of a different sweep command; discarding them\n";
  std::vector<bool> mine(plan.points().size(), false);
  for (auto i : own)
    mine[i] = true;
  std::vector<PointResult> results;
  for (const auto& r : loaded.rows)
    if (mine[r.index]) results.push_back(r);
  if (!results.empty())
    log << "mpsim: sweep: resuming with " << results.size() << " of " << own.size()
        << " points done (" << store.sidecar_path() << ")\n";
  std::vector<std::size_t> pending;
  {
    std::vector<bool> done(plan.points().size(), false);
    for (const auto& r : results)
      done[r.index] = true;
    for (auto i : own)
      if (!done[i]) pending.push_back(i);
  }

  RunOptions run;
  run.jobs = options.jobs;
  run.stop_after = options.stop_after;
  if (plan.request().engine == CostEngine::kSimulator && run.jobs > 1 && simulations_run() > 0) {
    // Forking a process whose SystemC kernel has run is unsafe: evaluate here instead.
    log << "mpsim: sweep: this process has already simulated; evaluating in-process\n";
    run.jobs = 1;
  }
  ProgressBar progress(options.progress, own.size(), results.size());
  try {
    for (auto& r : run_points(
             pending, [&plan](std::size_t index) { return plan.evaluate(index); }, store, run,
             progress))
      results.push_back(r);
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  if (results.size() != own.size())
    throw UserError("sweep: " + std::to_string(own.size() - results.size()) +
                    " points were not evaluated; run the same command again to resume");
  write_file_atomically(out, render_sweep_csv(plan.points(), results));
  store.remove_all();
  std::sort(results.begin(), results.end(),
            [](const PointResult& a, const PointResult& b) { return a.index < b.index; });
  return results;
}

}  // namespace mpsim
