#!/usr/bin/env python3
"""One-shot quantization-aware precision search (FLIQS) on the bundled Fashion-MNIST ResNet.

Usage (from the repository root, after the build):

    PYTHONPATH=build/python /usr/bin/python3 examples/fliqs_qat.py \\
        --target 0.6xint8:int8 --out chosen.toml --onnx-out fliqs_resnet.onnx
    build/mpsim simulate --hw edge_npu -w models/fmnist_resnet.onnx -m chosen.toml
    build/mpsim eval --model fliqs_resnet.onnx --map chosen.toml

After Dotzel et al., "FLIQS: One-Shot Mixed-Precision Floating-Point and Integer Quantization
Search" (arXiv 2308.03290). Every step samples a precision map from a softmax policy (one
categorical decision per quantizer group, over (weight, activation) format pairs), takes one
quantization-aware training step of the shared weights under that map (straight-through fake
quantization following mpsim's evaluator), scores the map on a held-out batch of training images
and updates the policy by REINFORCE on r = quality - beta |C / C_T - 1| (--one-sided: only
the excess over the target), where C is the map's energy summed from mpsim's per-layer cost
table. The weights start from the bundled fp32 weights (models/fmnist_resnet.pt) and are
fine-tuned; nothing is retrained afterwards.

At the end the converged policy's most probable map is priced by mpsim's whole-map simulation,
written as a precision map (--out), the fine-tuned network is exported to ONNX (--onnx-out) and
`mpsim eval` measures its top-1 on the 10,000 test images under the map.
"""
import argparse
import importlib.util
import json
import math
import os
import pickle
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = "fliqs_qat.py"
DEFAULT_CANDIDATES = "int8:int8,int4:int8,int8:int4,int4:int4"


