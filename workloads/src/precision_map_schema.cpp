// The precision map schema: [default] and [[override]] take the same keys (an override also
// `layers`), but a key an override leaves out keeps what the entries before it gave, so the two
// tables declare different defaults. docs/precision-maps.md holds the table (`mpsim map keys`).
#include "workloads/src/precision_map_schema.h"

#include "workloads/precision_map.h"

namespace mpsim {

namespace {

using T = config::ValueType;

std::vector<std::string> granularity_names() {
  return {"per_tensor", "per_channel", "cluster"};
}
std::vector<std::string> cluster_unit_names() {
  return {"filters", "weights"};
}
std::vector<std::string> weight_scale_names() {
  return {"auto", "max", "mse", "optimal", "twn"};
}

// The keys both tables take. [default]'s defaults are LayerPrecision's; an override's are
// whatever the entries above it gave.
std::vector<config::KeySchema> entry_keys(bool is_default) {
  const std::string_view kept = "as the entries above give it";
  const std::string_view needed = "every MAC layer needs one, from [default] or an override";
  return {
      {.key = "weight",
       .type = T::kFormat,
       .default_note = is_default ? needed : kept,
       .description = "the format of the weights (of the second operand of a matmul of two "
                      "activations)"},
      {.key = "activation",
       .type = T::kFormat,
       .default_note = is_default ? needed : kept,
       .description = "the format of the activation input (the first operand of a matmul)"},
      {.key = "accumulator",
       .type = T::kFormat,
       .default_note = is_default ? "the hardware's" : kept,
       .description = "the accumulator format"},
      {.key = "granularity",
       .type = T::kChoice,
       .default_value = is_default ? "\"per_channel\"" : "",
       .default_note = is_default ? "" : kept,
       .choices = granularity_names,
       .noun = "granularity",
       .description = "how many weights share one scale: the tensor, each output channel, or "
                      "clusters of `cluster_size`"},
      {.key = "cluster_size",
       .type = T::kInteger,
       .default_note = is_default ? "needed with `granularity = \"cluster\"`" : kept,
       .min = 1,
       .max = 1 << 20,
       .description = "filters (or weights, by `cluster_of`) sharing one scale; given alone it "
                      "implies `granularity = \"cluster\"`"},
      {.key = "cluster_of",
       .type = T::kChoice,
       .default_value = is_default ? "\"filters\"" : "",
       .default_note = is_default ? "" : kept,
       .choices = cluster_unit_names,
       .noun = "cluster unit",
       .description = "what a cluster groups: N consecutive filters, or N consecutive weights "
                      "along a filter's reduction axis"},
      {.key = "weight_scale",
       .type = T::kChoice,
       .default_value = is_default ? "\"auto\"" : "",
       .default_note = is_default ? "" : kept,
       .choices = weight_scale_names,
       .noun = "weight scale rule",
       .description = "how the evaluator sets weight scales: `auto` (`twn` for ternary, else "
                      "`max`), `max`, `mse` (alias `optimal`), `twn` (ternary only)"},
  };
}

// An override's keys: the layers it applies to, then what it changes.
std::vector<config::KeySchema> override_keys() {
  const config::KeySchema layers{.key = "layers",
                                 .type = T::kNameOrNames,
                                 .required = true,
                                 .description =
                                     "the MAC layers it applies to: exact names or "
                                     "glob patterns, one or a list"};
  auto keys = entry_keys(false);
  keys.insert(keys.begin(), layers);
  return keys;
}

}  // namespace

const config::TableSchema& precision_map_schema() {
  static const config::TableSchema defaults{"[default]", entry_keys(true)};
  static const config::TableSchema override_entry{"[[override]]", override_keys()};
  static const config::TableSchema root{
      "a precision map",
      {{.key = "network",
        .type = T::kString,
        .default_note = "any network",
        .description = "the network the map is written for; another one is refused"},
       {.key = "description", .type = T::kString, .description = "free text"},
       {.key = "default",
        .type = T::kTable,
        .description = "applies to every MAC layer",
        .table = &defaults},
       {.key = "override",
        .type = T::kTables,
        .default_note = "none",
        .description = "any number, in order; a later one wins where two match a layer",
        .table = &override_entry}}};
  return root;
}

std::string precision_map_keys_markdown() {
  return config::markdown_table(precision_map_schema());
}

}  // namespace mpsim
