#!/usr/bin/python3
"""Compares the engine's logits with the NumPy reference on a tiny random model.

Usage: check_logits.py --cli build/app/tern-cli --workdir DIR --arch bitnet-b1.58
                       --weights i2_s --embd f16 [--head f16] [--tokens 24]

The model is written by `tern-cli synth` (the engine's writer), read back here by an
independent parser (tests/reference/gguf_reader.py), and run by an independent implementation
of the math (tests/reference/bitnet_reference.py).

Tolerance: every logit within 2e-3 * (1 + max |reference logit| of its position). The two
implementations sum floats in different orders (norms, attention, head); the int8 activation
quantization turns a rare last-bit difference into a flipped rounding of one activation, which
moves logits by about 1e-4..1e-3 of their range on these models. A wrong formula, layout or
rounding rule moves them by far more than that (usually O(1)).
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))

try:
    import numpy as np
except ImportError:
    sys.exit("numpy is missing: sudo apt-get install python3-numpy")

import bitnet_reference  # noqa: E402

TOLERANCE = 2e-3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--arch", default="bitnet-b1.58")
    p.add_argument("--weights", default="i2_s")
    p.add_argument("--embd", default="f16")
    p.add_argument("--head", default=None)
    p.add_argument("--tokens", type=int, default=24)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()

    os.makedirs(args.workdir, exist_ok=True)
    name = f"{args.arch}-{args.weights}-{args.embd}-{args.head or 'tied'}"
    model = os.path.join(args.workdir, name + ".gguf")
    out = os.path.join(args.workdir, name + ".logits")
    synth = [args.cli, "synth", "--shape", "tiny", "--arch", args.arch, "--weights", args.weights,
             "--embd", args.embd, "--seed", str(args.seed), "-o", model]
    if args.head:
        synth += ["--head", args.head]
    subprocess.run(synth, check=True)

    rng = np.random.default_rng(args.seed)
    ref_model = bitnet_reference.load_gguf(model)
    vocab = ref_model.embed.shape[0]
    tokens = [int(t) for t in rng.integers(0, vocab, size=args.tokens)]
    subprocess.run([args.cli, "logits", "-m", model, "--tokens", ",".join(map(str, tokens)), "-o", out,
                    "-t", "2"], check=True)
    engine = np.fromfile(out, dtype="<f4")
    if engine.size != len(tokens) * vocab:
        sys.exit(f"{name}: expected {len(tokens)} x {vocab} logits, got {engine.size} values")
    engine = engine.reshape(len(tokens), vocab)
    ref = ref_model.logits(tokens)

    worst = 0.0
    for pos in range(len(tokens)):
        scale = 1.0 + float(np.max(np.abs(ref[pos])))
        err = float(np.max(np.abs(engine[pos] - ref[pos]))) / scale
        worst = max(worst, err)
    agree = int(np.sum(np.argmax(engine, axis=1) == np.argmax(ref, axis=1)))
    print(f"{name}: worst relative logit error {worst:.2e} (tolerance {TOLERANCE:.0e}); "
          f"argmax agrees at {agree}/{len(tokens)} positions; logit range "
          f"{float(ref.min()):.2f}..{float(ref.max()):.2f}")
    os.remove(model)
    os.remove(out)
    if not np.all(np.isfinite(engine)):
        sys.exit(f"{name}: the engine produced non-finite logits")
    if worst > TOLERANCE:
        sys.exit(f"{name}: FAILED: logits differ from the reference by {worst:.2e} > {TOLERANCE:.0e}")


if __name__ == "__main__":
    main()
