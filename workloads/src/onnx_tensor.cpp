#include "workloads/src/onnx_tensor.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "formats/error.h"
#include "formats/input_file.h"

namespace mpsim::onnx_import {

// Raw tensor bytes are little-endian in ONNX; reading them with memcpy assumes the same here.
static_assert(std::endian::native == std::endian::little, "mpsim reads ONNX raw data in place");

namespace {

using TP = onnx::TensorProto;

[[noreturn]] void fail(const TP& t, const std::string& message) {
  throw UserError("tensor " + quote(t.name()) + ": " + message);
}

float half_to_float(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  float v;
  if (exponent == 0) {
    v = std::ldexp(static_cast<float>(mantissa), -24);  // zero or subnormal
  } else if (exponent == 31) {
    v = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  } else {
    v = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  }
  return (h & 0x8000) ? -v : v;
}

float bfloat16_to_float(std::uint16_t b) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

std::size_t element_width(int type) {
  switch (type) {
    case TP::BOOL:
    case TP::INT8:
    case TP::UINT8:
      return 1;
    case TP::INT16:
    case TP::UINT16:
    case TP::FLOAT16:
    case TP::BFLOAT16:
      return 2;
    case TP::INT32:
    case TP::UINT32:
    case TP::FLOAT:
      return 4;
    case TP::INT64:
    case TP::UINT64:
    case TP::DOUBLE:
      return 8;
    default:
      return 0;
  }
}

// Tensors bigger than 2 GB live in a side file; the model names it relative to itself.
// `expected_bytes` is what the tensor's shape and type need.
std::string read_external(const TP& t, const std::string& model_dir, std::uint64_t expected_bytes) {
  std::string location;
  std::int64_t offset = 0, length = -1;
  for (const auto& e : t.external_data()) {
    try {
      if (e.key() == "location") location = e.value();
      if (e.key() == "offset") offset = std::stoll(e.value());
      if (e.key() == "length") length = std::stoll(e.value());
    } catch (const std::exception&) {
      fail(t, "external data key '" + e.key() + "' has a bad value '" + e.value() + "'");
    }
  }
  if (location.empty()) fail(t, "external data without a location");
  // The side file must lie inside the model's folder, after every link is followed: a model
  // must not read other files of the machine as its weights.
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::canonical(model_dir.empty() ? fs::path(".") : fs::path(model_dir), ec);
  if (ec) fail(t, "cannot resolve the model's folder " + model_dir + ": " + ec.message());
  if (fs::path(location).is_absolute())
    fail(t, "external data location '" + location +
                "' is an absolute path; it must name a file inside the model's folder");
  const fs::path path = fs::canonical(dir / location, ec);
  if (ec)
    fail(t,
         "cannot open its external data file " + (dir / location).string() + ": " + ec.message());
  const auto [mismatch, rest] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  if (mismatch != dir.end() || rest == path.end())
    fail(t, "external data location '" + location + "' resolves to " + path.string() +
                ", outside the model's folder " + dir.string());
  const InputFile f(path.string(), "external data of tensor " + quote(t.name()));
  const auto file_size = static_cast<std::int64_t>(f.size());
  if (offset < 0 || offset > file_size) fail(t, "external data offset is outside " + path.string());
  if (length < 0) length = file_size - offset;
  if (length > file_size - offset) fail(t, "external data runs past the end of " + path.string());
  // Checked before allocating: the file's size, not the model's word, bounds what is read.
  if (static_cast<std::uint64_t>(length) != expected_bytes)
    fail(t, "its external data holds " + std::to_string(length) + " bytes but its shape " +
                shape_string(tensor_shape(t)) + " of " + element_type_name(t.data_type()) +
                " needs " + std::to_string(expected_bytes));
  std::string bytes(static_cast<std::size_t>(length), '\0');
  f.read_exact_at(static_cast<std::uint64_t>(offset), bytes.data(), bytes.size(),
                  "the tensor's external data");
  return bytes;
}

template <class Src, class Out, class Convert>
void from_bytes(const std::string& raw, std::size_t n, Out* out, Convert convert) {
  const char* p = raw.data();
  for (std::size_t k = 0; k < n; ++k) {
    Src v;
    std::memcpy(&v, p + k * sizeof(Src), sizeof(Src));
    out[k] = static_cast<Out>(convert(v));
  }
}

template <class Field, class Out, class Convert>
void from_field(const TP& t, const Field& field, std::size_t n, Out* out, Convert convert) {
  if (static_cast<std::size_t>(field.size()) != n)
    fail(t, "holds " + std::to_string(field.size()) + " values but its shape " +
                shape_string(tensor_shape(t)) + " needs " + std::to_string(n));
  for (std::size_t k = 0; k < n; ++k)
    out[k] = static_cast<Out>(convert(field[static_cast<int>(k)]));
}

// Decodes the n values of `t` into out[0..n), converting each to Out.
template <class Out>
void decode_values(const TP& t, const std::string& model_dir, std::size_t n, Out* out) {
  const int type = t.data_type();
  const std::size_t width = element_width(type);
  if (width == 0) fail(t, "mpsim cannot read " + element_type_name(type) + " tensors");
  auto same = [](auto v) { return v; };
  auto half = [](std::uint16_t v) { return half_to_float(v); };
  auto brain = [](std::uint16_t v) { return bfloat16_to_float(v); };

  std::string external;
  const std::string* raw = nullptr;
  if (t.data_location() == TP::EXTERNAL) {
    if (n > std::numeric_limits<std::uint64_t>::max() / width)
      fail(t, "its shape " + shape_string(tensor_shape(t)) + " has too many elements");
    external = read_external(t, model_dir, std::uint64_t{n} * width);
    raw = &external;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  if (raw) {
    if (raw->size() != n * width)
      fail(t, "holds " + std::to_string(raw->size()) + " bytes but its shape " +
                  shape_string(tensor_shape(t)) + " of " + element_type_name(type) + " needs " +
                  std::to_string(n * width));
    switch (type) {
      case TP::FLOAT:
        return from_bytes<float>(*raw, n, out, same);
      case TP::DOUBLE:
        return from_bytes<double>(*raw, n, out, same);
      case TP::FLOAT16:
        return from_bytes<std::uint16_t>(*raw, n, out, half);
      case TP::BFLOAT16:
        return from_bytes<std::uint16_t>(*raw, n, out, brain);
      case TP::BOOL:
      case TP::UINT8:
        return from_bytes<std::uint8_t>(*raw, n, out, same);
      case TP::INT8:
        return from_bytes<std::int8_t>(*raw, n, out, same);
      case TP::INT16:
        return from_bytes<std::int16_t>(*raw, n, out, same);
      case TP::UINT16:
        return from_bytes<std::uint16_t>(*raw, n, out, same);
      case TP::INT32:
        return from_bytes<std::int32_t>(*raw, n, out, same);
      case TP::UINT32:
        return from_bytes<std::uint32_t>(*raw, n, out, same);
      case TP::INT64:
        return from_bytes<std::int64_t>(*raw, n, out, same);
      case TP::UINT64:
        return from_bytes<std::uint64_t>(*raw, n, out, same);
      default:
        break;
    }
  }
  // The typed fields: 16-bit floats are stored as their bit patterns in int32_data.
  switch (type) {
    case TP::FLOAT:
      return from_field(t, t.float_data(), n, out, same);
    case TP::DOUBLE:
      return from_field(t, t.double_data(), n, out, same);
    case TP::FLOAT16:
      return from_field(t, t.int32_data(), n, out, [](std::int32_t v) {
        return half_to_float(static_cast<std::uint16_t>(v));
      });
    case TP::BFLOAT16:
      return from_field(t, t.int32_data(), n, out, [](std::int32_t v) {
        return bfloat16_to_float(static_cast<std::uint16_t>(v));
      });
    case TP::INT64:
      return from_field(t, t.int64_data(), n, out, same);
    case TP::UINT32:
    case TP::UINT64:
      return from_field(t, t.uint64_data(), n, out, same);
    default:
      return from_field(t, t.int32_data(), n, out, same);
  }
}

// Checks the stored length before anything is allocated for the values.
void check_stored_length(const TP& t, std::size_t n) {
  if (t.data_location() == TP::EXTERNAL) return;  // checked once the bytes are read
  const std::size_t width = element_width(t.data_type());
  if (width == 0) fail(t, "mpsim cannot read " + element_type_name(t.data_type()) + " tensors");
  std::size_t stored = 0;
  if (t.has_raw_data()) {
    stored = t.raw_data().size() / width;
  } else {
    switch (t.data_type()) {
      case TP::FLOAT:
        stored = static_cast<std::size_t>(t.float_data_size());
        break;
      case TP::DOUBLE:
        stored = static_cast<std::size_t>(t.double_data_size());
        break;
      case TP::INT64:
        stored = static_cast<std::size_t>(t.int64_data_size());
        break;
      case TP::UINT32:
      case TP::UINT64:
        stored = static_cast<std::size_t>(t.uint64_data_size());
        break;
      default:
        stored = static_cast<std::size_t>(t.int32_data_size());
        break;
    }
  }
  if (stored != n)
    fail(t, "holds " + std::to_string(stored) + " values but its shape " +
                shape_string(tensor_shape(t)) + " needs " + std::to_string(n));
}

// out[c][r] = in[r][c] with in read through read(flat index), in tiles so that both the reads
// and the writes stay in cache (inner loop along the output's rows: contiguous writes).
template <class Read>
void transpose_tiles(std::size_t rows, std::size_t cols, float* out, Read read) {
  constexpr std::size_t kTile = 64;  // 64 measured fastest here on cold 768x2304 matrices
  for (std::size_t r0 = 0; r0 < rows; r0 += kTile)
    for (std::size_t c0 = 0; c0 < cols; c0 += kTile) {
      const std::size_t r1 = std::min(rows, r0 + kTile), c1 = std::min(cols, c0 + kTile);
      for (std::size_t c = c0; c < c1; ++c)
        for (std::size_t r = r0; r < r1; ++r)
          out[c * rows + r] = read(r * cols + c);
    }
}

}  // namespace

Const Const::of_ints(Shape shape, std::vector<std::int64_t> values) {
  Const c;
  c.shape = std::move(shape);
  c.is_int = true;
  c.ints = std::move(values);
  return c;
}

Const Const::of_reals(Shape shape, std::vector<double> values) {
  Const c;
  c.shape = std::move(shape);
  c.reals = std::move(values);
  return c;
}

std::string element_type_name(int type) {
  if (!TP::DataType_IsValid(type)) return "type " + std::to_string(type);
  std::string name = TP::DataType_Name(static_cast<TP::DataType>(type));
  for (auto& ch : name)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return name;
}

bool is_integer_type(int type) {
  switch (type) {
    case TP::BOOL:
    case TP::INT8:
    case TP::UINT8:
    case TP::INT16:
    case TP::UINT16:
    case TP::INT32:
    case TP::UINT32:
    case TP::INT64:
    case TP::UINT64:
      return true;
    default:
      return false;
  }
}

bool is_real_type(int type) {
  return type == TP::FLOAT || type == TP::DOUBLE || type == TP::FLOAT16 || type == TP::BFLOAT16;
}

Shape tensor_shape(const TP& t) {
  Shape s(t.dims().begin(), t.dims().end());
  // A corrupt file may claim absurd sizes: refuse them before anything is allocated.
  constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;
  std::int64_t n = 1;
  for (auto d : s) {
    if (d < 0) fail(t, "has a negative dimension in its shape");
    if (d > 0 && n > kMaxElements / d) fail(t, "has an impossibly large shape");
    n *= d;
  }
  return s;
}

Const decode_const(const TP& t, const std::string& model_dir) {
  Const c;
  c.shape = tensor_shape(t);
  const auto n = static_cast<std::size_t>(element_count(c.shape));
  check_stored_length(t, n);
  c.is_int = is_integer_type(t.data_type());
  if (c.is_int) {
    c.ints.resize(n);
    decode_values(t, model_dir, n, c.ints.data());
  } else {
    c.reals.resize(n);
    decode_values(t, model_dir, n, c.reals.data());
  }
  return c;
}

Tensor decode_float_tensor(const TP& t, const std::string& model_dir) {
  Tensor out;
  out.shape = tensor_shape(t);
  const auto n = static_cast<std::size_t>(element_count(out.shape));
  check_stored_length(t, n);
  out.data.resize(n);
  decode_values(t, model_dir, out.data.size(), out.data.data());
  return out;
}

Tensor to_float_tensor(const Const& c) {
  Tensor out;
  out.shape = c.shape;
  out.data.resize(c.size());
  for (std::size_t k = 0; k < c.size(); ++k)
    out.data[k] = static_cast<float>(c.real(k));
  return out;
}

Tensor transposed(const Tensor& t) {
  const auto rows = static_cast<std::size_t>(t.shape.at(0));
  const auto cols = static_cast<std::size_t>(t.shape.at(1));
  Tensor out;
  out.shape = {t.shape[1], t.shape[0]};
  out.data.resize(t.data.size());
  transpose_tiles(rows, cols, out.data.data(), [&](std::size_t k) { return t.data[k]; });
  return out;
}

Tensor decode_float_matrix_transposed(const TP& t, const std::string& model_dir) {
  const Shape shape = tensor_shape(t);
  if (shape.size() != 2) fail(t, "expected a 2-D matrix, got shape " + shape_string(shape));
  const bool raw_fp32 =
      t.data_type() == TP::FLOAT && t.data_location() != TP::EXTERNAL && t.has_raw_data();
  if (!raw_fp32) return transposed(decode_float_tensor(t, model_dir));
  const auto n = static_cast<std::size_t>(element_count(shape));
  check_stored_length(t, n);
  if (t.raw_data().size() != n * sizeof(float))
    fail(t, "holds " + std::to_string(t.raw_data().size()) + " bytes but its shape " +
                shape_string(shape) + " of float needs " + std::to_string(n * sizeof(float)));
  Tensor out;
  out.shape = {shape[1], shape[0]};
  out.data.resize(n);
  const char* p = t.raw_data().data();
  transpose_tiles(static_cast<std::size_t>(shape[0]), static_cast<std::size_t>(shape[1]),
                  out.data.data(), [p](std::size_t k) {
                    float v;
                    std::memcpy(&v, p + k * sizeof(float), sizeof(float));
                    return v;
                  });
  return out;
}

}  // namespace mpsim::onnx_import
