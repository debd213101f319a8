// Numbers and fingerprints in the text records that resumable runs (sweeps, searches) keep:
// written so that a value read back is the same double, and a record of another command is
// never mistaken for this one's.
#pragma once

#include <string>
#include <vector>

namespace mpsim {

// The shortest decimal that reads back as the same double ("0.1", "1e-07", "inf", "nan"):
// deterministic and lossless, so a resumed run writes the same bytes as an uninterrupted one.
std::string format_number(double v);

// A short hash (16 hex digits, FNV-1a 64) of `inputs`, each of which should name what it is
// ("hw=edge_npu"); lengths are mixed in, so ("ab", "c") and ("a", "bc") differ.
std::string fingerprint(const std::vector<std::string>& inputs);

// One CSV field, quoted when it holds a comma, quote or newline (RFC 4180), and a row of them
// ending in a newline.
std::string csv_field(const std::string& s);
std::string csv_row(const std::vector<std::string>& fields);

// The size and a 64-bit hash (FNV-1a) of a regular file's bytes ("" for an empty name or
// anything else, which its reader reports), for fingerprints that must change when a config,
// model, map or data file does. Read in pieces, never whole.
std::string content_digest_if_file(const std::string& path);

}  // namespace mpsim
