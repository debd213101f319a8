// Typed reads of a table's keys: the type, bounds and names each key may take come from its
// schema entry, so every reader checks them the same way and states them in the same words.
#include <cmath>
#include <limits>
#include <stdexcept>

#include "formats/error.h"
#include "workloads/config_reader.h"

namespace mpsim::config {

namespace {

// Integers count as numbers (clock_mhz = 500), booleans and strings do not.
std::optional<double> number_of(const toml::node& n) {
  if (auto i = n.value_exact<std::int64_t>()) return static_cast<double>(*i);
  if (auto d = n.value_exact<double>()) return *d;
  return std::nullopt;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  for (const auto& n : names)
    if (n == name) return true;
  return false;
}

}  // namespace

const KeySchema& Table::schema_of(std::string_view key,
                                  std::initializer_list<ValueType> types) const {
  if (const KeySchema* k = schema_->find(key))
    for (ValueType t : types)
      if (k->type == t) return *k;
  // The reader asked for a key its schema does not declare so: a bug, not bad input.
  throw std::logic_error("schema " + std::string(schema_->header) + " declares no key '" +
                         std::string(key) + "' of the type read");
}

const toml::node* Table::lookup(std::string_view key) const {
  const toml::node* n = t_ ? t_->get(key) : nullptr;
  if (n) r_->remember(path_of(key), *n);
  return n;
}

void Table::check() const {
  if (t_) r_->check_keys(*t_, *schema_, path_);
}

void Table::check_required() const {
  if (t_) r_->check_required(*t_, *schema_, path_);
}

void Table::error(std::string_view key, const std::string& message) const {
  const toml::node* n = get(key);
  r_->error(n ? n : t_, path_of(key), message);
}

void Table::type_error(const toml::node& n, std::string_view key, ValueType expected) const {
  r_->error(&n, path_of(key),
            "expected " + expected_text(expected) + ", found " + describe_node(n));
}

bool Table::in_range(const toml::node& n, std::string_view key, const KeySchema& k, double v,
                     const std::string& shown) const {
  const bool below = k.min_exclusive ? !(v > k.min) : !(v >= k.min);
  if (!below && !(v > k.max)) return true;
  const std::string range = range_text(k);
  r_->error(&n, path_of(key),
            (range.empty() ? "must be finite" : "must be " + range) + ", found " + shown);
  return false;
}

std::optional<std::string> Table::string(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kString, ValueType::kChoice});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto v = n->value_exact<std::string>();
  if (!v) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  if (k.type == ValueType::kChoice) {
    const auto names = k.choices();
    if (!contains(names, *v)) {
      r_->error(n, path_of(key), unknown_name_message(std::string(k.noun), *v, names));
      return std::nullopt;
    }
  }
  return *v;
}

std::optional<Format> Table::format(std::string_view key) const {
  schema_of(key, {ValueType::kFormat});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto v = n->value_exact<std::string>();
  if (!v) {
    type_error(*n, key, ValueType::kFormat);
    return std::nullopt;
  }
  try {
    return Format::parse(*v);
  } catch (const UserError& e) {
    r_->error(n, path_of(key), e.what());
    return std::nullopt;
  }
}

std::optional<bool> Table::boolean(std::string_view key) const {
  schema_of(key, {ValueType::kBoolean});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<bool>()) return *v;
  type_error(*n, key, ValueType::kBoolean);
  return std::nullopt;
}

std::optional<std::int64_t> Table::integer(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kInteger});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto v = n->value_exact<std::int64_t>();
  if (!v) {
    type_error(*n, key, ValueType::kInteger);
    return std::nullopt;
  }
  if (!in_range(*n, key, k, static_cast<double>(*v), std::to_string(*v))) return std::nullopt;
  return *v;
}

std::optional<double> Table::number(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kNumber});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto v = number_of(*n);
  if (!v) {
    type_error(*n, key, ValueType::kNumber);
    return std::nullopt;
  }
  // inf and nan are no setting of anything a config describes.
  if (!std::isfinite(*v)) {
    const std::string range = range_text(k);
    r_->error(
        n, path_of(key),
        (range.empty() ? "must be finite" : "must be " + range) + ", found " + number_text(*v));
    return std::nullopt;
  }
  if (!in_range(*n, key, k, *v, number_text(*v))) return std::nullopt;
  return *v;
}

std::optional<float> Table::single(std::string_view key) const {
  schema_of(key, {ValueType::kFloat});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto v = number_of(*n);
  if (!v) {
    type_error(*n, key, ValueType::kFloat);
    return std::nullopt;
  }
  // Beyond float's range the conversion would be undefined; infinities stay infinities.
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  if (std::isfinite(*v) && std::fabs(*v) > kFloatMax) {
    r_->error(n, path_of(key),
              number_text(*v) + " is beyond the float range (" + number_text(kFloatMax, 7) + ")");
    return std::nullopt;
  }
  return static_cast<float>(*v);
}

