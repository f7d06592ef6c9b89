"""The BitNet b1.58 forward pass in NumPy, written from ../shared/docs/FORMATS.md.

The math takes plain arrays (so a Hugging Face checkpoint loader can reuse it); `load_gguf`
builds those arrays from a GGUF file with the independent parser in gguf_reader.py.

Rules that decide exact agreement (FORMATS.md): activations entering a ternary linear are
quantized per token with a = float32(127 / max(|x|, 1e-5)) computed in double, and
q = clamp(round_half_even(float32(x * a)), -128, 127); y = float32(W_t . q) * float32(s / a);
the norm epsilon is float32; keys and values are stored as fp16.
"""
import numpy as np

import gguf_reader as gr


class Linear:
    """Ternary weights [M, K] with either one tensor scale (I2_S) or one scale per 256-block
    (TQ2_0/TQ1_0; the last block may be shorter than 256 when K is not a multiple), times an
    optional extra scale."""

    def __init__(self, ternary, scale=None, block_scales=None, extra_scale=1.0):
        self.t = ternary.astype(np.int32)
        self.scale = scale
        self.block_scales = block_scales
        self.extra = np.float32(extra_scale)


def quantize_activation(x):
    m = float(np.max(np.abs(x)))
    a = np.float32(127.0 / max(m, 1e-5))
    q = np.clip(np.rint((x * a).astype(np.float32)), -128, 127).astype(np.int32)
    return q, a


def bitlinear(w, x):
    q, a = quantize_activation(x)
    if w.scale is not None:
        out_scale = np.float32(np.float32(w.scale * w.extra) / a)
        return (w.t @ q).astype(np.float32) * out_scale
    k = w.t.shape[1]
    inner = np.add.reduceat(w.t * q.reshape(1, k), np.arange(0, k, 256), axis=1).astype(np.float32)
    out_scale = np.float32(w.extra / a)
    return (w.block_scales * inner).sum(axis=1, dtype=np.float32) * out_scale


def rms_norm(x, weight, eps):
    """Sum of squares in double; mean, 1/sqrt(mean + eps) and both products in float32."""
    x = x.astype(np.float32)
    mean = np.float32(np.sum(x.astype(np.float64) ** 2) / x.size)
    inv = np.float32(1.0) / np.sqrt(np.float32(mean + np.float32(eps)))
    return (x * inv) * weight.astype(np.float32)


