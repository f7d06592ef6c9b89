"""Tiny synthetic Hugging Face checkpoints, one per weight convention, and a loader that turns a
checkpoint into the arrays of the NumPy reference forward pass (tests/reference).

Everything is written here with numpy and json only (safetensors, tokenizer.json, config.json),
from the formats as documented, so that the converter is checked against an independent reading
of the same facts:
  - latent weights: absmean ternarization per tensor, s = mean(|W|), t = clamp(round(W * (1/s)));
  - 2B4T packed uint8 [out/4, in]: bits 2i..2i+1 of packed row p hold row i * (out/4) + p;
    transformers' AutoBitLinear (offline) multiplies by weight_scale, BitLinear divides;
  - Hugging Face's rotary embedding rotates (i, i + d/2) pairs; the reference keeps that layout
    and rotates it the Hugging Face way, so the converter's Q/K permutation is checked, not copied.
"""
import json
import os
import struct

import numpy as np

# ---- safetensors --------------------------------------------------------------------------------


def bf16_bits(values):
    """float32 -> bfloat16 bits, round to nearest even (as torch does)."""
    bits = np.asarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_to_f32(bits):
    return (np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)


class St:
    """A tensor to store: dtype name and the raw array (BF16 as uint16 bits)."""

    def __init__(self, dtype, array):
        self.dtype, self.array = dtype, np.ascontiguousarray(array)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        raw = t.array.tobytes()
        header[name] = {"dtype": t.dtype, "shape": list(t.array.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """name -> float32 array (or uint8 for U8) of a file written by anyone."""
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack_from("<Q", buf, 0)[0]
    header = json.loads(buf[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        raw = buf[8 + n + a:8 + n + b]
        dt = e["dtype"]
        if dt == "BF16":
            arr = bf16_to_f32(np.frombuffer(raw, dtype="<u2"))
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4").copy()
        elif dt == "U8":
            arr = np.frombuffer(raw, dtype=np.uint8).copy()
        else:
            raise ValueError(f"{path}: dtype {dt}")
        out[name] = arr.reshape(e["shape"])
    return out


def read_checkpoint(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(folder, name)))
    return tensors

# ---- tokenizers -----------------------------------------------------------------------------------


def byte_level_alphabet():
    """GPT-2's byte-to-unicode map: printable bytes stand for themselves, the others are shifted
    past U+0100, so every byte is one visible character."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def write_tokenizer_json(folder, specials):
    """A byte-level BPE tokenizer: 256 byte tokens, a few merges, then special tokens."""
    alphabet = byte_level_alphabet()
    vocab = {c: i for i, c in enumerate(alphabet)}
    merges = [("Ġ", "t"), ("h", "e"), ("Ġt", "he"), ("i", "n"), ("Ġ", "a"), ("e", "r")]
    for left, right in merges:
        vocab[left + right] = len(vocab)
    added = []
    for text in specials:
        added.append({"id": len(vocab), "content": text, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
        vocab[text] = len(vocab)
    tokenizer = {
        "version": "1.0",
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                          "use_regex": True},
        "decoder": {"type": "ByteLevel"},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "fuse_unk": False,
                  "byte_fallback": False, "ignore_merges": False, "vocab": vocab,
                  "merges": [f"{a} {b}" for a, b in merges]},
    }
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False)
    return len(vocab)


def write_sentencepiece(folder, vocab_size):
    """A real SentencePiece BPE model (byte fallback) trained on a few lines of text."""
    import io
    import sentencepiece as spm
    text = ("the quick brown fox jumps over the lazy dog\n" * 3 +
            "to be or not to be that is the question\n" * 3).splitlines()
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(text), model_writer=model,
                                   vocab_size=vocab_size, model_type="bpe", byte_fallback=True,
                                   character_coverage=1.0, num_threads=1, minloglevel=2,
                                   hard_vocab_limit=False)
    with open(os.path.join(folder, "tokenizer.model"), "wb") as f:
        f.write(model.getvalue())
    return spm.SentencePieceProcessor(model_proto=model.getvalue()).get_piece_size()

# ---- checkpoints ----------------------------------------------------------------------------------


CHAT_TEMPLATE = ("{% for message in messages %}{{ message['role'] | capitalize }}: "
                 "{{ message['content'] }}<|eot_id|>{% endfor %}"
                 "{% if add_generation_prompt %}Assistant: {% endif %}")

KINDS = {
    # 2B4T-style master weights: BitNetForCausalLM, relu², sub-norms, GQA, tied, BF16.
    "2b4t-bf16": dict(cls="BitNetForCausalLM", act="relu2", dim=128, heads=4, kv=2, ffn=256,
                      layers=2, storage="latent", dtype="BF16", tied=True, theta=500000.0,
                      sub=("self_attn.attn_sub_norm", "mlp.ffn_sub_norm"), tok="json"),
    # The same, wide enough (256) for TQ2_0's 256-element blocks without padding.
    "2b4t-256": dict(cls="BitNetForCausalLM", act="relu2", dim=256, heads=8, kv=2, ffn=512,
                     layers=2, storage="latent", dtype="BF16", tied=True, theta=500000.0,
                     sub=("self_attn.attn_sub_norm", "mlp.ffn_sub_norm"), tok="json"),
    # LLaMA-3's tokenizer as the tiktoken rank file tokenizer.model (no tokenizer.json).
    "2b4t-tiktoken": dict(cls="BitNetForCausalLM", act="relu2", dim=128, heads=4, kv=2, ffn=256,
                          layers=1, storage="latent", dtype="F16", tied=True, theta=500000.0,
                          sub=("self_attn.attn_sub_norm", "mlp.ffn_sub_norm"), tok="tiktoken"),
    # 2B4T's packed layout, AutoBitLinear offline: W = t * weight_scale.
    "2b4t-packed": dict(cls="BitNetForCausalLM", act="relu2", dim=128, heads=4, kv=2, ffn=256,
                        layers=2, storage="packed", scale="multiply", dtype="BF16", tied=True,
                        theta=500000.0, sub=("self_attn.attn_sub_norm", "mlp.ffn_sub_norm"),
                        tok="json",
                        qc={"quant_method": "bitnet", "linear_class": "autobitlinear",
                            "quantization_mode": "offline"}),
    # 1bitLLM: BitnetForCausalLM, SiLU, F16 latent weights, untied head, SentencePiece, and an FFN
    # width (200) that is not a multiple of the block size, like bitnet_b1_58-3B's 8640.
    "1bitllm-f16": dict(cls="BitnetForCausalLM", act="silu", dim=128, heads=4, kv=4, ffn=200,
                        layers=2, storage="latent", dtype="F16", tied=False, theta=10000.0,
                        sub=("self_attn.inner_attn_ln", "mlp.ffn_layernorm"), tok="spm"),
    # Llama3-8B-1.58 / Falcon style: plain llama graph, packed weights, inverted scale
    # (BitLinear: W = t / weight_scale), untied F32 head, sharded in two files.
    "llama-packed": dict(cls="LlamaForCausalLM", act="silu", dim=128, heads=4, kv=2, ffn=256,
                         layers=2, storage="packed", scale="divide", dtype="BF16", tied=False,
                         theta=500000.0, sub=None, tok="json", shards=2,
                         qc={"quant_method": "bitnet"}),
}


def pack_rows(t):
    """transformers' layout: [out, in] ternary -> uint8 [out/4, in]."""
    rows = t.shape[0] // 4
    codes = (t + 1).astype(np.uint8)
    packed = np.zeros((rows, t.shape[1]), dtype=np.uint8)
    for i in range(4):
        packed |= codes[i * rows:(i + 1) * rows] << (2 * i)
    return packed


SHARED_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")


def make_checkpoint(folder, kind, seed=1, shared_data=SHARED_DATA):
    spec = KINDS[kind]
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    eos_ids = None
    if spec["tok"] == "tiktoken":
        import shutil
        shutil.copyfile(os.path.join(shared_data, "vocab", "llama3-tiktoken.model"),
                        os.path.join(folder, "tokenizer.model"))
        bos, eos, vocab = 128000, 128001, 128256
        eos_ids = [128001, 128009]
        tok_config = {"chat_template": CHAT_TEMPLATE}
    elif spec["tok"] == "json":
        specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"]
        n_tokens = write_tokenizer_json(folder, specials)
        bos, eos = n_tokens - 3, n_tokens - 2
        vocab = n_tokens + 3  # checkpoints round vocab_size up: the converter pads
        tok_config = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
                      "add_bos_token": True, "chat_template": CHAT_TEMPLATE}
    else:
        n_tokens = write_sentencepiece(folder, 300)
        bos, eos = 1, 2
        vocab = n_tokens + 2
        tok_config = {"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True}
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f)

    dim, heads, kv, ffn, hd = spec["dim"], spec["heads"], spec["kv"], spec["ffn"], spec["dim"] // spec["heads"]
    dtype = spec["dtype"]

    def store(array):
        a = np.asarray(array, dtype=np.float32)
        if dtype == "BF16":
            return St("BF16", bf16_bits(a))
        return St(dtype, a.astype(np.float16 if dtype == "F16" else np.float32))

    tensors = {"model.embed_tokens.weight": store(rng.standard_normal((vocab, dim)) * 0.5),
               "model.norm.weight": store(1 + 0.1 * rng.standard_normal(dim))}
    if not spec["tied"]:
        head = rng.standard_normal((vocab, dim)) * 0.1
        tensors["lm_head.weight"] = St("F32", head.astype(np.float32)) if spec["storage"] == "packed" else store(head)
    shapes = {"self_attn.q_proj": (heads * hd, dim), "self_attn.k_proj": (kv * hd, dim),
              "self_attn.v_proj": (kv * hd, dim), "self_attn.o_proj": (dim, heads * hd),
              "mlp.gate_proj": (ffn, dim), "mlp.up_proj": (ffn, dim), "mlp.down_proj": (dim, ffn)}
    for layer in range(spec["layers"]):
        p = f"model.layers.{layer}."
        tensors[p + "input_layernorm.weight"] = store(1 + 0.1 * rng.standard_normal(dim))
        tensors[p + "post_attention_layernorm.weight"] = store(1 + 0.1 * rng.standard_normal(dim))
        if spec["sub"]:
            tensors[p + spec["sub"][0] + ".weight"] = store(1 + 0.1 * rng.standard_normal(heads * hd))
            tensors[p + spec["sub"][1] + ".weight"] = store(1 + 0.1 * rng.standard_normal(ffn))
        for name, shape in shapes.items():
            if spec["storage"] == "latent":
                tensors[p + name + ".weight"] = store(rng.standard_normal(shape) * 0.05)
            else:
                t = rng.integers(-1, 2, size=shape).astype(np.int8)
                s = np.float32(0.02 + 0.02 * rng.random())  # a layer's absmean, well below 1
                stored = s if spec["scale"] == "multiply" else np.float32(1.0) / s
                tensors[p + name + ".weight"] = St("U8", pack_rows(t))
                tensors[p + name + ".weight_scale"] = St("BF16", bf16_bits(np.array([stored])))

    shards = spec.get("shards", 1)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), tensors)
    else:
        names = sorted(tensors)
        weight_map = {}
        for i in range(shards):
            file = f"model-{i + 1:05d}-of-{shards:05d}.safetensors"
            part = {n: tensors[n] for n in names[i::shards]}
            write_safetensors(os.path.join(folder, file), part)
            weight_map.update({n: file for n in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=1)

    config = {"architectures": [spec["cls"]], "hidden_act": spec["act"], "hidden_size": dim,
              "intermediate_size": ffn, "num_hidden_layers": spec["layers"],
              "num_attention_heads": heads, "num_key_value_heads": kv, "vocab_size": vocab,
              "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "rope_theta": spec["theta"],
              "tie_word_embeddings": spec["tied"], "bos_token_id": bos, "eos_token_id": eos,
              "torch_dtype": "bfloat16" if dtype == "BF16" else "float16"}
    if "qc" in spec:
        config["quantization_config"] = spec["qc"]
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(folder, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": bos, "eos_token_id": eos_ids or eos}, f)
    return config

# ---- the reference model straight from the checkpoint ---------------------------------------------


def absmean_ternary(w):
    w = np.asarray(w, dtype=np.float32)
    s = np.float32(max(np.float32(np.abs(w.astype(np.float64)).mean()), np.float32(1e-5)))
    inv = np.float32(1.0) / s
    t = np.clip(np.rint((w * inv).astype(np.float32)), -1, 1).astype(np.int8)
    return t, s


def unpack_rows(packed):
    rows = packed.shape[0]
    out = np.empty((rows * 4, packed.shape[1]), dtype=np.int8)
    for i in range(4):
        out[i * rows:(i + 1) * rows] = ((packed >> (2 * i)) & 3).astype(np.int8) - 1
    return out


def q8_0_roundtrip(x):
    """What Q8_0 storage keeps of x (ggml's reference: d = max|x|/127 as fp16, q = round(x/d))."""
    blocks = x.reshape(-1, 32).astype(np.float32)
    amax = np.abs(blocks).max(axis=1)
    d = amax / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1), 0).astype(np.float32)
    q = np.trunc(blocks * inv[:, None] + np.copysign(0.5, blocks)).clip(-127, 127)
    d16 = d.astype(np.float16).astype(np.float32)
    return (q * d16[:, None]).reshape(x.shape).astype(np.float32)


