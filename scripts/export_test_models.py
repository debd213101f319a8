#!/usr/bin/env python3
"""Exports models to ONNX for mpsim's importer tests and benchmarks.

Usage: export_test_models.py MODEL OUTPUT.onnx [--opset N] [--reference PREFIX]
                             [--dynamic AXES] [--no-metadata]

With --reference, a torch MODEL is also run on two seeded random inputs and PREFIX_input.npy
and PREFIX_output.npy (float32, first axis the sample) are written: what the evaluator's fp32
engine must reproduce.

MODEL is one of
  resnet18, resnet50, mobilenet_v2, vit_b_16
      a torchvision classifier with random weights (weights=None), input 1x3x224x224;
  ops_torch
      a small torch network touching the ops torchvision's classifiers do not (hardswish,
      hardsigmoid, batch norm, pad, ceil-mode pooling, chunk, layer norm, GELU, attention,
      clamp, ...), input 1x3x32x32;
  fmnist_resnet, fmnist_mobilenetv2, fmnist_vit
      the bundled Fashion-MNIST classifiers, rebuilt from models/<name>.pt with the classes of
      scripts/train_fashion_mnist.py and exported as it does (with the bundled models' metadata
      unless --no-metadata), input 1x1x28x28;
  tiny_transformer
      token embeddings [1, 12, 32] through a linear, one pre-norm transformer layer (4 heads) and
      a linear head: a model with a sequence axis;
  ops_onnx
      a graph built with the onnx helper, for exact checks of attribute and weight handling:
      fp16 and double initializers, auto_pad SAME_UPPER, Pad, Dropout, Identity, Split, MatMul
      and Gemm weights, a Constant node;
  dynamic_batch, dynamic_dims, dynamic_seq, dynamic_pair, no_shape
      hand-built graphs with dynamic input dimensions: x [batch, 3, 8, 8]; x [N, 3, H, W]; two
      inputs [N, seq, 8] sharing the dimension 'seq'; two inputs [N, 8] and [M, 8] whose batch
      dimensions have different names; an input without a shape;
  unsupported, custom_domain, missing_initializer
      small broken or unsupported graphs for the error tests.

--dynamic AXES exports a torch MODEL the way most models in the wild are exported, with
dynamic_axes: "batch" makes the input's and output's first axis 'N'; "batch,seq" also makes the
input's second axis 'seq' (tiny_transformer).

Run it with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx); see
scripts/setup.sh. Models are written where asked and never kept in the source tree.
"""
import argparse
import math
import os
import sys

TORCHVISION_MODELS = ("resnet18", "resnet50", "mobilenet_v2", "vit_b_16")
BUNDLED = ("fmnist_resnet", "fmnist_mobilenetv2", "fmnist_vit")
HAND_BUILT = ("ops_onnx", "unsupported", "custom_domain", "dynamic_batch", "dynamic_dims",
              "dynamic_seq", "dynamic_pair", "no_shape", "missing_initializer")
SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dynamic_axes(axes, output_name="output"):
    """torch.onnx.export's dynamic_axes for --dynamic: None, "batch" or "batch,seq"."""
    if not axes:
        return None
    names = axes.split(",")
    if names not in (["batch"], ["batch", "seq"]):
        sys.exit(f"--dynamic {axes}: expected batch or batch,seq")
    inputs = {0: "N"}
    if "seq" in names:
        inputs[1] = "seq"
    return {"input": inputs, output_name: {0: "N"}}


def export_torch(model, x, path, opset, axes=None, output_name="output"):
    import torch

    # Not under torch.no_grad(): without autograd, nn.MultiheadAttention takes its fused fast
    # path (aten::_native_multi_head_attention), which torch 1.13 cannot export to ONNX.
    torch.onnx.export(model.eval(), x, path, opset_version=opset, input_names=["input"],
                      output_names=[output_name], do_constant_folding=True,
                      dynamic_axes=dynamic_axes(axes, output_name))


def export_bundled(name, path, opset, axes, metadata):
    """A bundled Fashion-MNIST model from its .pt weights, exported as the training script does
    (input "input", output "logits"), with the bundled .onnx file's metadata when asked."""
    import onnx
    import torch

    sys.path.insert(0, os.path.join(SOURCE, "scripts"))
    import train_fashion_mnist as t

    ctor = {m[0]: m[1] for m in t.MODELS}[name]
    model = ctor()
    model.load_state_dict(torch.load(os.path.join(SOURCE, "models", name + ".pt")))
    export_torch(model, torch.zeros(1, 1, 28, 28), path, opset, axes, output_name="logits")
    if metadata:
        m = onnx.load(path)
        for prop in onnx.load(os.path.join(SOURCE, "models", name + ".onnx")).metadata_props:
            m.metadata_props.add().CopyFrom(prop)
        onnx.save(m, path)
    return model, (1, 28, 28)


