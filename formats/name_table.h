// Enum <-> name tables: one table per enum that both parses and prints its names, so a name
// and its value cannot drift apart. Used for the op kinds (workloads) and the hardware config's
// enumerations (costmodel).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mpsim {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, const char*>, N>;

// The name of `value`; "?" only for a value cast from an integer outside the enum.
template <typename E, std::size_t N>
std::string name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "?";
}

template <typename E, std::size_t N>
std::optional<E> parse_in(const NameTable<E, N>& table, std::string_view name) {
  for (const auto& [e, n] : table)
    if (name == n) return e;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::vector<std::string> names_in(const NameTable<E, N>& table) {
  std::vector<std::string> out;
  for (const auto& entry : table)
    out.emplace_back(entry.second);
  return out;
}

}  // namespace mpsim
