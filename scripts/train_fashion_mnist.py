#!/usr/bin/env python3
"""Trains mpsim's three bundled Fashion-MNIST classifiers and exports them to ONNX.

Usage: /usr/bin/python3 scripts/train_fashion_mnist.py [--out models] [--data DIR]

Writes, into --out (default: models/ next to this script's parent):
  fmnist_resnet.onnx, fmnist_mobilenetv2.onnx, fmnist_vit.onnx
      opset 13, one input "input" float32 [1,1,28,28] normalized as (x/255 - 0.2860)/0.3530,
      one output "logits" float32 [1,10];
  <name>.pt
      the trained PyTorch weights (state_dict), so that benchmarks can run the very network the
      ONNX file was exported from (bench/pytorch_baseline.py);
  <name>_logits100.npy
      the PyTorch (eval mode, fp32) logits of the first 100 test images, float32 [100,10], so a
      C++ evaluator can compare its outputs with PyTorch's;
  accuracy.json
      per model: PyTorch top-1 on all 10,000 test images, parameter count, ONNX file size.

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), read directly from the
gzip IDX files so that nothing beyond python3-torch, python3-onnx and python3-numpy is needed and
no network access is required.

Everything runs on the CPU with two threads; seeds are fixed so that a rerun on the same machine
reproduces the same weights (across CPUs, floating-point reduction order may differ slightly).
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

# Mean/std of the Fashion-MNIST training pixels (scaled to [0,1]); the evaluator must apply the
# same normalization, so it is also written into each model's metadata_props.
MEAN = 0.2860
STD = 0.3530
OPSET = 13
SEED = 0
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ----------------------------------------------------------------------------- data

def read_idx(path, magic, header_bytes):
    """Reads one gzip IDX file; checks the big-endian magic so a wrong file fails loudly."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    got = int.from_bytes(raw[0:4], "big")
    if got != magic:
        raise ValueError(f"{path}: magic 0x{got:08x}, expected 0x{magic:08x}")
    count = int.from_bytes(raw[4:8], "big")
    data = np.frombuffer(raw, dtype=np.uint8, offset=header_bytes)
    if magic == 0x00000803:
        rows = int.from_bytes(raw[8:12], "big")
        cols = int.from_bytes(raw[12:16], "big")
        return data.reshape(count, rows, cols)
    return data.reshape(count)


def load_split(data_dir, split):
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte.gz"), 0x00000803, 16)
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte.gz"), 0x00000801, 8)
    assert images.shape[0] == labels.shape[0]
    # Normalize once up front: the whole set is 60000*784 floats (188 MB), cheaper than
    # re-normalizing every batch, and exactly the transform the exported model expects.
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


# ----------------------------------------------------------------------------- models

class BasicBlock(nn.Module):
    """ResNet basic block; a 1x1 strided conv shortcut when the shape changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(y + s)


class SmallResNet(nn.Module):
    # Widths kept small (16/32/64) and a strided stem (28->14) so training fits the 2-core
    # budget (a full-resolution stem was ~6x slower); the two downsample blocks exercise the
    # 1x1-shortcut path, the first block the plain identity residual Add.
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(inplace=True))
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1),   # 14x14, identity shortcut
                                    BasicBlock(16, 32, 2),   # 7x7, 1x1 conv shortcut
                                    BasicBlock(32, 64, 2))   # 4x4, 1x1 conv shortcut
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = x.mean(dim=(2, 3))  # global average pool (exported as ReduceMean)
        return self.fc(x)


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand -> 3x3 depthwise -> 1x1 linear project."""

    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        layers = []
        if expand != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden),
                       nn.ReLU6(inplace=True)]
        layers += [nn.Conv2d(hidden, hidden, 3, stride, 1, groups=hidden, bias=False),
                   nn.BatchNorm2d(hidden), nn.ReLU6(inplace=True),
                   # No activation after the projection: the "linear bottleneck" of MobileNetV2.
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        y = self.body(x)
        return x + y if self.use_res else y


class SmallMobileNetV2(nn.Module):
    # (expand, out channels, stride) per block. The first block has expand 1 as in the paper
    # (no 1x1 expand conv), the rest expand 4x; stride-1 same-width blocks carry a residual.
    # The stem is strided (28->14) because depthwise-conv backward is slow on this CPU build.
    CONFIG = [(1, 16, 1), (4, 24, 2), (4, 24, 1), (4, 48, 2), (4, 48, 1)]

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU6(inplace=True))
        blocks, cin = [], 16
        for t, c, s in self.CONFIG:
            blocks.append(InvertedResidual(cin, c, s, t))
            cin = c
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.Conv2d(cin, 128, 1, bias=False), nn.BatchNorm2d(128),
                                  nn.ReLU6(inplace=True))
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.fc(x.mean(dim=(2, 3)))