def reference_from_checkpoint(folder, reference_module, embed_type="f16", weight_type="i2_s"):
    """The checkpoint as the reference's Model: ternary weights with their scales exactly as the
    Hugging Face modeling code defines them, in Hugging Face's row order. The storage precision
    the conversion asked for is applied: F16 or Q8_0 embeddings, and for TQ2_0 the fp16 scale
    every 256-element block carries."""
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    tensors = read_checkpoint(folder)
    qc = config.get("quantization_config", {})
    multiply = qc.get("linear_class") == "autobitlinear"

    def linear(prefix):
        w = tensors[prefix + ".weight"]
        if w.dtype == np.uint8:
            t = unpack_rows(w)
            stored = np.float32(tensors[prefix + ".weight_scale"].reshape(-1)[0])
            s = stored if multiply else np.float32(np.float32(1.0) / stored)
        else:
            t, s = absmean_ternary(w)
        if weight_type == "tq2_0":
            # One scale per 256-element block, the last one short when the width is not a multiple.
            blocks = np.full((t.shape[0], -(-t.shape[1] // 256)), np.float32(np.float16(s)), dtype=np.float32)
            return reference_module.Linear(t, block_scales=blocks)
        return reference_module.Linear(t, scale=s)

    def dense(name):
        x = tensors[name].astype(np.float32)
        if embed_type == "q8_0":
            return q8_0_roundtrip(x)
        return x.astype(np.float16).astype(np.float32)

    sub = config["architectures"][0] != "LlamaForCausalLM"
    layers = []
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        layer = {"attn_norm": tensors[p + "input_layernorm.weight"],
                 "ffn_norm": tensors[p + "post_attention_layernorm.weight"]}
        for key, name in (("q", "self_attn.q_proj"), ("k", "self_attn.k_proj"),
                          ("v", "self_attn.v_proj"), ("o", "self_attn.o_proj"),
                          ("gate", "mlp.gate_proj"), ("up", "mlp.up_proj"), ("down", "mlp.down_proj")):
            layer[key] = linear(p + name)
        if sub:
            for key, names in (("attn_sub_norm", ("self_attn.attn_sub_norm", "self_attn.inner_attn_ln")),
                               ("ffn_sub_norm", ("mlp.ffn_sub_norm", "mlp.ffn_layernorm"))):
                layer[key] = next(tensors[p + n + ".weight"] for n in names if p + n + ".weight" in tensors)
        layers.append(layer)
    embed = dense("model.embed_tokens.weight")
    output = embed if config.get("tie_word_embeddings") else dense("lm_head.weight")
    hp = {"dim": config["hidden_size"], "heads": config["num_attention_heads"],
          "kv_heads": config.get("num_key_value_heads", config["num_attention_heads"]),
          "eps": np.float32(config["rms_norm_eps"]), "theta": np.float32(config["rope_theta"]),
          "activation": config["hidden_act"], "sub_norms": sub}
    return reference_module.Model(hp, embed, tensors["model.norm.weight"], output, layers)


def rope_hugging_face(x, n_heads, head_dim, pos, theta):
    """Hugging Face's rotate_half convention: element i pairs with i + d/2 in each head; the same
    float32 arithmetic as the reference's GGUF-convention rope, so both give identical bits when
    the converter permuted Q and K rows correctly."""
    x = x.reshape(n_heads, head_dim).astype(np.float32)
    half = head_dim // 2
    i = np.arange(half, dtype=np.float64)
    angle = pos * np.power(float(theta), -2.0 * i / head_dim)
    c, s = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    first, second = x[:, :half].copy(), x[:, half:].copy()
    x[:, :half] = first * c - second * s
    x[:, half:] = first * s + second * c
    return x.reshape(-1)
