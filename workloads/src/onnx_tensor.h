// Decoding ONNX tensors (initializers and Constant attributes) into values the importer can
// compute with. Private to workloads/: ONNX types stay out of the public headers.
#pragma once

#include <onnx/onnx_pb.h>  // defines ONNX_API, then includes onnx-ml.pb.h (ONNX_ML=1)

#include <cstdint>
#include <string>
#include <vector>

#include "workloads/network.h"

namespace mpsim::onnx_import {

// A constant known at import time. Integer and boolean tensors keep exact int64 values (shape
// arithmetic needs them exact, e.g. INT64_MAX as a Slice end); floating-point ones are held as
// double, whatever their width in the file.
struct Const {
  Shape shape;
  bool is_int = false;
  std::vector<std::int64_t> ints;  // when is_int
  std::vector<double> reals;       // otherwise

  std::size_t size() const { return is_int ? ints.size() : reals.size(); }
  double real(std::size_t k) const { return is_int ? static_cast<double>(ints[k]) : reals[k]; }
  std::int64_t integer(std::size_t k) const {
    return is_int ? ints[k] : static_cast<std::int64_t>(reals[k]);
  }
  static Const of_ints(Shape shape, std::vector<std::int64_t> values);
  static Const of_reals(Shape shape, std::vector<double> values);
};

// "float16", "int64", ... for messages.
std::string element_type_name(int type);
bool is_integer_type(int type);  // integers and bool
bool is_real_type(int type);     // float16, bfloat16, float, double

// The tensor's shape; throws UserError on negative dims.
Shape tensor_shape(const onnx::TensorProto& t);

// The tensor's values. `model_dir` resolves external data files. Throws UserError (naming the
// tensor) when the data is missing, of the wrong length, or of a type mpsim cannot read.
Const decode_const(const onnx::TensorProto& t, const std::string& model_dir);
// Floating-point tensors as fp32 weights, decoded straight from the file's bytes (weights are
// most of a model's size, so this skips the double-precision Const).
Tensor decode_float_tensor(const onnx::TensorProto& t, const std::string& model_dir);
Tensor to_float_tensor(const Const& c);

// A 2-D tensor [rows, cols] as fp32 weights transposed to [cols, rows]: ONNX MatMul and Gemm
// weights are [in, out], Layer weights [out, in]. Plain fp32 data is transposed straight from the
// file's bytes, skipping an intermediate copy of what is most of a transformer's weights.
Tensor decode_float_matrix_transposed(const onnx::TensorProto& t, const std::string& model_dir);
Tensor transposed(const Tensor& t);

}  // namespace mpsim::onnx_import
