// A network as a graph of operations. Each node (a Layer) produces one tensor; edges run from
// producer to consumer. Nodes are added in topological order (inputs first), so a layer's
// output shape and cost figures are inferred when it is added and stored with it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mpsim {

using Shape = std::vector<std::int64_t>;
std::string shape_string(const Shape& s);  // "1x3x224x224"
// The product of the sizes; a UserError beyond kMaxCount (no size product may wrap around).
std::int64_t element_count(const Shape& s);
inline constexpr std::int64_t kMaxCount = std::int64_t{1} << 62;

// A dense fp32 tensor (weights kept from an imported model).
struct Tensor {
  Shape shape;
  std::vector<float> data;
};

enum class Op {
  kInput,
  // MAC-bearing
  kConv2d,  // NCHW input, weight [out, in/groups, kh, kw]
  kLinear,  // applies to the last dim; weight [out_features, in_features]
  kMatMul,  // two activation operands, batched with broadcasting: [..., M, K] x [..., K, N]
  // pooling
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  // compute without MACs
  kEltwise,    // binary with broadcasting; which one is Layer::binary
  kUnary,      // which one is Layer::unary
  kBatchNorm,  // per channel (axis 1)
  kLayerNorm,  // over the last dims from `axis`
  kSoftmax,    // along `axis`
  kReduce,     // Layer::reduce over `axes`, keepdims
  // data movement
  kConcat,     // along `axis`
  kReshape,    // to `target_shape` (fully known)
  kTranspose,  // by `axes` (a permutation)
  kSlice,      // along `axis`: start, end, step
  kGather,     // one index along `axis`, that dim removed
  kPad,        // NCHW spatial zero padding by `pads` (top, left, bottom, right)
};

// The sub-ops of kUnary, kEltwise and kReduce layers. Code that computes or classifies them
// switches over these without a default case, so -Wswitch names every place to change when one
// is added; each has one name table (network.cpp) that both parses and prints it.
enum class UnaryOp {
  kRelu,
  kRelu6,
  kClip,  // to [Layer::clip_min, Layer::clip_max]
  kGelu,  // the exact (erf) form
  kSilu,
  kSigmoid,
  kHardSwish,
  kHardSigmoid,  // max(0, min(1, Layer::alpha x + Layer::beta))
  kTanh,
  kErf,
  kSqrt,
  kExp,
  kNeg,
  kReciprocal,
  kAbs,
};
enum class BinaryOp { kAdd, kSub, kMul, kDiv, kPow, kMax, kMin };
enum class ReduceOp { kMean, kSum, kMax };

// A sub-op's name: "relu", "add", "mean"; parse_* is the inverse (nullopt for an unknown name)
// and *_names() lists every name in enum order.
std::string unary_op_name(UnaryOp op);
std::string binary_op_name(BinaryOp op);
std::string reduce_op_name(ReduceOp op);
std::optional<UnaryOp> parse_unary_op(std::string_view name);
std::optional<BinaryOp> parse_binary_op(std::string_view name);
std::optional<ReduceOp> parse_reduce_op(std::string_view name);
std::vector<std::string> unary_op_names();
std::vector<std::string> binary_op_names();
std::vector<std::string> reduce_op_names();

bool is_mac_op(Op op);
// Ops that only move or select data: a quantizer passes through them unchanged.
bool is_data_movement(Op op);

// An op with its sub-op; only the sub-op field that `op` has is read.
struct OpKind {
  Op op = Op::kInput;
  UnaryOp unary = UnaryOp::kRelu;
  BinaryOp binary = BinaryOp::kAdd;
  ReduceOp reduce = ReduceOp::kMean;
};
// The op's name as written in network files and printed by `mpsim workload show`: "conv2d",
// "linear", "matmul", "maxpool", ..., for eltwise and unary ops the sub-op's name itself ("add",
// "relu"), for reductions "reduce_" and its name ("reduce_mean").
std::string op_name(const OpKind& op);
// Inverse of op_name; nullopt for an unknown name.
std::optional<OpKind> parse_op_name(std::string_view name);
std::vector<std::string> op_names();

