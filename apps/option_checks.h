// Checks for numeric options, with messages a user can act on. CLI11's own number validators
// print their bounds as 309-digit doubles, and an unsigned option given "-1" would wrap around to
// "everything"; these refuse a sign, a fraction or a value out of range and say what was expected.
#pragma once

#include <CLI/CLI.hpp>

namespace mpsim::cli {

// A whole number >= `min` and at most `max`: by default 2^53, so no count is silently rounded;
// kIntMax for an option held in an int, so that a larger value is this message, not CLI11's
// "Could not convert".
inline constexpr long long kCountMax = 1LL << 53;
inline constexpr long long kIntMax = 2147483647;
CLI::Validator whole_number(long long min, long long max = kCountMax);
// A finite number > 0 (`strict`) or >= 0.
CLI::Validator positive_number(bool strict = true);

}  // namespace mpsim::cli
