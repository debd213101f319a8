#include "apps/option_checks.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "formats/error.h"

namespace mpsim::cli {

namespace {

// The value as the user typed it, cut short and without control bytes.
std::string shown(const std::string& v) {
  return printable(v, 40);
}

}  // namespace

CLI::Validator whole_number(long long min, long long max) {
  const std::string what = "a whole number >= " + std::to_string(min);
  // Counts are carried as doubles in places (progress, rates), exact up to 2^53.
  const std::string most = max == kCountMax ? "2^53 (9007199254740992)" : std::to_string(max);
  return CLI::Validator(
      [min, max, what, most](std::string& v) -> std::string {
        const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        errno = 0;
        const long long n = digits ? std::strtoll(v.c_str(), nullptr, 10) : 0;
        if (!digits || n < min) return "expected " + what + ", not '" + shown(v) + "'";
        if (errno == ERANGE || n > max)
          return "expected " + what + " and at most " + most + ", not '" + shown(v) + "'";
        return "";
      },
      "INT>=" + std::to_string(min));
}

CLI::Validator positive_number(bool strict) {
  const std::string what = strict ? "a number > 0" : "a number >= 0";
  return CLI::Validator(
      [strict, what](std::string& v) -> std::string {
        char* end = nullptr;
        errno = 0;
        const double x = std::strtod(v.c_str(), &end);
        const bool ok = !v.empty() && end == v.c_str() + v.size() && errno != ERANGE &&
                        std::isfinite(x) && (strict ? x > 0 : x >= 0);
        if (!ok) return "expected " + what + ", not '" + shown(v) + "'";
        return "";
      },
      strict ? "NUMBER>0" : "NUMBER>=0");
}

}  // namespace mpsim::cli
