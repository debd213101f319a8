// The key tables in docs/ are the schemas the readers check files against: each doc holds what
// `mpsim hw|map|workload keys` prints, verbatim, between "<!-- keys: NAME -->" and
// "<!-- /keys -->". After changing a key, paste the command's output there.
#include <doctest/doctest.h>

#include <string>

#include "costmodel/hardware.h"
#include "tests/test_support.h"
#include "workloads/network_io.h"
#include "workloads/precision_map.h"

using mpsim::test::run_cli;

namespace {

// The text between the markers (a blank line after the opening one and before the closing one
// keeps the table a table in markdown); "" when the doc lacks them.
std::string keys_block(const std::string& doc, const std::string& name) {
  const std::string open = "<!-- keys: " + name + " -->\n\n";
  const std::string close = "\n<!-- /keys -->";
  const auto begin = doc.find(open);
  if (begin == std::string::npos) return "";
  const auto end = doc.find(close, begin + open.size());
  if (end == std::string::npos) return "";
  return doc.substr(begin + open.size(), end - begin - open.size());
}

}  // namespace

TEST_CASE("keys: the docs hold each schema's table as the keys commands print it") {
  struct Doc {
    const char* path;
    const char* name;
    std::string table;
    std::vector<std::string> command;
  };
  const Doc docs[] = {
      {"docs/hardware.md", "hardware", mpsim::hardware_keys_markdown(), {"hw", "keys"}},
      {"docs/precision-maps.md",
       "precision-map",
       mpsim::precision_map_keys_markdown(),
       {"map", "keys"}},
      {"docs/workloads.md", "network", mpsim::network_keys_markdown(), {"workload", "keys"}},
  };
  for (const auto& d : docs) {
    INFO(std::string(d.path));
    CHECK(d.table.find("| key | type |") == 0);
    const auto printed = run_cli(d.command);
    CHECK(printed.status == 0);
    CHECK(printed.out == d.table);
    // When this fails, the doc describes keys other than the reader's: paste `mpsim ... keys`.
    CHECK(keys_block(mpsim::test::read_file(mpsim::test::source_path(d.path)), d.name) == d.table);
  }
}

TEST_CASE("keys: the tables state what the readers check") {
  const std::string hw = mpsim::hardware_keys_markdown();
  CHECK(hw.find("| `array.rows` | integer | PEs | `16` | between 1 and 65536 | rows of the PE "
                "array |") != std::string::npos);
  CHECK(hw.find("| `array.dataflow` | string |  | `\"ws\"` | `ws`, `os`, `is`, `rs` |") !=
        std::string::npos);
  CHECK(hw.find("| `buffer[].name` | string |  | required |") != std::string::npos);
  const std::string map = mpsim::precision_map_keys_markdown();
  CHECK(map.find("| `override[].layers` | string or array of strings | required |") !=
        std::string::npos);
  CHECK(map.find("| `default.cluster_size` | integer |") != std::string::npos);
  const std::string net = mpsim::network_keys_markdown();
  CHECK(net.find("The keys of `maxpool`, `avgpool` layers:") != std::string::npos);
  CHECK(net.find("| `stride` | integer or [h, w] | = kernel | each at least 1 |") !=
        std::string::npos);
}
