"""A BitNet b1.58 model with the 2B4T architecture, in miniature.

Shared by train.py (training with the straight-through estimator) and export.py (ternary inference
on the exported weights, which gives the figures the engine must reproduce).

The quantization follows docs FORMATS.md exactly, so that Tern's engine can match it bit for bit:
- weights: s = mean(|W|) per tensor, codes = clamp(round(W * (1/s)), -1, 1), effective W = codes * s;
- activations: a = 127 / max(|x|, 1e-5) per token, computed in double and stored as float32;
  q = clamp(round(x * a), -128, 127) with the product x * a rounded in float32 and
  round-half-to-even (torch.round); the linear output is (codes . q) * s / a.
Weight names and shapes follow the Hugging Face BitNet (2B4T) layout, including its
"rotate_half" rotary embedding: the converter permutes Q/K for GGUF.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def weight_scale(w: torch.Tensor) -> torch.Tensor:
    return w.abs().mean().clamp(min=1e-5)


def ternary_codes(w: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    # Multiply by the float32 inverse (transformers' WeightQuant and Tern's converter do the same):
    # w / s and w * (1 / s) differ in the last bit for a few values.
    return torch.round(w * (1.0 / s)).clamp(-1, 1)


def activation_scale(x: torch.Tensor) -> torch.Tensor:
    # 127 / max|x| in double, then stored as float32 (the engine does the same).
    amax = x.detach().abs().amax(dim=-1, keepdim=True).double().clamp(min=1e-5)
    return (127.0 / amax).to(torch.float32)


def quantize_activations(x: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return torch.round(x * a).clamp(-128, 127)


class BitLinear(nn.Module):
    """y = ternary(W) . int8(x), with float latent weights trained through the STE."""

    def __init__(self, in_features: int, out_features: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        nn.init.normal_(self.weight, std=0.02)
        self.inference = False  # True: exact integer-path evaluation (no gradients)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = self.weight
        s = weight_scale(w)
        a = activation_scale(x)
        if self.inference:
            codes = ternary_codes(w, s)
            q = quantize_activations(x, a)
            # Integer dot products are exact in float32 here (|sum| < 2^24 for K <= 1024).
            acc = q @ codes.t()
            return acc * s / a
        # Straight-through estimator: forward uses quantized values, backward the identity.
        wq = w + (ternary_codes(w, s.detach()) * s.detach() - w).detach()
        xq = x + (quantize_activations(x, a) / a - x).detach()
        return F.linear(xq, wq)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Rotary(nn.Module):
    def __init__(self, head_dim: int, max_positions: int, theta: float):
        super().__init__()
        inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
        pos = torch.arange(max_positions, dtype=torch.float64)
        freqs = torch.outer(pos, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.register_buffer("cos", emb.cos().to(torch.float32), persistent=False)
        self.register_buffer("sin", emb.sin().to(torch.float32), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: [batch, heads, seq, head_dim]
        n = x.shape[-2]
        return x * self.cos[:n] + rotate_half(x) * self.sin[:n]


class Attention(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d = cfg["hidden_size"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_kv = cfg["num_key_value_heads"]
        self.head_dim = d // self.n_heads
        self.q_proj = BitLinear(d, self.n_heads * self.head_dim)
        self.k_proj = BitLinear(d, self.n_kv * self.head_dim)
        self.v_proj = BitLinear(d, self.n_kv * self.head_dim)
        self.o_proj = BitLinear(self.n_heads * self.head_dim, d)
        self.attn_sub_norm = RMSNorm(self.n_heads * self.head_dim, cfg["rms_norm_eps"])
        # Tern's engine keeps keys and values in an fp16 cache; the reference can do the same.
        self.kv_fp16 = False

    def forward(self, x: torch.Tensor, rotary: Rotary) -> torch.Tensor:
        b, n, _ = x.shape
        q = self.q_proj(x).view(b, n, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, n, self.n_kv, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, n, self.n_kv, self.head_dim).transpose(1, 2)
        q, k = rotary(q), rotary(k)
        if self.kv_fp16:
            k = k.half().float()
            v = v.half().float()
        rep = self.n_heads // self.n_kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        mask = torch.ones(n, n, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        out = torch.softmax(scores, dim=-1) @ v
        out = out.transpose(1, 2).reshape(b, n, self.n_heads * self.head_dim)
        return self.o_proj(self.attn_sub_norm(out))


class FeedForward(nn.Module):
    def __init__(self, cfg: dict):
        super().__init__()
        d, f = cfg["hidden_size"], cfg["intermediate_size"]
        self.gate_proj = BitLinear(d, f)
        self.up_proj = BitLinear(d, f)
        self.down_proj = BitLinear(f, d)
        self.ffn_sub_norm = RMSNorm(f, cfg["rms_norm_eps"])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.gate_proj(x)).square() * self.up_proj(x)
        return self.down_proj(self.ffn_sub_norm(h))


class Block(nn.Module):
    def __init__(self, cfg: dict, dropout: float):
        super().__init__()
        eps = cfg["rms_norm_eps"]
        self.input_layernorm = RMSNorm(cfg["hidden_size"], eps)
        self.self_attn = Attention(cfg)
        self.post_attention_layernorm = RMSNorm(cfg["hidden_size"], eps)
        self.mlp = FeedForward(cfg)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, rotary: Rotary) -> torch.Tensor:
        h = x + self.dropout(self.self_attn(self.input_layernorm(x), rotary))
        return h + self.dropout(self.mlp(self.post_attention_layernorm(h)))


class BitNetModel(nn.Module):
    def __init__(self, cfg: dict, dropout: float = 0.0):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg["vocab_size"], cfg["hidden_size"])
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        self.layers = nn.ModuleList([Block(cfg, dropout) for _ in range(cfg["num_hidden_layers"])])
        self.norm = RMSNorm(cfg["hidden_size"], cfg["rms_norm_eps"])
        head_dim = cfg["hidden_size"] // cfg["num_attention_heads"]
        self.rotary = Rotary(head_dim, cfg["max_position_embeddings"], cfg["rope_theta"])

    def set_inference(self, on: bool, kv_fp16: bool = False) -> None:
        for m in self.modules():
            if isinstance(m, BitLinear):
                m.inference = on
            if isinstance(m, Attention):
                m.kv_fp16 = kv_fp16

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        x = self.embed_tokens(tokens)
        for layer in self.layers:
            x = layer(x, self.rotary)
        # Tied embeddings: the output head is the (unquantized) embedding matrix.
        return self.norm(x) @ self.embed_tokens.weight.t()

    def hf_state_dict(self) -> dict:
        """Tensors under the Hugging Face BitNet names (model.*; no lm_head: tied)."""
        return {"model." + k: v for k, v in self.state_dict().items()}

    def load_hf_state_dict(self, tensors: dict) -> None:
        self.load_state_dict({k[len("model."):]: v for k, v in tensors.items()})