def export_tiny_transformer(path, opset, axes):
    import torch
    import torch.nn as nn

    class TinyTransformer(nn.Module):
        def __init__(self, d=32):
            super().__init__()
            self.embed = nn.Linear(d, d)
            self.layer = nn.TransformerEncoderLayer(d, 4, 64, dropout=0.0, batch_first=True,
                                                    norm_first=True)
            self.head = nn.Linear(d, 10)

        def forward(self, x):                      # [batch, seq, 32]
            return self.head(self.layer(self.embed(x)))

    model = TinyTransformer()
    export_torch(model, torch.randn(1, 12, 32), path, opset, axes)
    return model, (12, 32)


def export_torchvision(name, path, opset):
    import torch
    import torchvision

    model = getattr(torchvision.models, name)(weights=None)
    export_torch(model, torch.randn(1, 3, 224, 224), path, opset)
    return model, (3, 224, 224)


def export_ops_torch(path, opset):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class OpsNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 32, 3, stride=2, padding=1)
            self.dw = nn.Conv2d(32, 32, 3, padding=2, dilation=2, groups=32)
            self.bn = nn.BatchNorm2d(32)
            self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
            self.avg = nn.AvgPool2d(2, stride=2)
            self.token = nn.Parameter(torch.randn(1, 1, 32))
            self.ln = nn.LayerNorm(32)
            self.qkv = nn.Linear(32, 96)
            self.fc = nn.Linear(32, 10)

        def forward(self, x):                      # 1x3x32x32
            x = F.hardswish(self.conv(x))          # 1x32x16x16
            x = self.bn(x)                         # not after a conv: stays a BatchNormalization
            y = self.dw(x)                         # depthwise, dilated: 1x32x16x16
            x = x + torch.sigmoid(y) * torch.tanh(y)
            x = F.hardsigmoid(x)
            x = F.pad(x, (1, 1, 2, 0))             # 1x32x18x18
            x = self.pool(x)                       # ceil mode: 1x32x9x9
            a, b = torch.chunk(x, 2, dim=1)        # two 1x16x9x9
            x = torch.cat([b, a], dim=1)
            x = self.avg(x[:, :, :8, :8])          # 1x32x4x4
            t = x.flatten(2).transpose(1, 2)       # 1x16x32
            t = t.unsqueeze(0).squeeze(0)
            t = torch.cat([self.token.expand(t.shape[0], -1, -1), t], dim=1)  # 1x17x32
            t = F.gelu(self.ln(t))
            q, k, v = self.qkv(t).chunk(3, dim=-1)  # 1x17x32 each
            att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(32), dim=-1)
            t = att @ v                            # 1x17x32
            t = t[:, 0] + t.mean(dim=1)            # 1x32
            t = torch.sqrt(t.pow(2) + 1e-3) - t
            t = t.clamp(-1.0, 2.0)
            return self.fc(t)                      # 1x10

    torch.manual_seed(0)
    model = OpsNet()
    export_torch(model, torch.randn(1, 3, 32, 32), path, opset)
    return model, (3, 32, 32)


def save_reference(model, sample_shape, prefix):
    import numpy as np
    import torch

    torch.manual_seed(1)
    x = torch.randn(2, *sample_shape)
    with torch.no_grad():
        y = torch.cat([model(x[i:i + 1]) for i in range(x.shape[0])])
    np.save(prefix + "_input.npy", x.numpy().astype(np.float32))
    np.save(prefix + "_output.npy", y.numpy().astype(np.float32))