def fail(message):
    """Bad input: one line naming what was wrong, exit status 2, nothing written."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    sys.exit(2)


# ----------------------------------------------------------------------------- arguments

def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog=PROG, description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--hw", default="edge_npu", help="hardware config (a bundled name or a file)")
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "fmnist_resnet.onnx"),
                    help="the bundled ResNet as ONNX: the network the cost table prices")
    ap.add_argument("--weights", default=os.path.join(ROOT, "models", "fmnist_resnet.pt"),
                    help="the fp32 weights the fine-tuning starts from")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                    help="folder of the Fashion-MNIST gzip IDX files")
    ap.add_argument("--mpsim", default=os.path.join(ROOT, "build", "mpsim"),
                    help="the mpsim program (for the quantizer groups)")
    ap.add_argument("--candidates", default=DEFAULT_CANDIDATES,
                    help="WEIGHT:ACTIVATION pairs of signed integer formats the array runs")
    ap.add_argument("--target", default="0.6xint8:int8",
                    help="energy target: SHARExPAIR (a share of that uniform map's energy) "
                         "or a number of pJ")
    ap.add_argument("--beta", type=float, default=1.0, help="weight of the cost penalty")
    ap.add_argument("--one-sided", action="store_true",
                    help="penalise only maps dearer than the target: beta (max(1, C/C_T) - 1), "
                         "as mpsim search --one-sided")
    ap.add_argument("--epochs", type=int, default=4, help="passes over the training images")
    ap.add_argument("--steps", type=int, default=None,
                    help="total steps (one sampled map, one training batch, one policy update "
                         "each); default: --epochs worth of batches")
    ap.add_argument("--warmup", type=int, default=None,
                    help="steps of uniform sampling without policy updates (default: 20%% of "
                         "the steps)")
    ap.add_argument("--batch", type=int, default=128, help="training batch")
    ap.add_argument("--reward-batch", type=int, default=256,
                    help="held-out images scoring each sampled map")
    ap.add_argument("--lr", type=float, default=5e-4, help="peak learning rate of the weights")
    ap.add_argument("--policy-lr", type=float, default=0.01, help="Adam learning rate of logits")
    ap.add_argument("--entropy-max", type=float, default=0.5, help="beta_max of the entropy "
                    "schedule")
    ap.add_argument("--calib", type=int, default=1000,
                    help="calibration images (the first training images, as mpsim eval)")
    ap.add_argument("--validation", type=int, default=2000,
                    help="held-out training images after the calibration images (as mpsim "
                         "search's validation split); never trained on")
    ap.add_argument("--calib-every", type=int, default=20,
                    help="steps between recalibrations of the activation scales")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--log-every", type=int, default=100, help="steps between progress lines")
    ap.add_argument("--out", default="chosen.toml", help="the chosen precision map (TOML)")
    ap.add_argument("--onnx-out", default="fliqs_resnet.onnx",
                    help="the fine-tuned network as ONNX")
    args = ap.parse_args(argv)

    positive = [("--epochs", args.epochs), ("--batch", args.batch),
                ("--reward-batch", args.reward_batch), ("--calib", args.calib),
                ("--validation", args.validation), ("--calib-every", args.calib_every),
                ("--log-every", args.log_every)]
    if args.steps is not None:
        positive.append(("--steps", args.steps))
    for name, value in positive:
        if value < 1:
            ap.error(f"{name} {value}: expected a whole number >= 1")
    for name, value in (("--lr", args.lr), ("--policy-lr", args.policy_lr)):
        if not (value > 0 and math.isfinite(value)):
            ap.error(f"{name} {value}: expected a positive number")
    for name, value in (("--beta", args.beta), ("--entropy-max", args.entropy_max)):
        if not (value >= 0 and math.isfinite(value)):
            ap.error(f"{name} {value}: expected a number >= 0")
    if args.seed < 0:
        ap.error(f"--seed {args.seed}: expected a whole number >= 0")
    if args.warmup is not None and args.warmup < 0:
        ap.error(f"--warmup {args.warmup}: expected a whole number >= 0")
    if args.reward_batch > args.validation:
        ap.error(f"--reward-batch {args.reward_batch} is larger than the held-out split "
                 f"(--validation {args.validation})")
    if args.calib + args.validation >= 60000:
        ap.error(f"--calib {args.calib} + --validation {args.validation} leave no training "
                 "images of the 60,000")

    args.candidate_pairs = parse_pairs(ap, args.candidates)
    args.target_spec = parse_target(ap, args.target)

    for name in ("out", "onnx_out"):
        check_output_path(ap, "--" + name.replace("_", "-"), getattr(args, name))
    if os.path.abspath(args.out) == os.path.abspath(args.onnx_out):
        ap.error("--out and --onnx-out name the same file")
    for name, path in (("--model", args.model), ("--weights", args.weights),
                       ("--mpsim", args.mpsim)):
        if not os.path.isfile(path):
            ap.error(f"{name} {path}: no such file")
    for f in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        if not os.path.isfile(os.path.join(args.data, f)):
            ap.error(f"--data {args.data}: {f} is missing (Debian: dataset-fashion-mnist)")
    return args


def int_bits(ap, what, name):
    """Bits of a signed integer format 'intN'; the fake quantizer here implements only those."""
    if name.startswith("int") and name[3:].isdigit() and 2 <= int(name[3:]) <= 16:
        return int(name[3:])
    ap.error(f"{what}: format '{name}' is not supported here; this example fake-quantizes "
             "signed integer formats int2..int16 only (e.g. int8, int4)")


def parse_pairs(ap, text):
    pairs = []
    for item in text.split(","):
        item = item.strip()
        w, sep, a = item.partition(":")
        if not sep or not w or not a:
            ap.error(f"--candidates: '{item}' is not a pair; expected WEIGHT:ACTIVATION, "
                     "e.g. int4:int8")
        int_bits(ap, "--candidates", w)
        int_bits(ap, "--candidates", a)
        if (w, a) in pairs:
            ap.error(f"--candidates: {item} is listed twice")
        pairs.append((w, a))
    return pairs


def parse_target(ap, text):
    """('share', s, (w, a)) for SHARExPAIR, ('pj', value, None) for a number."""
    share, sep, pair = text.partition("x")
    if sep:
        w, colon, a = pair.partition(":")
        try:
            s = float(share)
        except ValueError:
            s = float("nan")
        if not colon or not w or not a or not (s > 0 and math.isfinite(s)):
            ap.error(f"--target '{text}': expected SHARExPAIR (e.g. 0.6xint8:int8) or a "
                     "positive number of pJ")
        return ("share", s, (w, a))
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and math.isfinite(value)):
        ap.error(f"--target '{text}': expected SHARExPAIR (e.g. 0.6xint8:int8) or a positive "
                 "number of pJ")
    return ("pj", value, None)


def check_output_path(ap, option, path):
    """Refuse an output that cannot be written before any work, as mpsim's -o does."""
    if os.path.isdir(path):
        ap.error(f"{option} {path}: is a folder; expected a file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        ap.error(f"{option} {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        ap.error(f"{option} {path}: folder {folder} is not writable")


# ----------------------------------------------------------------------------- the project

def import_mpsim():
    try:
        import mpsim
    except ImportError:
        sys.path.insert(0, os.path.join(ROOT, "build", "python"))
        try:
            import mpsim
        except ImportError as e:
            fail(f"cannot import the mpsim module ({e}); build it (cmake --build build) and run "
                 "with PYTHONPATH=build/python")
    return mpsim


def import_training_script():
    """The bundled network's own definition, data reader and normalisation, so the network
    fine-tuned here is the one scripts/train_fashion_mnist.py trained and exported."""
    path = os.path.join(ROOT, "scripts", "train_fashion_mnist.py")
    spec = importlib.util.spec_from_file_location("train_fashion_mnist", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quantizer_groups(mpsim_program, model):
    """The groups of MAC layers that read one tensor, as `mpsim map groups` finds them."""
    run = subprocess.run([mpsim_program, "map", "groups", "-w", model, "--format", "json"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"{mpsim_program} map groups -w {model} failed: {run.stderr.strip()}")
    return [g["members"] for g in json.loads(run.stdout)]


def decisions_of(layers, groups):
    """One decision per quantizer group, the other MAC layers one each, in layer order (the
    order `mpsim search --granularity group` numbers them)."""
    decisions, seen = [], set()
    for name in layers:
        if name in seen:
            continue
        members = [name]
        for g in groups:
            if name in g:
                members = [m for m in layers if m in g]
        seen.update(members)
        decisions.append(members)
    return decisions


def cost_lookup(table, layers):
    """energy[layer][(w, a)] from the cost table's rows."""
    energy = {name: {} for name in layers}
    for row in table.rows:
        energy[row["layer"]][(row["weight_format"], row["activation_format"])] = row["energy_pj"]
    return energy


def map_cost(energy, layer_pairs):
    return sum(energy[name][pair] for name, pair in layer_pairs.items())


def map_toml(layer_pairs, layers, description):
    """A precision map: the commonest pair as [default], each other pair one override."""
    counts = {}
    for name in layers:
        counts[layer_pairs[name]] = counts.get(layer_pairs[name], 0) + 1
    default = max(counts, key=lambda p: (counts[p], p))
    # json.dumps writes a TOML basic string: quotes, backslashes and control bytes escaped.
    lines = [f"description = {json.dumps(description)}", "", "[default]",
             f'weight = "{default[0]}"', f'activation = "{default[1]}"']
    for pair in sorted(counts):
        if pair == default:
            continue
        names = ", ".join(json.dumps(n) for n in layers if layer_pairs[n] == pair)
        lines += ["", "[[override]]", f"layers = [{names}]",
                  f'weight = "{pair[0]}"', f'activation = "{pair[1]}"']
    return "\n".join(lines) + "\n"


def temporary_beside(path):
    """A new empty file beside `path` (same folder, so a rename replaces `path` in one step)."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".fliqs_", suffix=os.path.splitext(path)[1])
    os.close(fd)
    return tmp


# ----------------------------------------------------------------------------- the search

def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    mpsim = import_mpsim()
    import onnx
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(args.seed)
    start = time.time()

    def log(msg):
        print(f"[{time.time() - start:6.1f} s] {msg}", flush=True)

    tfm = import_training_script()
    # mpsim's evaluator reads the same Fashion-MNIST folder as the training here.
    os.environ["MPSIM_FASHION_MNIST_DIR"] = os.path.abspath(args.data)

    # --- the space: layers, quantizer groups, decisions, the cost table ---------------------
    try:
        table = mpsim.cost_table(hw=args.hw, network=args.model)
    except mpsim.Error as e:
        fail(str(e))
    layers = []
    for row in table.rows:
        if row["layer"] not in layers:
            layers.append(row["layer"])
    energy = cost_lookup(table, layers)
    runs = sorted({p for per_layer in energy.values() for p in per_layer})
    runs_text = ", ".join(f"{w}:{a}" for w, a in runs)
    for pair in args.candidate_pairs + ([args.target_spec[2]] if args.target_spec[2] else []):
        if any(pair not in energy[name] for name in layers):
            fail(f"--candidates/--target: the array of {args.hw} runs no {pair[0]} x {pair[1]};"
                 f" it runs {runs_text}")
    decisions = decisions_of(layers, quantizer_groups(args.mpsim, args.model))
    cands = args.candidate_pairs

    def uniform(pair):
        return {name: pair for name in layers}

    uniform_cost = {pair: map_cost(energy, uniform(pair)) for pair in cands}
    kind, value, pair = args.target_spec
    target = value * map_cost(energy, uniform(pair)) if kind == "share" else value
    low, high = min(uniform_cost.values()), max(uniform_cost.values())
    if not (low <= target <= high):
        fail(f"--target {args.target} = {target:.6g} pJ is outside what the candidates reach "
             f"on {args.hw}: {low:.6g} (cheapest uniform map) to {high:.6g} pJ (dearest)")
    reference = uniform_cost.get(("int8", "int8"), high)
    log(f"{len(layers)} MAC layers, {len(decisions)} decisions (quantizer groups), "
        f"{len(cands)} candidates; target {target:.6g} pJ = {target / reference:.3f} x "
        f"{'int8:int8' if ('int8', 'int8') in uniform_cost else 'the dearest uniform map'}")

    # --- the network: the training script's definition, the bundled fp32 weights -----------
    net = tfm.SmallResNet()
    try:
        # weights_only: tensors and plain containers only; a pickle naming code is refused.
        net.load_state_dict(torch.load(args.weights, map_location="cpu", weights_only=True))
    except (RuntimeError, OSError, KeyError, EOFError, ValueError, TypeError, AttributeError,
            pickle.UnpicklingError) as e:
        fail(f"--weights {args.weights}: not the bundled ResNet's state_dict ({e})")
    net.eval()  # batch-norm statistics stay frozen: exported folded weights = trained ones

    # Each MAC layer's ONNX name (as torch 1.13 names the exported nodes) with its modules.
    mac = {"/stem/stem.0/Conv": (net.stem[0], net.stem[1])}
    for i, blk in enumerate(net.blocks):
        mac[f"/blocks/blocks.{i}/conv1/Conv"] = (blk.conv1, blk.bn1)
        mac[f"/blocks/blocks.{i}/conv2/Conv"] = (blk.conv2, blk.bn2)
        if blk.shortcut is not None:
            mac[f"/blocks/blocks.{i}/shortcut/shortcut.0/Conv"] = (blk.shortcut[0],
                                                                 blk.shortcut[1])
    mac["/fc/Gemm"] = (net.fc, None)
    if set(mac) != set(layers):
        fail(f"--model {args.model}: its MAC layers {sorted(layers)} are not the bundled "
             f"ResNet's {sorted(mac)}")

    act_amax = {}  # per MAC layer: max |input| of the fp32 network on the calibration images

    def folded(name):
        """Weights and bias as the exported ONNX holds them: batch norm folded in."""
        layer, bn = mac[name]
        if bn is None:
            return layer.weight, layer.bias
        k = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        return layer.weight * k.view(-1, 1, 1, 1), bn.bias - bn.running_mean * k

    def fq_weight(w, bits):
        # mpsim's evaluator: one scale per output channel, max |w| / (2^(b-1) - 1), narrow
        # range, round half to even. The scale follows the weights but passes no gradient; the
        # rounding passes the gradient straight through.
        qmax = 2 ** (bits - 1) - 1
        amax = w.detach().abs().flatten(1).amax(1)
        scale = torch.where(amax > 0, amax / qmax, torch.ones_like(amax))
        scale = scale.view(-1, *([1] * (w.dim() - 1)))
        q = torch.clamp(torch.round(w / scale), -qmax, qmax) * scale
        return w + (q - w).detach()

    def fq_act(x, bits, amax):
        # Per tensor, scale from the calibration's max |x|; values beyond the clip get no
        # gradient (clipped straight-through), those inside pass it unchanged.
        qmax = 2 ** (bits - 1) - 1
        scale = amax / qmax if amax > 0 else 1.0
        xc = torch.clamp(x, -qmax * scale, qmax * scale)
        return xc + (torch.round(xc / scale) * scale - xc).detach()

    def run_mac(name, x, bits, observe):
        if observe:
            act_amax[name] = max(act_amax.get(name, 0.0), float(x.detach().abs().max()))
        w, b = folded(name)
        if bits is not None:
            wb, ab = bits[name]
            x = fq_act(x, ab, act_amax[name])
            w = fq_weight(w, wb)
        layer = mac[name][0]
        if name == "/fc/Gemm":
            return F.linear(x, w, b)
        return F.conv2d(x, w, b, layer.stride, layer.padding)

    def forward(x, bits=None, observe=False):
        """SmallResNet.forward with every MAC layer fake-quantized as `bits` says (None: fp32).
        Residual adds, ReLUs and the pooling stay in fp32, as in mpsim's evaluator."""
        x = F.relu(run_mac("/stem/stem.0/Conv", x, bits, observe))
        for i, blk in enumerate(net.blocks):
            p = f"/blocks/blocks.{i}/"
            y = F.relu(run_mac(p + "conv1/Conv", x, bits, observe))
            y = run_mac(p + "conv2/Conv", y, bits, observe)
            s = x if blk.shortcut is None else run_mac(p + "shortcut/shortcut.0/Conv", x, bits,
                                                       observe)
            x = F.relu(y + s)
        return run_mac("/fc/Gemm", x.mean(dim=(2, 3)), bits, observe)

    def bits_of(layer_pairs):
        return {n: (int(w[3:]), int(a[3:])) for n, (w, a) in layer_pairs.items()}

    # --- data -------------------------------------------------------------------------------
    try:
        xtr, ytr = tfm.load_split(args.data, "train")
        xte, yte = tfm.load_split(args.data, "t10k")
    except (OSError, EOFError, ValueError, AssertionError) as e:
        fail(f"--data {args.data}: not Fashion-MNIST's gzip IDX files ({e or type(e).__name__})")
    if xtr.shape[0] != 60000 or xtr.shape[2:] != (28, 28) or xte.shape[2:] != (28, 28):
        fail(f"--data {args.data}: expected 60,000 training images of 28 x 28, found "
             f"{xtr.shape[0]} of {tuple(xtr.shape[2:])}")
    calib_x = xtr[:args.calib]
    held = torch.arange(args.calib, args.calib + args.validation)
    train_idx = torch.cat([torch.arange(0, args.calib),
                           torch.arange(args.calib + args.validation, xtr.shape[0])])

    @torch.no_grad()
    def calibrate():
        act_amax.clear()
        for i in range(0, calib_x.shape[0], 500):
            forward(calib_x[i:i + 500], None, observe=True)

    @torch.no_grad()
    def accuracy(x, y, bits, batch=1000):
        hits = 0
        for i in range(0, x.shape[0], batch):
            hits += int((forward(x[i:i + batch], bits).argmax(1) == y[i:i + batch]).sum())
        return hits / x.shape[0]

    # --- schedule ---------------------------------------------------------------------------
    per_epoch = math.ceil(train_idx.shape[0] / args.batch)
    steps = args.steps if args.steps is not None else args.epochs * per_epoch
    warmup = args.warmup if args.warmup is not None else steps // 5
    if warmup >= steps:
        fail(f"--warmup {warmup} leaves no policy updates in {steps} steps")
    log(f"{steps} steps ({steps / per_epoch:.2f} epochs of {per_epoch} batches of {args.batch}), "
        f"{warmup} warm-up steps; {train_idx.shape[0]} training images, {held.shape[0]} "
        f"held-out, {calib_x.shape[0]} calibration")

    opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    logits = torch.zeros(len(decisions), len(cands), requires_grad=True)
    policy_opt = torch.optim.Adam([logits], lr=args.policy_lr)
    gen_data = torch.Generator().manual_seed(args.seed)
    gen_policy = torch.Generator().manual_seed(args.seed + 1)
    gen_reward = torch.Generator().manual_seed(args.seed + 2)

    def layer_pairs_of(choice):
        out = {}
        for d, members in enumerate(decisions):
            for name in members:
                out[name] = cands[choice[d]]
        return out

    def most_probable():
        return [int(j) for j in logits.detach().argmax(1)]

    baseline = None
    perm, pos = torch.randperm(train_idx.shape[0], generator=gen_data), 0
    held_perm, held_pos = torch.randperm(held.shape[0], generator=gen_reward), 0
    window = {"loss": 0.0, "reward": 0.0, "quality": 0.0, "ratio": 0.0, "n": 0}
    calibrate()
    t_train = time.time()
    for step in range(steps):
        if step % args.calib_every == 0 and step:
            calibrate()  # the evaluator calibrates the fp32 network: follow its weights
        probs = torch.softmax(logits.detach(), dim=1)
        in_warmup = step < warmup
        if in_warmup:
            choice = torch.randint(len(cands), (len(decisions),), generator=gen_policy)
        else:
            choice = torch.multinomial(probs, 1, generator=gen_policy).view(-1)
        choice = [int(j) for j in choice]
        layer_pairs = layer_pairs_of(choice)
        bits = bits_of(layer_pairs)

        # One quantization-aware step of the shared weights under the sampled map.
        if pos + args.batch > perm.shape[0]:
            perm, pos = torch.randperm(train_idx.shape[0], generator=gen_data), 0
        idx = train_idx[perm[pos:pos + args.batch]]
        pos += args.batch
        xb, yb = xtr[idx], ytr[idx]
        flip = torch.rand(xb.shape[0], generator=gen_data) < 0.5
        xb = torch.where(flip[:, None, None, None], xb.flip(3), xb)
        loss = F.cross_entropy(forward(xb, bits), yb, label_smoothing=0.05)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()

        # Reward: held-out accuracy under the same map, energy from the cost table.
        if held_pos + args.reward_batch > held_perm.shape[0]:
            held_perm, held_pos = torch.randperm(held.shape[0], generator=gen_reward), 0
        hidx = held[held_perm[held_pos:held_pos + args.reward_batch]]
        held_pos += args.reward_batch
        quality = accuracy(xtr[hidx], ytr[hidx], bits, batch=args.reward_batch)
        cost = map_cost(energy, layer_pairs)
        excess = max(1.0, cost / target) - 1 if args.one_sided else abs(cost / target - 1)
        reward = quality - args.beta * excess
        # FLIQS's order: the baseline moves first, then the advantage is taken against it.
        baseline = reward if baseline is None else 0.99 * baseline + 0.01 * reward
        advantage = reward - baseline

        if not in_warmup:
            t = min(max((step - warmup) / max(1, steps - warmup), 0.0), 1.0)
            beta_h = args.entropy_max * (1 - math.cos(math.pi * t)) / 2
            logp_all = torch.log_softmax(logits, dim=1)
            logp = logp_all[torch.arange(len(decisions)), torch.tensor(choice)]
            entropy = -(logp_all.exp() * logp_all).sum(1)
            policy_loss = -advantage * logp.mean() + beta_h * entropy.mean()
            policy_opt.zero_grad(set_to_none=True)
            policy_loss.backward()
            policy_opt.step()

        window["loss"] += float(loss)
        window["reward"] += reward
        window["quality"] += quality
        window["ratio"] += cost / target
        window["n"] += 1
        if (step + 1) % args.log_every == 0 or step + 1 == steps:
            n = window["n"]
            with torch.no_grad():
                lp = torch.log_softmax(logits, dim=1)
                h = float(-(lp.exp() * lp).sum(1).mean())
            top = map_cost(energy, layer_pairs_of(most_probable())) / target
            log(f"step {step + 1}/{steps}{' (warm-up)' if in_warmup else ''}: loss "
                f"{window['loss'] / n:.4f}, held-out top-1 {window['quality'] / n:.4f}, cost "
                f"{window['ratio'] / n:.3f} x target, reward {window['reward'] / n:.4f}, baseline "
                f"{baseline:.4f}, entropy {h:.3f} nats; most probable map {top:.3f} x target")
            window = {k: 0.0 if k != "n" else 0 for k in window}
    train_s = time.time() - t_train

    # --- the chosen map ---------------------------------------------------------------------
    chosen = layer_pairs_of(most_probable())
    calibrate()
    bits = bits_of(chosen)
    val_top1 = accuracy(xtr[held], ytr[held], bits)
    test_top1_torch = accuracy(xte, yte, bits)
    table_cost = map_cost(energy, chosen)
    text = map_toml(chosen, layers, f"examples/fliqs_qat.py: one-shot QAT search on {args.hw}, "
                    f"target {args.target}, seed {args.seed}")

    # Both outputs are made as temporary files beside their names, priced and evaluated there,
    # and renamed into place only when everything has worked: a failure leaves neither.
    tmp_map, tmp_onnx = temporary_beside(args.out), temporary_beside(args.onnx_out)
    try:
        with open(tmp_map, "w") as f:
            f.write(text)
        # The whole-map simulation of the file as written (the reward summed the per-layer
        # table, which misses the requantizations between layers of different formats).
        sim_cost = mpsim.simulate(hw=args.hw, network=args.model, map=tmp_map).total["energy_pj"]
        int8_cost = mpsim.simulate(hw=args.hw, network=args.model, map={
            "default": {"weight": "int8", "activation": "int8"}}).total["energy_pj"]

        # As scripts/train_fashion_mnist.py exports: eval mode, constant folding (batch norm
        # folded into the convolutions), opset 13, the normalisation in the metadata.
        torch.onnx.export(net, torch.zeros(1, 1, 28, 28), tmp_onnx, opset_version=tfm.OPSET,
                          input_names=["input"], output_names=["logits"],
                          do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
        m = onnx.load(tmp_onnx)
        meta = {"model": "fmnist_resnet (FLIQS one-shot QAT)",
                "description": f"the bundled ResNet fine-tuned by examples/fliqs_qat.py on "
                               f"{args.hw}, target {args.target}",
                "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
                "input": "input: float32 [1,1,28,28], grayscale, row-major",
                "normalization": f"(x/255 - {tfm.MEAN})/{tfm.STD}",
                "mean": str(tfm.MEAN), "std": str(tfm.STD),
                "output": "logits: float32 [1,10], unnormalized class scores",
                "classes": ",".join(tfm.CLASSES),
                "precision_map": text,
                "producer_script": "examples/fliqs_qat.py"}
        for k, v in meta.items():
            p = m.metadata_props.add()
            p.key, p.value = k, v
        onnx.save(m, tmp_onnx)
        onnx.checker.check_model(onnx.load(tmp_onnx), full_check=True)

        # mpsim's evaluator on the exported network: the test figure, and the same comparison
        # with PyTorch on every uniform candidate map (how closely the fake quantization here
        # follows mpsim's). The quantizers here clip activations at the calibration set's
        # max |x|, so mpsim's evaluator is asked for its max rule too (its default is MSE).
        ev = mpsim.eval(model=tmp_onnx, map=tmp_map, calib=args.calib, calibration="max")
        ev_bundled = mpsim.eval(model=args.model, map=tmp_map, calib=args.calib,
                                calibration="max")
        log(f"trained {steps} steps in {train_s:.0f} s")
        print("\nchosen map (decision: layers -> weight:activation):")
        for members in decisions:
            print(f"  {chosen[members[0]][0]}:{chosen[members[0]][1]}  {', '.join(members)}")
        print(f"\nenergy on {args.hw}: cost-table sum {table_cost:.6g} pJ, simulated "
              f"{sim_cost:.6g} pJ ({(table_cost / sim_cost - 1) * 100:+.2f} % table vs "
              "simulation)")
        print(f"  target {target:.6g} pJ: simulated / target = {sim_cost / target:.3f}; "
              f"simulated / uniform int8:int8 ({int8_cost:.6g} pJ) = {sim_cost / int8_cost:.3f}")
        print(f"held-out top-1 (PyTorch, {held.shape[0]} training images): {val_top1:.4f}")
        print(f"test top-1 under the chosen map: mpsim eval {ev.top1:.4f} (fp32 "
              f"{ev.top1_fp32:.4f}), PyTorch fake quantization {test_top1_torch:.4f}; the "
              f"bundled fp32 weights under it: {ev_bundled.top1:.4f}")
        print("the fine-tuned network under each uniform candidate map (test top-1):")
        for pair in cands:
            m = {"default": {"weight": pair[0], "activation": pair[1]}}
            e = mpsim.eval(model=tmp_onnx, map=m, calib=args.calib, calibration="max")
            t = accuracy(xte, yte, bits_of(uniform(pair)))
            print(f"  {pair[0]}:{pair[1]}: mpsim eval {e.top1:.4f}, PyTorch {t:.4f}, energy "
                  f"{uniform_cost[pair] / int8_cost:.3f} x int8:int8")
        os.replace(tmp_map, args.out)
        os.replace(tmp_onnx, args.onnx_out)
    except mpsim.Error as e:
        fail(str(e))
    finally:
        for tmp in (tmp_map, tmp_onnx):
            if os.path.exists(tmp):
                os.unlink(tmp)
    print(f"written: {args.out}, {args.onnx_out}")
    log("done")


if __name__ == "__main__":
    main()
