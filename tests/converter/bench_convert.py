#!/usr/bin/python3
"""Benchmark (not a CTest test): convert a synthetic BF16 checkpoint with the 2B4T shapes
(about 4.8 GB) and compare the conversion's throughput with the disk's cold read speed measured
in the same run.

Usage: bench_convert.py --cli build/app/tern-cli --workdir DIR [--runs 5] [--keep]

Each run: drop the page cache (needs root; otherwise the figures are warm and say so), read the
checkpoint with dd (disk read speed), drop the cache again, convert it with
`/usr/bin/time -v tern-cli convert` (throughput over the checkpoint's tensor bytes, peak resident
memory). Prints the median and spread of both and their ratio. The checkpoint is deleted
afterwards unless --keep.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import hf_checkpoints as hf  # noqa: E402

# microsoft/bitnet-b1.58-2B-4T shapes (FORMATS.md).
DIM, FFN, LAYERS, HEADS, KV, VOCAB = 2560, 6912, 30, 20, 5, 128256


def write_big_checkpoint(folder):
    """Streams random BF16 tensors to model.safetensors without holding more than one tensor."""
    os.makedirs(folder, exist_ok=True)
    hd = DIM // HEADS
    shapes = {"model.embed_tokens.weight": (VOCAB, DIM), "model.norm.weight": (DIM,)}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        shapes.update({p + "input_layernorm.weight": (DIM,), p + "post_attention_layernorm.weight": (DIM,),
                       p + "self_attn.attn_sub_norm.weight": (DIM,), p + "mlp.ffn_sub_norm.weight": (FFN,),
                       p + "self_attn.q_proj.weight": (HEADS * hd, DIM), p + "self_attn.k_proj.weight": (KV * hd, DIM),
                       p + "self_attn.v_proj.weight": (KV * hd, DIM), p + "self_attn.o_proj.weight": (DIM, HEADS * hd),
                       p + "mlp.gate_proj.weight": (FFN, DIM), p + "mlp.up_proj.weight": (FFN, DIM),
                       p + "mlp.down_proj.weight": (DIM, FFN)})
    header, offset = {}, 0
    for name, shape in shapes.items():
        n = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    rng = np.random.default_rng(5)
    # One random pool reused at shifting offsets: generating 2.4 G normal values would take longer
    # than the conversion; the converter's work does not depend on the values.
    pool = hf.bf16_bits(rng.standard_normal(1 << 25).astype(np.float32) * 0.02)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for k, (name, shape) in enumerate(shapes.items()):
            n = int(np.prod(shape))
            start = (k * 7919) % (1 << 20)
            while n > 0:
                take = min(n, pool.size - start)
                f.write(pool[start:start + take].tobytes())
                n -= take
                start = 0
    config = {"architectures": ["BitNetForCausalLM"], "hidden_act": "relu2", "hidden_size": DIM,
              "intermediate_size": FFN, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
              "num_key_value_heads": KV, "vocab_size": VOCAB, "max_position_embeddings": 4096,
              "rms_norm_eps": 1e-5, "rope_theta": 500000.0, "tie_word_embeddings": True,
              "bos_token_id": 0, "eos_token_id": 1}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f)
    hf.write_tokenizer_json(folder, ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"])
    return offset


def drop_caches():
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


def disk_read_mb_s(path):
    start = time.perf_counter()
    subprocess.run(["dd", f"if={path}", "of=/dev/null", "bs=16M"], check=True, capture_output=True)
    return os.path.getsize(path) / 1e6 / (time.perf_counter() - start)


def convert_once(cli, src, out):
    start = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", cli, "convert", src, "-o", out, "--quiet"],
                       capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr).group(1))
    return seconds, rss_kb * 1024


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    src = os.path.join(args.workdir, "bench-2b4t-bf16")
    weights = os.path.join(src, "model.safetensors")
    if not os.path.exists(weights):
        t = time.perf_counter()
        write_big_checkpoint(src)
        print(f"wrote {os.path.getsize(weights) / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s")
    data_bytes = os.path.getsize(weights)
    out = os.path.join(args.workdir, "bench-2b4t.gguf")
    disk, conv, rss = [], [], []
    cold = True
    for run in range(args.runs):
        cold = drop_caches() and cold
        disk.append(disk_read_mb_s(weights))
        cold = drop_caches() and cold
        seconds, peak = convert_once(args.cli, src, out)
        conv.append(data_bytes / 1e6 / seconds)
        rss.append(peak)
        print(f"run {run + 1}: disk {disk[-1]:.0f} MB/s, convert {conv[-1]:.0f} MB/s "
              f"({seconds:.1f} s), peak RSS {peak / 1e6:.0f} MB")
    largest = VOCAB * DIM * 2
    med = statistics.median
    print(f"checkpoint {data_bytes / 1e9:.2f} GB, output {os.path.getsize(out) / 1e9:.2f} GB, "
          f"caches {'dropped (cold)' if cold else 'NOT dropped (warm figures)'}")
    print(f"disk read: median {med(disk):.0f} MB/s (min {min(disk):.0f}, max {max(disk):.0f})")
    print(f"convert:   median {med(conv):.0f} MB/s (min {min(conv):.0f}, max {max(conv):.0f}); "
          f"ratio to disk {med(conv) / med(disk):.2f} (target >= 0.50)")
    print(f"peak RSS:  median {med(rss) / 1e6:.0f} MB (max {max(rss) / 1e6:.0f}); limit 2 x largest "
          f"tensor + 200 MB = {(2 * largest + 200e6) / 1e6:.0f} MB")
    os.remove(out)
    if not args.keep:
        shutil.rmtree(src)


if __name__ == "__main__":
    main()
