#!/usr/bin/env python3
"""PyTorch's inference speed on a bundled model: the baseline mpsim's evaluator is measured
against (bench/bench_eval.cpp runs this script in the same benchmark run).

Usage: /usr/bin/python3 bench/pytorch_baseline.py MODEL [--threads 2] [--images 10000]
                                                         [--batch 32,64,128,256,1000]
                                                         [--repeats 3]

MODEL is fmnist_resnet, fmnist_mobilenetv2 or fmnist_vit: the network class from
scripts/train_fashion_mnist.py with the weights saved next to the ONNX file (models/MODEL.pt),
in eval mode under torch.inference_mode(), on the Fashion-MNIST test images normalized as the
model expects. Every batch size of --batch is tried and PyTorch is credited with its fastest.
Prints one JSON line: images per second (from the median of --repeats passes over the images
at the best batch size, after one warm-up pass), the seconds of that median pass, the batch size, the speed
at every batch size, and the top-1 of the run (a check that the weights are the exported ones).
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--batch", default="32,64,128,256,1000",
                    help="comma-separated batch sizes to try")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    import torch
    import train_fashion_mnist as t

    torch.set_num_threads(args.threads)
    ctors = {name: ctor for name, ctor, *_ in t.MODELS}
    if args.model not in ctors:
        sys.exit(f"unknown model {args.model}; expected one of {', '.join(ctors)}")
    model = ctors[args.model]()
    model.load_state_dict(torch.load(os.path.join(ROOT, "models", args.model + ".pt")))
    model.eval()
    x, y = t.load_split(args.data, "t10k")
    x, y = x[:args.images], y[:args.images]

    def one_pass(batch):
        outs = []
        with torch.inference_mode():
            for i in range(0, x.shape[0], batch):
                outs.append(model(x[i:i + batch]))
        return torch.cat(outs)

    speeds = {}
    best, best_batch, logits = float("inf"), None, None
    for batch in (int(b) for b in args.batch.split(",")):
        out = one_pass(batch)  # warm-up
        logits = out if logits is None else logits
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            one_pass(batch)
            times.append(time.perf_counter() - t0)
        seconds = sorted(times)[len(times) // 2]
        speeds[batch] = x.shape[0] / seconds
        if seconds < best:
            best, best_batch = seconds, batch
    top1 = (logits.argmax(1) == y).float().mean().item()
    print(json.dumps({"model": args.model, "threads": args.threads, "batch": best_batch,
                      "images_per_second_by_batch": speeds,
                      "images": int(x.shape[0]), "seconds": best,
                      "images_per_second": x.shape[0] / best, "top1": top1,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
