#include "quant/src/dnnl_conv.h"

#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>
#include <utility>
#include <vector>

#include "formats/error.h"

namespace mpsim::quant_detail {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

dnnl::engine& cpu() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

}  // namespace

struct ConvPrimitives {
  struct Entry {
    dnnl::convolution_forward conv;
    memory::desc src_plain, dst_plain, wei_plain, bias_plain;
    memory::desc src_blocked, dst_blocked, wei_blocked;
    dnnl::reorder src_in, dst_out, wei_in;
    bool src_reorder = false, dst_reorder = false, wei_reorder = false;
  };
  std::map<std::pair<const Layer*, std::int64_t>, Entry> entries;
  // The blocked copies live in buffers shared by every layer of the thread (sized to the
  // largest), not one per primitive: a large network would otherwise hold them all at once.
  std::vector<float> src_buffer, dst_buffer, wei_buffer;
  dnnl::stream stream{cpu()};  // one per thread, reused by every call
};

std::shared_ptr<ConvPrimitives> make_conv_primitives() {
  return std::make_shared<ConvPrimitives>();
}

namespace {

ConvPrimitives::Entry build(const Layer& l, const Shape& is, std::int64_t batch, bool has_bias) {
  const auto& c = l.conv;
  const memory::dims src{batch, is[1], is[2], is[3]};
  const memory::dims dst{batch, c.out_channels, l.output_shape[2], l.output_shape[3]};
  const memory::dims wei = c.groups == 1
                               ? memory::dims{c.out_channels, is[1], c.kernel_h, c.kernel_w}
                               : memory::dims{c.groups, c.out_channels / c.groups, is[1] / c.groups,
                                              c.kernel_h, c.kernel_w};
  ConvPrimitives::Entry e;
  e.src_plain = memory::desc(src, kF32, Tag::nchw);
  e.dst_plain = memory::desc(dst, kF32, Tag::nchw);
  e.wei_plain = memory::desc(wei, kF32, c.groups == 1 ? Tag::oihw : Tag::goihw);
  e.bias_plain = memory::desc({c.out_channels}, kF32, Tag::x);
  const memory::desc src_any(src, kF32, Tag::any), dst_any(dst, kF32, Tag::any),
      wei_any(wei, kF32, Tag::any);
  const memory::dims strides{c.stride_h, c.stride_w}, dilation{c.dilation_h - 1, c.dilation_w - 1},
      pad_l{c.pad_top, c.pad_left}, pad_r{c.pad_bottom, c.pad_right};
  const auto desc =
      has_bias ? dnnl::convolution_forward::desc(
                     dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                     src_any, wei_any, e.bias_plain, dst_any, strides, dilation, pad_l, pad_r)
               : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                 dnnl::algorithm::convolution_direct, src_any,
                                                 wei_any, dst_any, strides, dilation, pad_l, pad_r);
  const dnnl::convolution_forward::primitive_desc pd(desc, cpu());
  e.conv = dnnl::convolution_forward(pd);
  e.src_reorder = pd.src_desc() != e.src_plain;
  e.dst_reorder = pd.dst_desc() != e.dst_plain;
  e.wei_reorder = pd.weights_desc() != e.wei_plain;
  e.src_blocked = pd.src_desc();
  e.dst_blocked = pd.dst_desc();
  e.wei_blocked = pd.weights_desc();
  if (e.src_reorder)
    e.src_in =
        dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), e.src_plain, cpu(), e.src_blocked));
  if (e.dst_reorder)
    e.dst_out =
        dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), e.dst_blocked, cpu(), e.dst_plain));
  if (e.wei_reorder)
    e.wei_in =
        dnnl::reorder(dnnl::reorder::primitive_desc(cpu(), e.wei_plain, cpu(), e.wei_blocked));
  return e;
}

}  // namespace

void dnnl_conv2d(const Layer& l, const Shape& is, const float* in, std::int64_t batch,
                 const float* weight, const float* bias, float* out, ConvPrimitives& cache) {
  auto key = std::make_pair(&l, batch);
  auto it = cache.entries.find(key);
  if (it == cache.entries.end()) {
    try {
      it = cache.entries.emplace(key, build(l, is, batch, bias != nullptr)).first;
    } catch (const dnnl::error& e) {
      throw UserError("layer '" + l.name + "': oneDNN cannot build this convolution (" + e.what() +
                      ")");
    }
  }
  ConvPrimitives::Entry& e = it->second;
  dnnl::stream& st = cache.stream;
  // The engine's buffers are wrapped, not copied: oneDNN reads and writes them in place.
  memory src(e.src_plain, cpu(), const_cast<float*>(in));
  memory dst(e.dst_plain, cpu(), out);
  memory wei(e.wei_plain, cpu(), const_cast<float*>(weight));
  auto blocked = [&](const memory::desc& d, std::vector<float>& buf) {
    const std::size_t n = (d.get_size() + sizeof(float) - 1) / sizeof(float);
    if (buf.size() < n) buf.resize(n);
    return memory(d, cpu(), buf.data());
  };
  memory src_used = e.src_reorder ? blocked(e.src_blocked, cache.src_buffer) : src;
  memory dst_used = e.dst_reorder ? blocked(e.dst_blocked, cache.dst_buffer) : dst;
  memory wei_used = e.wei_reorder ? blocked(e.wei_blocked, cache.wei_buffer) : wei;
  if (e.src_reorder) e.src_in.execute(st, src, src_used);
  if (e.wei_reorder) e.wei_in.execute(st, wei, wei_used);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src_used}, {DNNL_ARG_WEIGHTS, wei_used}, {DNNL_ARG_DST, dst_used}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(e.bias_plain, cpu(), const_cast<float*>(bias)));
  e.conv.execute(st, args);
  if (e.dst_reorder) e.dst_out.execute(st, dst_used, dst);
  st.wait();
}

}  // namespace mpsim::quant_detail