def save_hand_built(name, path, opset):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def value_info(n, shape):
        return helper.make_tensor_value_info(n, TensorProto.FLOAT, shape)

    imports = [helper.make_opsetid("", opset)]
    initializers = []
    if name == "ops_onnx":
        # Values chosen to be exact in fp16 so the test can compare them.
        w = (np.arange(4 * 2 * 3 * 3, dtype=np.float32) * 0.25 - 4.0).reshape(4, 2, 3, 3)
        b = np.array([0.5, -1.5, 2.0, 3.25], dtype=np.float64)
        bm = np.arange(64 * 3, dtype=np.float32).reshape(64, 3)
        bg = np.array([[1, 2], [3, 4], [5, 6]], dtype=np.float32)
        cg = np.array([10, 20], dtype=np.float32)
        initializers = [numpy_helper.from_array(w.astype(np.float16), "w_fp16"),
                        numpy_helper.from_array(b, "b_double"),
                        numpy_helper.from_array(bm, "matmul_weight"),
                        numpy_helper.from_array(bg, "gemm_weight"),
                        numpy_helper.from_array(cg, "gemm_bias"),
                        numpy_helper.from_array(np.array([0, 0, 1, 0, 0, 0, 0, 1], np.int64),
                                                "pads")]
        # Split sizes: an attribute before opset 13, an input from 13 on.
        if opset < 13:
            split = helper.make_node("Split", ["f"], ["s1", "s2"], name="split", axis=1,
                                     split=[16, 48])
        else:
            initializers.append(numpy_helper.from_array(np.array([16, 48], np.int64), "sizes"))
            split = helper.make_node("Split", ["f", "sizes"], ["s1", "s2"], name="split", axis=1)
        nodes = [
            helper.make_node("Conv", ["x", "w_fp16", "b_double"], ["c"], name="conv",
                             auto_pad="SAME_UPPER", strides=[2, 2]),            # 1x4x3x3
            helper.make_node("Pad", ["c", "pads"], ["p"], name="pad"),          # 1x4x4x4
            helper.make_node("Dropout", ["p"], ["d"], name="dropout"),
            helper.make_node("Identity", ["d"], ["i"], name="identity"),
            helper.make_node("Flatten", ["i"], ["f"], name="flatten"),          # 1x64
            split,                                                              # 1x16, 1x48
            helper.make_node("Concat", ["s2", "s1"], ["sc"], name="concat", axis=1),
            helper.make_node("MatMul", ["sc", "matmul_weight"], ["m"], name="matmul"),  # 1x3
            helper.make_node("Gemm", ["m", "gemm_weight", "gemm_bias"], ["g"], name="gemm",
                             alpha=2.0),                                        # 1x2
            helper.make_node("Constant", [], ["shape"], name="shape",
                             value=numpy_helper.from_array(np.array([1, 2, 1], np.int64))),
            helper.make_node("Reshape", ["g", "shape"], ["y"], name=""),        # 1x2x1
        ]
        graph = helper.make_graph(nodes, name, [value_info("x", [1, 2, 5, 5])],
                                  [value_info("y", None)], initializers)
    elif name in ("dynamic_batch", "dynamic_dims", "no_shape"):
        w = numpy_helper.from_array(np.full((4, 3, 3, 3), 0.1, np.float32), "w")
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
        shape = {"dynamic_batch": ["batch", 3, 8, 8], "dynamic_dims": ["N", 3, "H", "W"]}
        x = (value_info("x", shape[name]) if name in shape else
             helper.make_tensor_value_info("x", TensorProto.FLOAT, None))
        graph = helper.make_graph(nodes, name, [x], [value_info("y", None)], [w])
    elif name in ("dynamic_seq", "dynamic_pair"):
        w = numpy_helper.from_array(np.full((8, 5), 0.1, np.float32), "w")
        nodes = [helper.make_node("Add", ["a", "b"], ["s"], name="add"),
                 helper.make_node("MatMul", ["s", "w"], ["y"], name="proj")]
        shapes = ([["N", "seq", 8], ["N", "seq", 8]] if name == "dynamic_seq" else
                  [["N", 8], ["M", 8]])
        graph = helper.make_graph(nodes, name, [value_info("a", shapes[0]),
                                                value_info("b", shapes[1])],
                                  [value_info("y", None)], [w])
    elif name == "missing_initializer":
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
        graph = helper.make_graph(nodes, name, [value_info("x", [1, 3, 8, 8])],
                                  [value_info("y", None)])
    else:
        relu = helper.make_node("Relu", ["x"], ["r"], name="relu")
        if name == "unsupported":
            odd = helper.make_node("NonMaxSuppression", ["r", "r"], ["y"], name="nms")
        else:
            odd = helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")
            imports.append(helper.make_opsetid("com.example", 1))
        graph = helper.make_graph([relu, odd], name, [value_info("x", [1, 4, 8, 8])],
                                  [value_info("y", None)])
    model = helper.make_model(graph, opset_imports=imports, producer_name="mpsim-tests")
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", choices=TORCHVISION_MODELS + BUNDLED +
                        ("ops_torch", "tiny_transformer") + HAND_BUILT)
    parser.add_argument("output")
    parser.add_argument("--opset", type=int, default=13)
    parser.add_argument("--reference", metavar="PREFIX",
                        help="also write PREFIX_input.npy and PREFIX_output.npy (torch models)")
    parser.add_argument("--dynamic", metavar="AXES", help="batch or batch,seq (torch models)")
    parser.add_argument("--no-metadata", action="store_true",
                        help="leave out the bundled models' metadata (normalization)")
    args = parser.parse_args()
    if args.model in HAND_BUILT:
        save_hand_built(args.model, args.output, args.opset)
        return 0
    import torch

    # Debian's torch starts with one thread here; two keeps exports quick without hogging.
    torch.set_num_threads(2)
    torch.manual_seed(0)
    if args.model in BUNDLED:
        model, shape = export_bundled(args.model, args.output, args.opset, args.dynamic,
                                      not args.no_metadata)
    elif args.model == "tiny_transformer":
        model, shape = export_tiny_transformer(args.output, args.opset, args.dynamic)
    elif args.dynamic:
        sys.exit(f"--dynamic is for {', '.join(BUNDLED)} and tiny_transformer")
    elif args.model == "ops_torch":
        model, shape = export_ops_torch(args.output, args.opset)
    else:
        model, shape = export_torchvision(args.model, args.output, args.opset)
    if args.reference:
        save_reference(model.eval(), shape, args.reference)
    return 0


if __name__ == "__main__":
    sys.exit(main())
