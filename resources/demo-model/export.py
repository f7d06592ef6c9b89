"""Exports the trained demo model in the Hugging Face layout and records the parity figures.

Usage (from the repository root, after train.py):
    /usr/bin/python3 resources/demo-model/export.py [--run DIR] [--threads N]
Writes resources/demo-model/tern-demo/ (config.json, model.safetensors with the latent weights in
F16, tokenizer.model, tokenizer_config.json) and resources/demo-model/reference.json. The figures
in reference.json are computed from the exported file, re-loaded, so PyTorch sees exactly the
precision the converter and the engine see.
"""
import argparse
import json
import math
import os
import shutil
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import demo_data  # noqa: E402
import safetensors_io  # noqa: E402
from bitnet_model import BitNetModel, ternary_codes, weight_scale  # noqa: E402

# |W / s| within this distance of 0.5 would make the ternary code depend on the last bits of
# mean(|W|), which differ between summation orders (PyTorch, the converter). Such weights are
# moved one fp16 step away from the boundary before export, on the side they already round to.
TERNARY_MARGIN = 1e-4

PROMPTS = [
    "ROMEO:\nBut soft, what light",
    "KING RICHARD III:\nNow is the",
    "First Citizen:\nWe are accounted poor citizens",
]
GENERATE_TOKENS = 64

# The demo model continues a play. A conversation is mapped onto the play's own speaker format
# ("NAME:\n" then the speech, a blank line between speeches): the user speaks as ROMEO, Tern
# answers as JULIET, both speakers the model knows well from the training text. A system message
# becomes an opening paragraph. The reply ends at the next blank line (the model never learned an
# end-of-text token), so a front end should use "\n\n" as a stop string for this model.
CHAT_TEMPLATE = (
    # Plain {% %} tags: the whitespace-stripping forms would eat the newlines of the format.
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ message['content'] }}\n\n"
    "{% elif message['role'] == 'user' %}ROMEO:\n{{ message['content'] }}\n\n"
    "{% else %}JULIET:\n{{ message['content'] }}\n\n"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}JULIET:\n{% endif %}"
)


def is_bitlinear(name: str) -> bool:
    return name.endswith("_proj.weight")


def guard_ternary_margins(w: np.ndarray):
    w = w.copy()
    nudged = 0
    for _ in range(20):
        wf = torch.from_numpy(w.astype(np.float32))
        y = (wf * (1.0 / weight_scale(wf))).abs().numpy()
        near = np.abs(y - 0.5) < TERNARY_MARGIN
        if not near.any():
            return w, nudged
        nudged += int(near.sum())
        toward = np.where(y <= 0.5, 0.0, np.copysign(np.inf, w)).astype(np.float16)
        w[near] = np.nextafter(w[near], toward[near])
    raise RuntimeError("ternary margin guard did not converge")


def export(model_state: dict, cfg: dict, sp_model: str, out_dir: str) -> dict:
    os.makedirs(out_dir, exist_ok=True)
    tensors, nudged = {}, {}
    for name, value in model_state.items():
        w = value.detach().to(torch.float32).numpy().astype(np.float16)
        if not np.isfinite(w).all():
            raise RuntimeError(f"{name}: not finite in fp16")
        if is_bitlinear(name):
            w, n = guard_ternary_margins(w)
            if n:
                nudged[name] = n
        tensors[name] = w
    safetensors_io.write(os.path.join(out_dir, "model.safetensors"), tensors, {"format": "pt"})
    config = dict(cfg)
    config["torch_dtype"] = "float16"
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    shutil.copyfile(sp_model, os.path.join(out_dir, "tokenizer.model"))
    tok_config = {
        "tokenizer_class": "LlamaTokenizer",
        "add_bos_token": True,
        "add_eos_token": False,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "model_max_length": cfg["max_position_embeddings"],
        "chat_template": CHAT_TEMPLATE,
    }
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump(tok_config, f, indent=2)
        f.write("\n")
    return nudged


def load_exported(out_dir: str, cfg: dict) -> BitNetModel:
    tensors = safetensors_io.read(os.path.join(out_dir, "model.safetensors"))
    model = BitNetModel(cfg)
    model.load_hf_state_dict({k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()})
    model.eval()
    # The ternary codes must not depend on how mean(|W|) is summed: compare with a float64 scale.
    for name, v in tensors.items():
        if is_bitlinear(name):
            w = torch.from_numpy(v.astype(np.float32))
            s64 = w.double().abs().mean()
            codes64 = torch.round(w.double() * (1.0 / s64)).clamp(-1, 1)
            if not torch.equal(ternary_codes(w, weight_scale(w)).double(), codes64):
                raise RuntimeError(f"{name}: ternary codes depend on the precision of the scale")
    return model


@torch.no_grad()
def chunk_nlls(model: BitNetModel, chunks, batch: int = 8):
    """Per chunk: the NLL of all its tokens, and of all but the last (what `tern-cli perplexity
    --tokens` scores when each window is BOS + the chunk's first ctx-1 tokens)."""
    nlls, nlls_but_last = [], []
    for i in range(0, len(chunks), batch):
        inp = torch.stack([c[0] for c in chunks[i:i + batch]])
        tgt = torch.stack([c[1] for c in chunks[i:i + batch]])
        logp = torch.log_softmax(model(inp), dim=-1)
        per_token = -logp.gather(-1, tgt.unsqueeze(-1)).squeeze(-1).double()
        nlls.extend(per_token.sum(dim=-1).tolist())
        nlls_but_last.extend(per_token[:, :-1].sum(dim=-1).tolist())
    return nlls, nlls_but_last


