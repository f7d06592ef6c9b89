#!/usr/bin/python3
"""End-to-end checks of `tern-cli convert` on tiny synthetic Hugging Face checkpoints.

Usage: check_convert.py --cli build/app/tern-cli --workdir DIR CHECK [CHECK...]
Checks:
  structure-KIND   convert KIND (see hf_checkpoints.KINDS) and compare every tensor of the GGUF
                   (read by the independent parser in tests/reference) with what the Hugging Face
                   conventions define: ternary codes, scales, padding, Q/K order, embeddings,
                   metadata and tokenizer keys; then convert again and compare the bytes.
  types            the same with --type tq2_0 --embed q8_0.
  logits-KIND      the engine's logits on the converted file against the NumPy reference fed
                   straight from the checkpoint (Hugging Face row order and rotary convention).
  bad-inputs       broken checkpoints fail with exit code 1, a message naming the file and the
                   problem, and no output or temporary file left behind.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import hf_checkpoints as hf  # noqa: E402

gr = None  # tests/reference/gguf_reader, imported by the checks that read GGUF files


def load_reader():
    global gr
    import gguf_reader
    gr = gguf_reader

FAILURES = []
SHARED_DATA = hf.SHARED_DATA


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print("FAIL:", what)


def convert(cli, src, out, *extra, expect_ok=True):
    r = subprocess.run([cli, "convert", src, "-o", out, "--quiet", *extra], capture_output=True, text=True)
    if expect_ok and r.returncode != 0:
        raise SystemExit(f"convert {src} failed ({r.returncode}):\n{r.stderr}")
    return r


def permute_rows(w, heads):
    """Hugging Face (i, i + d/2) rotary pairs -> GGUF adjacent pairs, as llama.cpp defines it."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def expected_ternary(tensors, config, prefix):
    w = tensors[prefix + ".weight"]
    if w.dtype == np.uint8:
        t = hf.unpack_rows(w)
        stored = np.float32(tensors[prefix + ".weight_scale"].reshape(-1)[0])
        multiply = config.get("quantization_config", {}).get("linear_class") == "autobitlinear"
        s = stored if multiply else np.float32(1.0) / stored
    else:
        t, s = hf.absmean_ternary(w)
    return t, np.float32(s)


def ternary_of(tensor):
    if tensor.type == gr.I2_S:
        t, s = gr.i2s_ternary(tensor)
        return t, np.full(1, s, dtype=np.float32)
    t, d = gr.tq2_0_ternary(tensor)
    return t, d.reshape(-1)