struct Conv2dParams {
  std::int64_t out_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
};

struct PoolParams {
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;
};

// A MAC-bearing layer seen as `groups` independent GEMMs of (m x k) by (k x n): for a
// convolution m = output pixels, n = filters per group, k = (in channels / groups) * kh * kw;
// for linear m = rows (tokens), n = out features, k = in features, groups 1; for a batched
// matmul groups = the batch (heads).
struct GemmView {
  std::int64_t groups = 0;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  std::int64_t macs() const { return groups * m * n * k; }
};

// A layer's op with its sub-op is its OpKind part (op, unary, binary, reduce), so op_name(layer)
// names it.
struct Layer : OpKind {
  std::string name;
  std::vector<int> inputs;  // producing nodes, in operand order

  // Attributes; only those of `op` are read.
  Conv2dParams conv;
  PoolParams pool;
  std::int64_t out_features = 0;              // linear
  bool has_bias = false;                      // conv2d, linear
  bool transpose_b = false;                   // matmul: the second operand is [..., N, K]
  std::int64_t axis = -1;                     // concat softmax layernorm slice gather
  std::vector<std::int64_t> axes;             // reduce (axes), transpose (permutation)
  bool keepdims = true;                       // reduce
  Shape target_shape;                         // reshape; input shape for kInput
  std::int64_t start = 0, end = 0, step = 1;  // slice
  std::int64_t index = 0;                     // gather
  float clip_min = 0.0f, clip_max = 6.0f;     // unary clip
  float alpha = 1.0f / 6.0f, beta = 0.5f;     // hardsigmoid: max(0, min(1, alpha x + beta))
  float epsilon = 1e-5f;                      // layernorm: added to the variance
  bool softmax_flatten = false;  // softmax over all dims from `axis` (ONNX before opset 13)

  // Weights kept from an imported model (absent for built-in networks).
  std::optional<Tensor> weight;
  std::optional<Tensor> bias;

  // Where the layer was defined (a network file's line), for error messages; 0 if unknown.
  int source_line = 0;

  // Inferred when the layer is added to a Network.
  Shape output_shape;
  GemmView gemm;  // zero for non-MAC ops
  std::int64_t macs = 0;
  std::int64_t weight_count = 0;  // MAC weights (bias excluded)
  std::int64_t bias_count = 0;
  std::int64_t input_elements = 0;   // activation elements read (all activation operands)
  std::int64_t output_elements = 0;  // activation elements written
};

class Network {
 public:
  explicit Network(std::string name = "");
  Network(const Network&);
  Network& operator=(const Network&);
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;
  ~Network();

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Key/value notes carried by the source file (an ONNX model's metadata_props), e.g. the
  // input normalisation the bundled models declare as "mean" and "std".
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  void set_metadata(const std::string& key, std::string value) {
    metadata_[key] = std::move(value);
  }

  // Adds a graph input of the given shape; returns its id.
  int add_input(std::string name, Shape shape, int source_line = 0);
  // Adds a layer whose inputs are already present; infers its shape and cost figures. Throws
  // UserError naming the layer (and its source line) when the layer is malformed.
  int add_layer(Layer layer);

  std::size_t size() const { return layers_.size(); }
  const Layer& layer(int id) const { return layers_.at(static_cast<std::size_t>(id)); }
  const std::vector<Layer>& layers() const { return layers_; }  // topological order
  std::optional<int> find(std::string_view name) const;
  std::vector<std::string> layer_names() const;

  std::vector<int> consumers(int id) const;
  std::vector<int> mac_layers() const;
  std::vector<int> outputs() const;  // nodes no other node consumes

  std::int64_t total_macs() const;
  std::int64_t total_weights() const;

 private:
  struct Graph;  // Boost.Graph adjacency list, kept out of this header
  std::string name_;
  std::map<std::string, std::string> metadata_;
  std::vector<Layer> layers_;
  std::unique_ptr<Graph> graph_;
};

}  // namespace mpsim