@torch.no_grad()
def greedy(model: BitNetModel, ids, n: int):
    ids = list(ids)
    out, margins = [], []
    for _ in range(n):
        logits = model(torch.tensor([ids]))[0, -1]
        top = torch.topk(logits, 2)
        out.append(int(top.indices[0]))
        margins.append(float(top.values[0] - top.values[1]))
        ids.append(out[-1])
    return out, margins


def fnv1a64(ids) -> str:
    h = 0xCBF29CE484222325
    for t in ids:
        for b in int(t).to_bytes(4, "little", signed=True):
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default=os.path.join(HERE, "run"))
    ap.add_argument("--out", default=os.path.join(HERE, "tern-demo"))
    ap.add_argument("--reference", default=os.path.join(HERE, "reference.json"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    ckpt = torch.load(os.path.join(args.run, "checkpoint.pt"))
    cfg = ckpt["config"]
    sp_path = os.path.join(args.run, "tokenizer.model")
    hf_state = {"model." + k: v for k, v in ckpt["state_dict"].items()}
    nudged = export(hf_state, cfg, sp_path, args.out)
    print(f"exported to {args.out}; weights moved off a ternary rounding boundary: "
          f"{sum(nudged.values())} in {len(nudged)} tensors", flush=True)

    model = load_exported(args.out, cfg)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(args.out, "tokenizer.model"))
    text = demo_data.read_text()
    cut = demo_data.split_offset(text)
    heldout_ids = sp.encode(text[cut:])
    ctx = cfg["max_position_embeddings"]
    chunks = demo_data.eval_chunks(heldout_ids, ctx)

    results = {}
    for mode, kv_fp16 in (("kv_f32", False), ("kv_f16", True)):
        model.set_inference(True, kv_fp16=kv_fp16)
        nlls, nlls_but_last = chunk_nlls(model, chunks)
        ppl = math.exp(sum(nlls) / (len(nlls) * ctx))
        ppl_cli = math.exp(sum(nlls_but_last) / (len(nlls) * (ctx - 1)))
        gens = []
        for prompt in PROMPTS:
            prompt_ids = [demo_data.BOS_ID] + sp.encode(prompt)
            ids, margins = greedy(model, prompt_ids, GENERATE_TOKENS)
            gens.append({"prompt": prompt, "prompt_ids": prompt_ids, "ids": ids,
                         "text": sp.decode(prompt_ids[1:] + ids)[len(sp.decode(prompt_ids[1:])):],
                         "min_top2_margin": round(min(margins), 5)})
        results[mode] = {"nlls": nlls, "perplexity": ppl, "perplexity_cli": ppl_cli,
                         "generations": gens}
        print(f"{mode}: held-out perplexity {ppl:.4f}", flush=True)
        for g in gens:
            print(f"  {g['prompt']!r} -> {g['text']!r} (min top-2 margin {g['min_top2_margin']})")

    same = all(a["ids"] == b["ids"] for a, b in
               zip(results["kv_f32"]["generations"], results["kv_f16"]["generations"]))
    print("greedy tokens identical with f32 and f16 keys/values:", same, flush=True)

    reference = {
        "model": os.path.relpath(args.out, HERE),
        "evaluation": {
            "text": "../shared/data/tinyshakespeare.txt (relative to the repository root), bytes "
                    "[heldout_offset, end)",
            "heldout_offset": cut,
            "heldout_bytes": len(text) - cut,
            "tokenization": "SentencePiece encode of the whole held-out text as one string "
                            "(add_dummy_prefix as the model says), no BOS, no EOS",
            "heldout_tokens": len(heldout_ids),
            "heldout_tokens_fnv1a64": fnv1a64(heldout_ids),
            "heldout_first_tokens": heldout_ids[:32],
            "chunk_tokens": ctx,
            "chunks": len(chunks),
            "framing": "consecutive chunks of chunk_tokens tokens, the trailing partial chunk "
                       "dropped; each chunk in a fresh context: input BOS + the chunk's first "
                       "chunk_tokens-1 tokens, every token of the chunk scored (the first given BOS "
                       "only); perplexity = exp(sum of NLL / (chunks * chunk_tokens))",
            "mode": "ternary inference: absmean ternary weights, per-token absmax int8 "
                    "activations (round half to even), float32 everywhere else",
        },
        "perplexity": results["kv_f32"]["perplexity"],
        "chunk_nll": [round(x, 6) for x in results["kv_f32"]["nlls"]],
        "perplexity_kv_f16": results["kv_f16"]["perplexity"],
        # tern-cli perplexity --tokens FILE -c chunk_tokens, FILE holding for every chunk BOS and
        # its first chunk_tokens-1 ids (check_engine.py writes it): the last token is not scored.
        "perplexity_cli_windows": results["kv_f32"]["perplexity_cli"],
        "perplexity_cli_windows_kv_f16": results["kv_f16"]["perplexity_cli"],
        "chunk_nll_kv_f16": [round(x, 6) for x in results["kv_f16"]["nlls"]],
        # Greedy paths are compared at the engine's KV precision (fp16): a near-tie between the
        # two best logits (see min_top2_margin) can go either way with float32 keys and values.
        "greedy": results["kv_f16"]["generations"],
        "greedy_kv_f32": results["kv_f32"]["generations"],
        "greedy_identical_with_kv_f32": same,
        "training": {"steps": ckpt["steps"], "parameters": ckpt["parameters"],
                     "seconds": round(ckpt["seconds"], 1)},
        "ternary_margin_nudged_weights": nudged,
    }
    with open(args.reference, "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    print(f"wrote {args.reference}")


if __name__ == "__main__":
    main()
