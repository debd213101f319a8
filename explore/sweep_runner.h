// Evaluating the pending points of `mpsim sweep`, in this process or in forked workers.
//
// The simulator's SystemC kernel exists once per process and must not be forked once touched,
// so with more than one job the parent forks its workers before evaluating anything and never
// evaluates a point itself; each worker appends its results to its own part file and reports
// progress through a pipe. Every result reaches a file as soon as it is known, for resuming.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "explore/progress.h"
#include "explore/sweep_csv.h"
#include "explore/sweep_resume.h"

namespace mpsim {

struct RunOptions {
  int jobs = 1;
  // Test hook (MPSIM_SWEEP_STOP_AFTER): each evaluating process stops after this many points as
  // if killed, leaving its results for a resume. 0 = no limit.
  std::size_t stop_after = 0;
};

// Evaluates `pending` (point indices) with `evaluate` and returns their results in no
// particular order. In-process results are appended to the store's sidecar; workers' to their
// part files. Throws the first worker's UserError (or a std::runtime_error if a worker crashed);
// throws UserError when stopped by the test hook.
std::vector<PointResult> run_points(const std::vector<std::size_t>& pending,
                                    const std::function<PointResult(std::size_t)>& evaluate,
                                    const ResumeStore& store, const RunOptions& options,
                                    ProgressBar& progress);

}  // namespace mpsim