def rope(x, n_heads, head_dim, pos, theta):
    """GGUF convention: adjacent pairs (2i, 2i+1) rotated by pos * theta^(-2i / head_dim).
    The angle is computed in double, its cosine and sine rounded to float32, the rotation done in
    float32 (as the engine does: keys are rounded to fp16 next, where a last-bit difference could
    flip a rounding)."""
    x = x.reshape(n_heads, head_dim).astype(np.float32)
    i = np.arange(head_dim // 2, dtype=np.float64)
    angle = pos * np.power(float(theta), -2.0 * i / head_dim)
    c, s = np.cos(angle).astype(np.float32), np.sin(angle).astype(np.float32)
    even, odd = x[:, 0::2].copy(), x[:, 1::2].copy()
    x[:, 0::2] = even * c - odd * s
    x[:, 1::2] = even * s + odd * c
    return x.reshape(-1)


def relu2(x):
    return np.square(np.maximum(x, 0)).astype(np.float32)


def silu(x):
    x = x.astype(np.float32)
    return x / (np.float32(1) + np.exp(-x))


class Model:
    """hp: dict of dim, heads, kv_heads, eps, theta, activation ('relu2'|'silu'), sub_norms.
    embed: [vocab, dim] float32; output: [vocab, dim] float32; layers: dicts of arrays/Linears."""

    def __init__(self, hp, embed, output_norm, output, layers):
        self.hp, self.embed, self.output_norm, self.output, self.layers = hp, embed, output_norm, output, layers

    def logits(self, tokens):
        hp = self.hp
        dim, heads, kv_heads = hp["dim"], hp["heads"], hp["kv_heads"]
        hd = dim // heads
        group = heads // kv_heads
        eps, theta = hp["eps"], hp["theta"]
        act = relu2 if hp["activation"] == "relu2" else silu
        caches = [([], []) for _ in self.layers]
        out = []
        for pos, tok in enumerate(tokens):
            x = self.embed[tok].astype(np.float32)
            for layer, (keys, values) in zip(self.layers, caches):
                h = rms_norm(x, layer["attn_norm"], eps)
                q = rope(bitlinear(layer["q"], h), heads, hd, pos, theta)
                k = rope(bitlinear(layer["k"], h), kv_heads, hd, pos, theta)
                v = bitlinear(layer["v"], h)
                # The engine keeps keys and values in fp16.
                keys.append(k.astype(np.float16).astype(np.float32).reshape(kv_heads, hd))
                values.append(v.astype(np.float16).astype(np.float32).reshape(kv_heads, hd))
                K = np.stack(keys)    # [pos+1, kv_heads, hd]
                V = np.stack(values)
                attn = np.empty(dim, dtype=np.float32)
                for hh in range(heads):
                    kvh = hh // group
                    qh = q[hh * hd:(hh + 1) * hd].astype(np.float64)
                    scores = K[:, kvh, :].astype(np.float64) @ qh / np.sqrt(hd)
                    p = np.exp(scores - scores.max())
                    p /= p.sum()
                    attn[hh * hd:(hh + 1) * hd] = (p @ V[:, kvh, :].astype(np.float64)).astype(np.float32)
                if hp["sub_norms"]:
                    attn = rms_norm(attn, layer["attn_sub_norm"], eps)
                x = (x + bitlinear(layer["o"], attn)).astype(np.float32)
                g = rms_norm(x, layer["ffn_norm"], eps)
                f = (act(bitlinear(layer["gate"], g)) * bitlinear(layer["up"], g)).astype(np.float32)
                if hp["sub_norms"]:
                    f = rms_norm(f, layer["ffn_sub_norm"], eps)
                x = (x + bitlinear(layer["down"], f)).astype(np.float32)
            xn = rms_norm(x, self.output_norm, eps).astype(np.float64)
            out.append((self.output.astype(np.float64) @ xn).astype(np.float32))
        return np.stack(out)


BLOCK = {gr.I2_S: 128, gr.TQ2_0: 256, gr.TQ1_0: 256}


def _unpadded(name, t, tern, width):
    """Padding rule (converter README): a ternary weight whose input width is not a multiple of
    its type's block stores rows zero-padded to the next multiple. Drops those columns, after
    checking they are exactly that many and all zero."""
    k = tern.shape[1]
    if k == width:
        return tern
    block = BLOCK[t.type]
    if k != -(-width // block) * block:
        raise gr.GgufError(f"{name}: rows of {k} for an input width of {width} ({t.type})")
    if np.any(tern[:, width:] != 0):
        raise gr.GgufError(f"{name}: the padding columns {width}..{k} hold non-zero weights")
    return tern[:, :width]


def _linear(f, name, width):
    t = f.tensors[name + ".weight"]
    extra = 1.0
    if name + ".scale" in f.tensors:
        extra = np.frombuffer(f.tensors[name + ".scale"].data, dtype="<f4")[0]
    if t.type == gr.I2_S:
        tern, s = gr.i2s_ternary(t)
        return Linear(_unpadded(name, t, tern, width), scale=s, extra_scale=extra)
    if t.type == gr.TQ2_0:
        tern, d = gr.tq2_0_ternary(t)
        return Linear(_unpadded(name, t, tern, width), block_scales=d, extra_scale=extra)
    if t.type == gr.TQ1_0:
        tern, d = gr.tq1_0_ternary(t)
        return Linear(_unpadded(name, t, tern, width), block_scales=d, extra_scale=extra)
    raise gr.GgufError(f"{name}: not a ternary type ({t.type})")


def load_gguf(path):
    f = gr.GgufFile(path)
    arch = f.meta["general.architecture"]
    hp = {
        "dim": f.meta[arch + ".embedding_length"],
        "heads": f.meta[arch + ".attention.head_count"],
        "kv_heads": f.meta.get(arch + ".attention.head_count_kv", f.meta[arch + ".attention.head_count"]),
        "eps": np.float32(f.meta[arch + ".attention.layer_norm_rms_epsilon"]),
        "theta": np.float32(f.meta.get(arch + ".rope.freq_base", 10000.0)),
        "activation": "relu2" if arch in ("bitnet-b1.58", "bitnet-25") else "silu",
        "sub_norms": arch != "llama",
    }
    if arch + ".hidden_activation" in f.meta:
        hp["activation"] = "relu2" if f.meta[arch + ".hidden_activation"] in ("relu2", "relu_squared") else "silu"
    embed = gr.dequantize(f.tensors["token_embd.weight"])
    output = gr.dequantize(f.tensors["output.weight"]) if "output.weight" in f.tensors else embed

    def vec(name):
        return gr.dequantize(f.tensors[name]).reshape(-1)

    layers = []
    for i in range(f.meta[arch + ".block_count"]):
        b = f"blk.{i}."
        layer = {"attn_norm": vec(b + "attn_norm.weight"), "ffn_norm": vec(b + "ffn_norm.weight")}
        dim, ffn = hp["dim"], f.meta[arch + ".feed_forward_length"]
        for key, name, width in (("q", "attn_q", dim), ("k", "attn_k", dim), ("v", "attn_v", dim),
                                 ("o", "attn_output", dim), ("gate", "ffn_gate", dim),
                                 ("up", "ffn_up", dim), ("down", "ffn_down", ffn)):
            layer[key] = _linear(f, b + name, width)
        if hp["sub_norms"]:
            layer["attn_sub_norm"] = vec(b + "attn_sub_norm.weight")
            layer["ffn_sub_norm"] = vec(b + "ffn_sub_norm.weight")
        layers.append(layer)
    return Model(hp, embed, vec("output_norm.weight"), output, layers)
