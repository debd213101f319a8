// SCALE-Sim topology CSVs. Each row is an independent layer on its own input, as SCALE-Sim
// simulates them one by one; IFMAP sizes are already padded.
#include <fstream>
#include <sstream>

#include "formats/error.h"
#include "workloads/importers.h"
#include "workloads/src/toml_util.h"

namespace mpsim {

namespace {

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ','))
    cells.push_back(trim(cell));
  while (!cells.empty() && cells.back().empty())
    cells.pop_back();  // the trailing comma
  return cells;
}

std::int64_t positive(const std::string& cell, const std::string& column, const std::string& source,
                      int line) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != cell.size() || cell.empty() || v <= 0)
    throw UserError(
        located(source, line, 0,
                "column '" + column + "': expected a positive integer, found " + quote(cell)));
  return v;
}

}  // namespace

Network parse_scalesim_topology(std::string_view text, const std::string& source) {
  std::stringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  enum class Form { kUnknown, kConv, kGemm } form = Form::kUnknown;
  std::string stem = source;
  if (auto slash = stem.find_last_of('/'); slash != std::string::npos)
    stem = stem.substr(slash + 1);
  if (auto dot = stem.rfind('.'); dot != std::string::npos) stem = stem.substr(0, dot);
  Network net(stem);
  static const char* conv_columns[] = {"Layer name",    "IFMAP Height",  "IFMAP Width",
                                       "Filter Height", "Filter Width",  "Channels",
                                       "Num Filter",    "Stride Height", "Stride Width"};
  static const char* gemm_columns[] = {"Layer name", "M", "N", "K"};

  while (std::getline(in, line)) {
    ++line_no;
    const auto cells = split_row(line);
    if (cells.empty() || cells[0].rfind('#', 0) == 0) continue;
    if (form == Form::kUnknown) {  // the header row tells the form
      if (cells.size() == 8 || cells.size() == 9) {
        form = Form::kConv;
      } else if (cells.size() == 4) {
        form = Form::kGemm;
      } else {
        throw UserError(located(source, line_no, 0,
                                "expected a SCALE-Sim topology header: 'Layer name, IFMAP Height, "
                                "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
                                "Strides,' (convolution, optionally with separate stride height "
                                "and width) or 'Layer name, M, N, K,' (GEMM); found " +
                                    std::to_string(cells.size()) + " columns"));
      }
      continue;
    }
    const bool row_ok =
        form == Form::kConv ? (cells.size() == 8 || cells.size() == 9) : cells.size() == 4;
    if (!row_ok)
      throw UserError(located(source, line_no, 0,
                              std::string("expected ") + (form == Form::kConv ? "8 or 9" : "4") +
                                  " columns, found " + std::to_string(cells.size())));
    const std::string& name = cells[0];
    Layer l;
    l.name = name;
    l.source_line = line_no;
    try {
      if (form == Form::kConv) {
        std::int64_t v[9];
        for (std::size_t c = 1; c < cells.size(); ++c)
          v[c] = positive(cells[c], conv_columns[c], source, line_no);
        if (cells.size() == 8) v[8] = v[7];  // one stride for both directions
        // SCALE-Sim runs a layer whose name contains "DP" as a depthwise convolution: one
        // single-channel convolution of `Num Filter` filters per input channel.
        const bool depthwise = name.find("DP") != std::string::npos;
        const int in = net.add_input(name + ".ifmap", {1, v[5], v[1], v[2]}, line_no);
        l.op = Op::kConv2d;
        l.inputs = {in};
        std::int64_t out_channels = v[6];
        if (depthwise &&
            (__builtin_mul_overflow(v[5], v[6], &out_channels) || out_channels > kMaxCount))
          throw UserError(located(source, line_no, 0,
                                  "depthwise layer '" + name + "': Channels x Num Filter (" +
                                      cells[5] + " x " + cells[6] + ") is more than 2^62"));
        l.conv.out_channels = out_channels;
        l.conv.groups = depthwise ? v[5] : 1;
        l.conv.kernel_h = v[3];
        l.conv.kernel_w = v[4];
        l.conv.stride_h = v[7];
        l.conv.stride_w = v[8];
        // SCALE-Sim sizes the output as ceil((H - R + S) / S): when the stride does not divide
        // H - R it runs one more window, as if the input were padded at the bottom and right.
        // We pad so that shapes, MACs and cycles are SCALE-Sim's.
        if (v[1] >= v[3]) l.conv.pad_bottom = (v[7] - (v[1] - v[3]) % v[7]) % v[7];
        if (v[2] >= v[4]) l.conv.pad_right = (v[8] - (v[2] - v[4]) % v[8]) % v[8];
      } else {
        // SCALE-Sim's GEMM form: an (M x K) by (K x N) product, which it runs as a convolution
        // of an M x K input by N filters of 1 x K.
        std::int64_t v[4];
        for (int c = 1; c < 4; ++c)
          v[c] = positive(cells[static_cast<std::size_t>(c)], gemm_columns[c], source, line_no);
        const int in = net.add_input(name + ".a", {v[1], v[3]}, line_no);
        l.op = Op::kLinear;
        l.inputs = {in};
        l.out_features = v[2];
      }
      net.add_layer(std::move(l));
    } catch (const UserError& e) {
      const std::string msg = e.what();
      if (msg.rfind(source, 0) == 0) throw;
      throw UserError(located(source, line_no, 0, msg));
    }
  }
  if (net.mac_layers().empty()) throw UserError(source + ": the topology has no layers");
  return net;
}

Network import_scalesim_topology(const std::string& path) {
  return parse_scalesim_topology(read_text_file(path, "topology file"), path);
}

}  // namespace mpsim