def check_structure(cli, workdir, kind, extra=(), tag=""):
    load_reader()
    t0 = time.perf_counter()
    src = os.path.join(workdir, kind)
    shutil.rmtree(src, ignore_errors=True)
    config = hf.make_checkpoint(src, kind, shared_data=SHARED_DATA)
    out = os.path.join(workdir, f"{kind}{tag}.gguf")
    convert(cli, src, out, *extra)
    t1 = time.perf_counter()
    name = f"{kind}{tag}"
    f = gr.GgufFile(out)
    t2 = time.perf_counter()
    tensors = hf.read_checkpoint(src)
    arch = {"BitNetForCausalLM": "bitnet-b1.58", "BitnetForCausalLM": "bitnet",
            "LlamaForCausalLM": "llama"}[config["architectures"][0]]
    check(f.meta["general.architecture"] == arch, f"{name}: architecture {f.meta['general.architecture']}")
    m = lambda key: f.meta.get(arch + "." + key)  # noqa: E731
    check(m("embedding_length") == config["hidden_size"], f"{name}: embedding_length")
    check(m("feed_forward_length") == config["intermediate_size"], f"{name}: feed_forward_length is the true width")
    check(m("block_count") == config["num_hidden_layers"], f"{name}: block_count")
    check(m("attention.head_count") == config["num_attention_heads"], f"{name}: head_count")
    check(m("attention.head_count_kv") == config["num_key_value_heads"], f"{name}: head_count_kv")
    check(m("vocab_size") == config["vocab_size"], f"{name}: vocab_size")
    check(m("context_length") == config["max_position_embeddings"], f"{name}: context_length")
    check(np.float32(m("rope.freq_base")) == np.float32(config["rope_theta"]), f"{name}: rope.freq_base")
    check(np.float32(m("attention.layer_norm_rms_epsilon")) == np.float32(1e-5), f"{name}: rms eps")
    check(m("rope.dimension_count") == config["hidden_size"] // config["num_attention_heads"], f"{name}: rope dims")

    # Tokenizer metadata.
    tokens = f.meta["tokenizer.ggml.tokens"]
    check(len(tokens) == config["vocab_size"], f"{name}: {len(tokens)} tokens, vocab_size {config['vocab_size']}")
    check(len(f.meta["tokenizer.ggml.token_type"]) == len(tokens), f"{name}: token_type length")
    check(f.meta["tokenizer.ggml.bos_token_id"] == config["bos_token_id"], f"{name}: bos id")
    check(f.meta["tokenizer.ggml.eos_token_id"] == config["eos_token_id"], f"{name}: eos id")
    check(f.meta["tokenizer.ggml.add_bos_token"] is True, f"{name}: add_bos")
    tiktoken = hf.KINDS[kind]["tok"] == "tiktoken"
    if tiktoken:
        check(f.meta["tokenizer.ggml.model"] == "gpt2", f"{name}: tokenizer model gpt2")
        check(f.meta["tokenizer.ggml.pre"] == "llama-bpe", f"{name}: pre-tokenizer llama-bpe")
        # Every split of every token into two tokens, by rank (FORMATS.md): 280,147 for LLaMA-3.
        check(len(f.meta["tokenizer.ggml.merges"]) == 280147, f"{name}: {len(f.meta['tokenizer.ggml.merges'])} merges")
        check(tokens[128000] == "<|begin_of_text|>", f"{name}: bos token text")
        check(f.meta.get("tokenizer.ggml.eot_token_id") == 128009, f"{name}: eot id from generation_config")
        check(tokens[128009] == "<|eot_id|>", f"{name}: <|eot_id|> at 128009")
        check(f.meta.get("tokenizer.chat_template") == hf.CHAT_TEMPLATE, f"{name}: chat template")
    elif os.path.exists(os.path.join(src, "tokenizer.json")):
        check(f.meta["tokenizer.ggml.model"] == "gpt2", f"{name}: tokenizer model gpt2")
        check(len(f.meta["tokenizer.ggml.merges"]) == 6, f"{name}: merges")
        check(tokens[config["bos_token_id"]] == "<|begin_of_text|>", f"{name}: bos token text")
        check(f.meta.get("tokenizer.chat_template") == hf.CHAT_TEMPLATE, f"{name}: chat template")
        check(f.meta.get("tokenizer.ggml.eot_token_id") == tokens.index("<|eot_id|>"), f"{name}: eot id")
    else:
        check(f.meta["tokenizer.ggml.model"] == "llama", f"{name}: tokenizer model llama")
        check(len(f.meta["tokenizer.ggml.scores"]) == len(tokens), f"{name}: scores length")
        check(tokens[1] == "<s>" and tokens[2] == "</s>", f"{name}: SentencePiece specials")
    if not tiktoken:
        check(tokens[-1] == f"[PAD{config['vocab_size'] - 1}]", f"{name}: padding tokens")

    # Tensors.
    embed_q8 = "q8_0" in extra
    tq2 = "tq2_0" in extra
    block = 256 if tq2 else 128
    heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
    expected_names = {"token_embd.weight", "output_norm.weight"}
    if not config["tie_word_embeddings"]:
        expected_names.add("output.weight")
    sub = arch != "llama"
    for i in range(config["num_hidden_layers"]):
        hfp, gp = f"model.layers.{i}.", f"blk.{i}."
        names = ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate",
                 "ffn_up", "ffn_down"] + (["attn_sub_norm", "ffn_sub_norm"] if sub else [])
        expected_names.update(gp + n + ".weight" for n in names)
        for gname, hname, rot in (("attn_q", "self_attn.q_proj", heads), ("attn_k", "self_attn.k_proj", kv),
                                  ("attn_v", "self_attn.v_proj", 0), ("attn_output", "self_attn.o_proj", 0),
                                  ("ffn_gate", "mlp.gate_proj", 0), ("ffn_up", "mlp.up_proj", 0),
                                  ("ffn_down", "mlp.down_proj", 0)):
            t_hf, s = expected_ternary(tensors, config, hfp + hname)
            if rot:
                t_hf = permute_rows(t_hf, rot)
            rows, cols = t_hf.shape
            padded = (cols + block - 1) // block * block
            g = f.tensors[gp + gname + ".weight"]
            check(g.type == (gr.TQ2_0 if tq2 else gr.I2_S), f"{name}: {g.name} type {g.type}")
            check(g.ne == [padded, rows], f"{name}: {g.name} ne {g.ne}, want {[padded, rows]}")
            t_gg, scales = ternary_of(g)
            check(np.array_equal(t_gg[:, :cols], t_hf), f"{name}: {g.name} ternary codes differ "
                  f"({int((t_gg[:, :cols] != t_hf).sum())} of {t_hf.size})")
            check(not t_gg[:, cols:].any(), f"{name}: {g.name} padding columns are not zero")
            want = np.float32(s).astype(np.float16).astype(np.float32) if tq2 else np.float32(s)
            check(np.allclose(scales, want, rtol=1e-6, atol=0), f"{name}: {g.name} scale {scales[:1]} vs {want}")
        for gname, hname in (("attn_norm", "input_layernorm"), ("ffn_norm", "post_attention_layernorm")):
            check(np.array_equal(gr.dequantize(f.tensors[gp + gname + ".weight"]).reshape(-1),
                                 tensors[hfp + hname + ".weight"]), f"{name}: {gp}{gname} values")
    check(set(f.tensors) == expected_names,
          f"{name}: tensors {sorted(set(f.tensors) ^ expected_names)} unexpected or missing")
    emb = gr.dequantize(f.tensors["token_embd.weight"])
    src_emb = tensors["model.embed_tokens.weight"]
    want = hf.q8_0_roundtrip(src_emb) if embed_q8 else src_emb.astype(np.float16).astype(np.float32)
    check(f.tensors["token_embd.weight"].type == (gr.Q8_0 if embed_q8 else gr.F16), f"{name}: token_embd type")
    check(np.array_equal(emb, want), f"{name}: token_embd values (max diff {np.abs(emb - want).max()})")

    # Same input, same options: the same bytes (the large-vocabulary kind is slow; the others
    # cover it).
    if not tiktoken:
        again = out + ".again"
        convert(cli, src, again, *extra)
        digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()  # noqa: E731
        check(digest(out) == digest(again), f"{name}: two conversions differ")
        os.remove(again)
    leftovers = [p for p in os.listdir(workdir) if p.startswith(".") and "converting" in p]
    check(not leftovers, f"{name}: temporary files left: {leftovers}")
    print(f"structure {name}: {len(f.tensors)} tensors checked (make+convert {t1 - t0:.1f} s, "
          f"read {t2 - t1:.1f} s, checks {time.perf_counter() - t2:.1f} s)")
    return src, out


