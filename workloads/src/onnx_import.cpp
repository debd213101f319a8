// The ONNX importer's entry point: reads the model, checks its opset, declares graph inputs and
// initializers, then walks the nodes in order. Each node is either part of a recognised pattern
// (onnx_fusion.cpp), folded when all its inputs are constants (onnx_fold.cpp), or mapped to
// layers (onnx_ops_*.cpp).
#include <cstdint>
#include <filesystem>
#include <set>

#include "formats/error.h"
#include "formats/input_file.h"
#include "workloads/importers.h"
#include "workloads/src/onnx_graph.h"
#include "workloads/src/onnx_inputs.h"
#include "workloads/src/onnx_ops.h"

namespace mpsim {

namespace onnx_import {

const OpTables& op_tables() {
  static const OpTables tables = [] {
    OpTables t;
    add_compute_ops(t.layers);
    add_movement_ops(t.layers);
    add_fold_ops(t.folds);
    return t;
  }();
  return tables;
}

namespace {

constexpr int kMinOpset = 11;
constexpr int kMaxOpset = 17;

std::string supported_ops() {
  std::set<std::string> names;
  for (const auto& [name, handler] : op_tables().layers)
    names.insert(name);
  for (const auto& [name, handler] : op_tables().folds)
    names.insert(name);
  return join({names.begin(), names.end()});
}

// Protobuf parses at most 2 GiB; ONNX keeps larger weights in external data files.
constexpr std::uint64_t kMaxOnnxModelBytes = (std::uint64_t{1} << 31) - 1;

onnx::ModelProto read_model(const std::string& path) {
  const InputFile f(path, "ONNX model");
  if (f.size() > kMaxOnnxModelBytes)
    f.fail("the file holds " + std::to_string(f.size()) +
           " bytes; an ONNX model file holds at most 2 GiB (protobuf's limit), larger weights "
           "live in external data files");
  onnx::ModelProto model;
  if (!model.ParseFromFileDescriptor(f.descriptor()))
    throw UserError(path +
                    ": not a valid ONNX model (the protobuf does not parse; the file may "
                    "be truncated or not ONNX at all)");
  // Protobuf accepts many byte strings; an ONNX model has at least an IR version and a graph.
  if (model.ir_version() <= 0 || !model.has_graph())
    throw UserError(path + ": not an ONNX model (no IR version or no graph)");
  return model;
}

int default_opset(const std::string& path, const onnx::ModelProto& model) {
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      const auto v = static_cast<int>(o.version());
      if (v < kMinOpset || v > kMaxOpset)
        throw UserError(path + ": opset " + std::to_string(v) +
                        " is not supported; mpsim imports opsets " + std::to_string(kMinOpset) +
                        " to " + std::to_string(kMaxOpset) +
                        " (re-export the model with one of them)");
      return v;
    }
  throw UserError(path + ": the model imports no version of the default ONNX opset");
}

void declare_inputs(Graph& g, const std::set<std::string>& initializer_names,
                    const OnnxImportOptions& options) {
  for (auto& in : resolve_graph_inputs(g.proto(), initializer_names, g.path(), options)) {
    Layer l;
    l.name = g.unique_name(in.name);
    l.op = Op::kInput;
    l.target_shape = std::move(in.shape);
    const int id = g.net().add_layer(std::move(l));
    g.define(in.name, Value{id, nullptr, {}});
  }
}

void import_node(Graph& g, int index) {
  NodeContext ctx(g, index);
  const auto& n = ctx.node();
  const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
  const auto& tables = op_tables();
  if (!default_domain || (!tables.layers.count(n.op_type()) && !tables.folds.count(n.op_type())))
    throw UserError(g.path() + ": node " + quote(ctx.label()) + " (op " +
                    printable(default_domain ? n.op_type() : n.domain() + "." + n.op_type()) +
                    ") is not supported; supported ops: " + supported_ops());
  bool all_constant = true;
  for (std::size_t i = 0; i < ctx.input_count(); ++i)
    if (ctx.has_input(i)) all_constant = all_constant && ctx.input(i).is_constant();

  try {
    if (try_fuse(ctx)) return;
    // Shape and Size read only static shapes, so they fold even on activations.
    const bool fold = tables.folds.count(n.op_type()) &&
                      (all_constant || n.op_type() == "Shape" || n.op_type() == "Size");
    if (fold) {
      tables.folds.at(n.op_type())(ctx);
    } else if (tables.layers.count(n.op_type())) {
      tables.layers.at(n.op_type())(ctx);
    } else {
      ctx.fail(
          "mpsim evaluates this op only on constants, but an input is computed from "
          "activations");
    }
  } catch (const OpError& e) {
    ctx.fail(e.what());
  }
  for (std::size_t k = 0; k < ctx.output_count(); ++k)
    if (ctx.output_used(k) && !g.find(ctx.output_name(k)))
      ctx.fail("its output " + quote(ctx.output_name(k)) + " is used, but mpsim does not model it");
}

}  // namespace

}  // namespace onnx_import

namespace {

bool imports_at_batch_one(const std::string& path, OnnxImportOptions options) {
  options.batch.reset();
  options.keep_weights = false;
  try {
    import_onnx(path, options);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

}  // namespace

Network import_onnx(const std::string& path, const OnnxImportOptions& options) {
  using namespace onnx_import;
  const onnx::ModelProto model = read_model(path);
  const int opset = default_opset(path, model);
  const auto& graph = model.graph();
  if (graph.sparse_initializer_size() > 0)
    throw UserError(path + ": sparse initializers are not supported");

  Graph g(graph, path, options, opset, std::filesystem::path(path).stem().string());
  std::set<std::string> initializer_names;
  for (const auto& t : graph.initializer()) {
    initializer_names.insert(t.name());
    g.define(t.name(), Value{-1, &t, {}});
  }
  declare_inputs(g, initializer_names, options);
  if (g.net().size() == 0) throw UserError(path + ": the graph has no inputs");

  try {
    for (int i = 0; i < graph.node_size(); ++i)
      if (!g.skipped(i)) import_node(g, i);
  } catch (const UserError& e) {
    // Exporters often trace the batch size into a graph as a constant (a reshape to 1x..., an
    // expand to the traced batch). When the model imports at batch 1, say so.
    if (options.batch.value_or(1) == 1 || !imports_at_batch_one(path, options)) throw;
    throw UserError(std::string(e.what()) + " (the model imports at batch 1 but not at --batch " +
                    std::to_string(*options.batch) +
                    ": it fixes its batch size inside the graph, e.g. a reshape or expand "
                    "that the exporter traced at batch 1)");
  }
  Network net = g.take_network();
  for (const auto& prop : model.metadata_props())
    net.set_metadata(prop.key(), prop.value());
  return net;
}

}  // namespace mpsim
