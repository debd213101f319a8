// Reading back the key tables the schemas print (hardware_keys_markdown() and the like), so
// tests can check what the tables claim against what the readers do.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace mpsim::test {

struct KeysTable {
  std::string caption;  // the text line above the table ("The keys of `conv2d` layers:")
  struct Row {
    std::string key;            // "array.rows", "buffer[].banks"
    std::string default_value;  // the default as TOML ("16", "\"ws\""), "" when not one value
  };
  std::vector<Row> rows;
};

inline std::vector<KeysTable> keys_tables(const std::string& markdown) {
  std::vector<KeysTable> tables;
  std::istringstream in(markdown);
  std::string line, caption;
  std::size_t default_column = 0;
  for (bool in_table = false; std::getline(in, line);) {
    if (line.rfind("| key |", 0) == 0) {
      tables.push_back({caption, {}});
      std::vector<std::string> cells;
      std::istringstream header(line);
      for (std::string cell; std::getline(header, cell, '|');)
        cells.push_back(cell);
      for (std::size_t i = 0; i < cells.size(); ++i)
        if (cells[i] == " default ") default_column = i;
      in_table = true;
    } else if (in_table && line.rfind("| `", 0) == 0) {
      std::vector<std::string> cells;
      std::istringstream row(line);
      for (std::string cell; std::getline(row, cell, '|');)
        cells.push_back(cell);
      KeysTable::Row r;
      r.key = cells[1].substr(2, cells[1].size() - 4);  // " `key` "
      const std::string& d = cells.at(default_column);
      if (d.rfind(" `", 0) == 0) r.default_value = d.substr(2, d.find('`', 2) - 2);
      tables.back().rows.push_back(r);
    } else if (line.rfind("|", 0) != 0) {
      in_table = false;
      if (!line.empty()) caption = line;
    }
  }
  return tables;
}

}  // namespace mpsim::test