def check_logits(cli, workdir, kind, extra=(), tag=""):
    import bitnet_reference as ref
    src, out = check_structure(cli, workdir, kind, extra, tag)
    embed = "q8_0" if "q8_0" in extra else "f16"
    model = hf.reference_from_checkpoint(src, ref, embed, "tq2_0" if "tq2_0" in extra else "i2_s")
    rng = np.random.default_rng(3)
    tokens = [int(t) for t in rng.integers(0, model.embed.shape[0], size=12)]
    gguf_rope = ref.rope
    ref.rope = hf.rope_hugging_face
    try:
        want = model.logits(tokens)
    finally:
        ref.rope = gguf_rope
    logits_file = out + ".logits"
    env = dict(os.environ, TERN_CPU="scalar")
    subprocess.run([cli, "logits", "-m", out, "--tokens", ",".join(map(str, tokens)), "-o", logits_file,
                    "-t", "1"], check=True, env=env, capture_output=True)
    got = np.fromfile(logits_file, dtype="<f4").reshape(len(tokens), -1)
    worst = max(float(np.abs(got[p] - want[p]).max() / (1 + np.abs(want[p]).max())) for p in range(len(tokens)))
    # The scalar kernels and the reference differ only in summation order (see
    # tests/engine/check_logits.py); wrong rows, scales or padding give errors of order 1.
    check(worst < 1e-3, f"logits {kind}{tag}: worst relative error {worst:.2e}")
    check(np.array_equal(got.argmax(axis=1), want.argmax(axis=1)), f"logits {kind}{tag}: argmax differs")
    print(f"logits {kind}{tag}: worst relative error {worst:.2e} over {len(tokens)} positions")