class SmallViT(nn.Module):
    # Patch 7 -> a 4x4 grid = 16 tokens + class token; d 64, 2 pre-norm layers, 4 heads.
    def __init__(self, patch=7, dim=64, depth=2, heads=4, mlp=128):
        super().__init__()
        self.patch_embed = nn.Conv2d(1, dim, patch, patch)  # patchify + linear projection
        n = (28 // patch) ** 2
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.randn(1, n + 1, dim) * 0.02)
        # A plain ModuleList instead of nn.TransformerEncoder: the wrapper's nested-tensor
        # conversion adds nothing here and only complicates export.
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(dim, heads, mlp, dropout=0.0, activation="gelu",
                                       batch_first=True, norm_first=True)
            for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, 10)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)   # [B, 16, dim]
        # int(): during ONNX tracing the (static) batch size becomes a constant, so constant
        # folding turns the class token into a plain initializer instead of a
        # Shape/Equal/Where/Expand chain that the C++ importer would have to evaluate.
        cls = self.cls.expand(int(x.shape[0]), -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos
        for layer in self.layers:
            x = layer(x)
        return self.fc(self.norm(x[:, 0]))


# (name, constructor, epochs, peak lr, weight decay, description). Epoch counts are set from a
# timing run on a 2-core machine so that the whole script stays near 10 minutes.
MODELS = [
    ("fmnist_resnet", SmallResNet, 4, 3e-3, 1e-4,
     "small ResNet: conv3x3/2(16)-BN-ReLU stem, 3 basic blocks (16, 32/2, 64/2) with "
     "1x1-conv shortcuts on the strided blocks, global average pool, linear 10"),
    ("fmnist_mobilenetv2", SmallMobileNetV2, 3, 3e-3, 1e-4,
     "MobileNetV2-style: conv3x3/2(16)-BN-ReLU6 stem, 5 inverted residual blocks (1x1 expand, "
     "3x3 depthwise, 1x1 linear project, ReLU6; residual when shapes match), 1x1 conv 128, "
     "global average pool, linear 10"),
    ("fmnist_vit", SmallViT, 3, 2e-3, 5e-2,
     "small ViT: 7x7 patches (16 tokens) + class token, d=64, 2 pre-norm transformer layers, "
     "4 heads, MLP 128 with GELU, LayerNorm, linear 10 on the class token"),
]


# ----------------------------------------------------------------------------- training

def train(model, x, y, epochs, lr, wd, batch=128, log=print):
    steps_per_epoch = math.ceil(x.shape[0] / batch)
    total = epochs * steps_per_epoch
    # AdamW with a one-cycle schedule: converges fast in few epochs, no tuning of a step decay.
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=wd)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total,
                                                pct_start=0.2)
    # A dedicated generator so that shuffling does not depend on other RNG consumers.
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(x.shape[0], generator=gen)
        loss_sum, n = 0.0, 0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            # Random horizontal flip of half the batch: clothing is left-right symmetric, so
            # this is free extra data and costs nothing in wall time.
            flip = torch.rand(xb.shape[0], generator=gen) < 0.5
            xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * xb.shape[0]
            n += xb.shape[0]
        log(f"  epoch {epoch + 1}/{epochs}: loss {loss_sum / n:.4f} ({time.time() - t0:.0f} s)")


