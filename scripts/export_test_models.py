#!/usr/bin/env python3
"""Exports a model to ONNX for mpsim's importer tests and benchmarks.

Usage: export_test_models.py MODEL OUTPUT.onnx [--opset N]

MODEL is a torchvision classifier (resnet18, resnet50, mobilenet_v2, vit_b_16) exported with
random weights (weights=None) for a 1x3x224x224 input, or one of the small hand-built graphs the
error tests need:
  unsupported   a model with a NonMaxSuppression node (an op mpsim does not map)
  custom_domain a model with an op from a custom domain
  dynamic_batch a Conv whose input batch dimension is symbolic

Run it with Debian's /usr/bin/python3 (python3-torch, python3-torchvision, python3-onnx); see
scripts/setup.sh.
"""
import argparse
import sys

TORCHVISION_MODELS = ("resnet18", "resnet50", "mobilenet_v2", "vit_b_16")
HAND_BUILT = ("unsupported", "custom_domain", "dynamic_batch")


def export_torchvision(name, path, opset):
    import torch
    import torchvision

    # Debian's torch starts with one thread here; two keeps the export quick without hogging.
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(weights=None).eval()
    x = torch.randn(1, 3, 224, 224)
    # Not under torch.no_grad(): without autograd, nn.MultiheadAttention takes its fused fast
    # path (aten::_native_multi_head_attention), which torch 1.13 cannot export to ONNX.
    torch.onnx.export(model, x, path, opset_version=opset, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True)


def save_hand_built(name, path, opset):
    import onnx
    from onnx import TensorProto, helper

    if name == "dynamic_batch":
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 8, 8])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
        w = helper.make_tensor("w", TensorProto.FLOAT, [4, 3, 3, 3], [0.1] * 108)
        nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")]
        graph = helper.make_graph(nodes, name, [x], [y], [w])
        imports = [helper.make_opsetid("", opset)]
    else:
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 8, 8])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
        relu = helper.make_node("Relu", ["x"], ["r"], name="relu")
        if name == "unsupported":
            odd = helper.make_node("NonMaxSuppression", ["r", "r"], ["y"], name="nms")
            imports = [helper.make_opsetid("", opset)]
        else:
            odd = helper.make_node("FancyOp", ["r"], ["y"], name="fancy", domain="com.example")
            imports = [helper.make_opsetid("", opset), helper.make_opsetid("com.example", 1)]
        graph = helper.make_graph([relu, odd], name, [x], [y])
    model = helper.make_model(graph, opset_imports=imports, producer_name="mpsim-tests")
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", choices=TORCHVISION_MODELS + HAND_BUILT)
    parser.add_argument("output")
    parser.add_argument("--opset", type=int, default=13)
    args = parser.parse_args()
    if args.model in TORCHVISION_MODELS:
        export_torchvision(args.model, args.output, args.opset)
    else:
        save_hand_built(args.model, args.output, args.opset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