def check_bad_inputs(cli, workdir):
    base = os.path.join(workdir, "bad-base")
    shutil.rmtree(base, ignore_errors=True)
    hf.make_checkpoint(base, "2b4t-bf16")
    st = "model.safetensors"

    def case(label, mutate, *expected):
        d = os.path.join(workdir, "bad-" + label)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(base, d)
        mutate(d)
        out = os.path.join(workdir, "bad-" + label + ".gguf")
        if os.path.exists(out):
            os.remove(out)
        r = convert(cli, d, out, expect_ok=False)
        check(r.returncode == 1, f"bad input {label}: exit code {r.returncode}, want 1")
        for text in expected:
            check(text in r.stderr, f"bad input {label}: message lacks '{text}':\n{r.stderr}")
        check(not os.path.exists(out), f"bad input {label}: output file exists")
        left = [p for p in os.listdir(workdir) if p.startswith(".") and "converting" in p]
        check(not left, f"bad input {label}: temporary files left: {left}")
        print(f"bad input {label}: {r.stderr.strip().splitlines()[-1]}")

    def truncate(d):
        p = os.path.join(d, st)
        os.truncate(p, os.path.getsize(p) - 100)

    def header_beyond(d):
        p = os.path.join(d, st)
        with open(p, "r+b") as fh:
            fh.write((10 ** 12).to_bytes(8, "little"))

    def rewrite_header(d, edit):
        p = os.path.join(d, st)
        buf = open(p, "rb").read()
        n = int.from_bytes(buf[:8], "little")
        header = json.loads(buf[8:8 + n])
        edit(header)
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        open(p, "wb").write(len(text).to_bytes(8, "little") + text + buf[8 + n:])

    def overlap(h):
        a = h["model.layers.0.mlp.up_proj.weight"]["data_offsets"]
        b = h["model.layers.0.mlp.gate_proj.weight"]
        b["data_offsets"] = [a[0] + 2, a[0] + 2 + (b["data_offsets"][1] - b["data_offsets"][0])]

    def out_of_range(h):
        e = h["model.norm.weight"]
        size = e["data_offsets"][1] - e["data_offsets"][0]
        e["data_offsets"] = [10 ** 9, 10 ** 9 + size]

    def unknown_dtype(h):
        h["model.norm.weight"]["dtype"] = "F8_E4M3"

    def missing(h):
        del h["model.layers.1.mlp.down_proj.weight"]

    def config_edit(d, key, value):
        p = os.path.join(d, "config.json")
        c = json.load(open(p))
        c[key] = value
        json.dump(c, open(p, "w"))

    case("truncated", truncate, st, "truncated")
    case("header-length", header_beyond, st, "header length 1000000000000 runs beyond the end of the file")
    case("overlap", lambda d: rewrite_header(d, overlap), st, "overlap")
    case("out-of-range", lambda d: rewrite_header(d, out_of_range), st, "out of range")
    case("unknown-dtype", lambda d: rewrite_header(d, unknown_dtype), st, "unsupported dtype 'F8_E4M3'")
    case("missing-tensor", lambda d: rewrite_header(d, missing), "missing tensor 'model.layers.1.mlp.down_proj.weight'")
    case("config-shape", lambda d: config_edit(d, "intermediate_size", 320), "mlp.gate_proj.weight' has shape [256, 128]",
         "config.json implies [320, 128]")
    case("config-heads", lambda d: config_edit(d, "num_key_value_heads", 3), "config.json",
         "not a multiple of num_key_value_heads 3")
    case("no-config", lambda d: os.remove(os.path.join(d, "config.json")), "config.json: missing")
    case("no-tokenizer", lambda d: os.remove(os.path.join(d, "tokenizer.json")), "no tokenizer.json or tokenizer.model")
    # Usage errors are exit code 2.
    r = subprocess.run([cli, "convert", base], capture_output=True, text=True)
    check(r.returncode == 2 and "-o FILE" in r.stderr, f"usage: missing -o gives {r.returncode}: {r.stderr}")
    r = subprocess.run([cli, "convert", base, "-o", "x.gguf", "--type", "q4_0"], capture_output=True, text=True)
    check(r.returncode == 2 and "--type must be i2_s or tq2_0" in r.stderr, f"usage: bad --type: {r.stderr}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cli", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--shared-data", default=hf.SHARED_DATA)
    p.add_argument("checks", nargs="+")
    args = p.parse_args()
    global SHARED_DATA
    SHARED_DATA = args.shared_data
    os.makedirs(args.workdir, exist_ok=True)
    for name in args.checks:
        if name.startswith("structure-"):
            check_structure(args.cli, args.workdir, name[len("structure-"):])
        elif name == "types":
            check_structure(args.cli, args.workdir, "1bitllm-f16", ("--type", "tq2_0", "--embed", "q8_0"), "-tq2")
        elif name.startswith("types-"):
            check_structure(args.cli, args.workdir, name[len("types-"):], ("--type", "tq2_0", "--embed", "q8_0"), "-tq2")
        elif name.startswith("logits-"):
            kind = name[len("logits-"):]
            if kind.endswith("-tq2"):
                check_logits(args.cli, args.workdir, kind[:-4], ("--type", "tq2_0", "--embed", "q8_0"), "-tq2")
            else:
                check_logits(args.cli, args.workdir, kind)
        elif name == "bad-inputs":
            check_bad_inputs(args.cli, args.workdir)
        else:
            raise SystemExit(f"unknown check {name}")
    if FAILURES:
        raise SystemExit(f"{len(FAILURES)} check(s) failed")
    print("all checks passed")


if __name__ == "__main__":
    main()