@torch.no_grad()
def logits_of(model, x, batch=500):
    model.eval()
    return torch.cat([model(x[i:i + batch]) for i in range(0, x.shape[0], batch)])


def export(model, path, name, desc, top1):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    # Not under torch.no_grad(): without autograd, nn.MultiheadAttention takes its fused fast
    # path (aten::_native_multi_head_attention), which torch 1.13 cannot export to ONNX.
    # Eval-mode export with constant folding folds BatchNorm into the preceding Conv.
    torch.onnx.export(model, dummy, path, opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], do_constant_folding=True,
                      training=torch.onnx.TrainingMode.EVAL)
    m = onnx.load(path)
    meta = {
        "model": name,
        "description": desc,
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
        "input": "input: float32 [1,1,28,28], grayscale, row-major",
        "normalization": f"(x/255 - {MEAN})/{STD}",
        "mean": str(MEAN),
        "std": str(STD),
        "output": "logits: float32 [1,10], unnormalized class scores",
        "classes": ",".join(CLASSES),
        "pytorch_top1": f"{top1:.4f}",
        "producer_script": "scripts/train_fashion_mnist.py",
    }
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, v
    m.doc_string = desc
    onnx.save(m, path)
    onnx.checker.check_model(onnx.load(path), full_check=True)
    return sorted({n.op_type for n in onnx.load(path).graph.node})


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(here), "models"))
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--only", nargs="*", help="train only these models (for debugging)")
    ap.add_argument("--epochs", type=int, help="override every model's epoch count")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    os.makedirs(args.out, exist_ok=True)
    start = time.time()

    def log(msg):
        print(f"[{time.time() - start:6.0f} s] {msg}", flush=True)

    xtr, ytr = load_split(args.data, "train")
    xte, yte = load_split(args.data, "t10k")
    log(f"data: train {tuple(xtr.shape)}, test {tuple(xte.shape)}")

    acc_path = os.path.join(args.out, "accuracy.json")
    results = {}
    if os.path.exists(acc_path):  # keep other models' entries when --only is used
        with open(acc_path) as f:
            results = json.load(f)
    for name, ctor, epochs, lr, wd, desc in MODELS:
        if args.only and name not in args.only:
            continue
        # Reseed per model so each model's weights do not depend on which others ran before.
        torch.manual_seed(SEED)
        np.random.seed(SEED)
        model = ctor()
        params = sum(p.numel() for p in model.parameters())
        log(f"{name}: {params} parameters, {args.epochs or epochs} epochs")
        t0 = time.time()
        train(model, xtr, ytr, args.epochs or epochs, lr, wd, log=log)
        train_s = time.time() - t0

        logits = logits_of(model, xte)
        top1 = (logits.argmax(1) == yte).float().mean().item()
        np.save(os.path.join(args.out, f"{name}_logits100.npy"),
                logits[:100].numpy().astype(np.float32))
        torch.save(model.state_dict(), os.path.join(args.out, f"{name}.pt"))
        path = os.path.join(args.out, f"{name}.onnx")
        ops = export(model, path, name, desc, top1)
        size = os.path.getsize(path)
        log(f"{name}: top-1 {top1:.4f}, {size} bytes, train {train_s:.0f} s, ops {ops}")
        if size > 2 * 1024 * 1024:
            sys.exit(f"{path} is {size} bytes, over the 2 MB limit")
        results[name] = {"pytorch_top1": round(top1, 4), "test_images": int(xte.shape[0]),
                         "opset": OPSET, "params": params, "onnx_bytes": size,
                         "epochs": args.epochs or epochs, "train_seconds": round(train_s),
                         "onnx_ops": ops}
    with open(acc_path, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    log(f"done in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
