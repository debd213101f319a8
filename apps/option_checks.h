// Checks for numeric options, with messages a user can act on. CLI11's own number validators
// print their bounds as 309-digit doubles, and an unsigned option given "-1" would wrap around to
// "everything"; these refuse a sign, a fraction or a value out of range and say what was expected.
#pragma once

#include <CLI/CLI.hpp>

namespace mpsim::cli {

// A whole number >= `min` (and below 2^53, so no count is silently rounded).
CLI::Validator whole_number(long long min);
// A finite number > 0 (`strict`) or >= 0.
CLI::Validator positive_number(bool strict = true);

}  // namespace mpsim::cli