std::optional<std::vector<std::string>> Table::strings(std::string_view key) const {
  const KeySchema& k =
      schema_of(key, {ValueType::kStrings, ValueType::kChoices, ValueType::kNameOrNames});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (k.type == ValueType::kNameOrNames)
    if (auto v = n->value_exact<std::string>()) return std::vector<std::string>{*v};
  const auto* arr = n->as_array();
  if (!arr) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  const auto list = string_list(*arr, key, k);
  if (!list) return std::nullopt;
  const auto& values = *list;
  if (k.type != ValueType::kChoices) return values;
  // Names of a set: each must be valid and given once; the valid ones are kept.
  const auto names = k.choices();
  std::vector<std::string> out;
  for (const auto& v : values) {
    if (!contains(names, v))
      r_->error(n, path_of(key), unknown_name_message(std::string(k.noun), v, names));
    else if (contains(out, v))
      r_->error(n, path_of(key), std::string(k.noun) + " " + quote(v) + " is listed twice");
    else
      out.push_back(v);
  }
  return out;
}

std::optional<std::vector<Format>> Table::formats(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kFormats});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  const auto* arr = n->as_array();
  if (!arr) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  const auto names = string_list(*arr, key, k);
  if (!names) return std::nullopt;
  std::vector<Format> out;
  for (const auto& name : *names) {
    try {
      const auto f = Format::parse(name);
      bool seen = false;
      for (const auto& o : out)
        seen = seen || o == f;
      if (seen)
        r_->error(n, path_of(key), "format " + quote(f.name()) + " is listed twice");
      else
        out.push_back(f);
    } catch (const UserError& e) {
      r_->error(n, path_of(key), e.what());
    }
  }
  return out;
}

std::optional<std::vector<std::string>> Table::string_list(const toml::array& arr,
                                                           std::string_view key,
                                                           const KeySchema& k) const {
  std::vector<std::string> out;
  for (const auto& e : arr) {
    const auto v = e.value_exact<std::string>();
    if (!v) {
      r_->error(
          &e, path_of(key),
          "expected " + expected_text(k.type) + ", found an element that is " + describe_node(e));
      return std::nullopt;
    }
    out.push_back(*v);
  }
  return out;
}

std::optional<std::vector<std::int64_t>> Table::integer_list(const toml::node& n,
                                                             std::string_view key,
                                                             const KeySchema& k) const {
  std::vector<std::int64_t> out;
  for (const auto& e : *n.as_array()) {
    const auto v = e.value_exact<std::int64_t>();
    if (!v) {
      r_->error(
          &e, path_of(key),
          "expected " + expected_text(k.type) + ", found an element that is " + describe_node(e));
      return std::nullopt;
    }
    // The first entry out of bounds is reported; the rest would say the same.
    if (!in_range(e, key, k, static_cast<double>(*v), std::to_string(*v))) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

std::optional<std::vector<std::int64_t>> Table::integers(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kIntegers});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (!n->is_array()) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  return integer_list(*n, key, k);
}

std::optional<std::array<std::int64_t, 2>> Table::pair(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kIntegerPair});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<std::int64_t>()) {
    if (!in_range(*n, key, k, static_cast<double>(*v), std::to_string(*v))) return std::nullopt;
    return std::array<std::int64_t, 2>{*v, *v};
  }
  if (!n->is_array() || n->as_array()->size() != 2) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  const auto v = integer_list(*n, key, k);
  if (!v) return std::nullopt;
  return std::array<std::int64_t, 2>{(*v)[0], (*v)[1]};
}

std::optional<std::array<std::int64_t, 4>> Table::padding(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kPadding});
  const toml::node* n = lookup(key);
  if (!n) return std::nullopt;
  if (auto v = n->value_exact<std::int64_t>()) {
    if (!in_range(*n, key, k, static_cast<double>(*v), std::to_string(*v))) return std::nullopt;
    return std::array<std::int64_t, 4>{*v, *v, *v, *v};
  }
  const std::size_t size = n->is_array() ? n->as_array()->size() : 0;
  if (size != 2 && size != 4) {
    type_error(*n, key, k.type);
    return std::nullopt;
  }
  const auto v = integer_list(*n, key, k);
  if (!v) return std::nullopt;
  if (size == 2) return std::array<std::int64_t, 4>{(*v)[0], (*v)[1], (*v)[0], (*v)[1]};
  return std::array<std::int64_t, 4>{(*v)[0], (*v)[1], (*v)[2], (*v)[3]};
}

Table Table::table(std::string_view key) const {
  const KeySchema& k = schema_of(key, {ValueType::kTable});
  const toml::node* n = lookup(key);
  const toml::table* t = n ? n->as_table() : nullptr;
  if (n && !t) type_error(*n, key, ValueType::kTable);
  Table sub(*r_, t, *k.table, path_of(key));
  sub.check();
  return sub;
}

std::vector<Table> Table::entries(std::string_view key, bool check) const {
  const KeySchema& k = schema_of(key, {ValueType::kTables});
  const toml::node* n = lookup(key);
  if (!n) return {};
  const auto* arr = n->as_array();
  if (!arr) {
    type_error(*n, key, ValueType::kTables);
    return {};
  }
  const bool named = k.table->find("name") != nullptr;
  std::vector<Table> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto* t = (*arr)[i].as_table();
    if (!t) {
      r_->error(
          &(*arr)[i], path_of(key),
          "expected an array of tables, found an element that is " + describe_node((*arr)[i]));
      continue;
    }
    // "buffer.global_buffer" when the entry has a name, else "buffer.3": the path --set uses.
    std::string path = path_of(key) + "." + std::to_string(i);
    if (auto name = (*t)["name"].value_exact<std::string>(); named && name && !name->empty())
      path = path_of(key) + "." + *name;
    r_->remember(path, *t);
    out.emplace_back(*r_, t, *k.table, path);
    if (check) out.back().check();
  }
  return out;
}

}  // namespace mpsim::config
