"""Trains Tern's built-in demo model: a miniature BitNet b1.58 (2B4T architecture) on Shakespeare.

Usage (from the repository root; CPU only, deterministic for a given BLAS and thread count):
    /usr/bin/python3 resources/demo-model/train.py [--threads N] [--steps N] [--out DIR]
Writes to DIR (default resources/demo-model/run, git-ignored): tokenizer.model, checkpoint.pt,
train_log.csv; and loss.png beside this script. export.py turns the checkpoint into the
Hugging Face folder hf/ and the parity figures reference.json.
"""
import argparse
import csv
import json
import math
import os
import sys
import time

# Busy-waiting OpenMP threads collapse on a shared, loaded machine; passive waiting does not.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bitnet_model import BitNetModel  # noqa: E402
import demo_data  # noqa: E402

SEED = 1234


def train_tokenizer(train_text: str, out_dir: str) -> spm.SentencePieceProcessor:
    # SentencePiece reads its input line by line, so newlines never become pieces: like LLaMA-2's
    # tokenizer, they are encoded through byte fallback (<0x0A>).
    lines = [line for line in train_text.split("\n") if line.strip()]
    prefix = os.path.join(out_dir, "tokenizer")
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_prefix=prefix,
        model_type="bpe",
        vocab_size=demo_data.VOCAB_SIZE,
        byte_fallback=True,
        character_coverage=1.0,
        normalization_rule_name="identity",
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        split_digits=True,
        unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        num_threads=1,
        shuffle_input_sentence=False,
        minloglevel=2,
    )
    return spm.SentencePieceProcessor(model_file=prefix + ".model")


def lr_at(step: int, steps: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def validation_loss(model, chunks) -> float:
    model.eval()
    total, count = 0.0, 0
    for inp, tgt in chunks:
        logits = model(inp.unsqueeze(0))[0]
        total += F.cross_entropy(logits, tgt, reduction="sum").item()
        count += tgt.numel()
    model.train()
    return total / count


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=demo_data.TRAIN_STEPS)
    ap.add_argument("--out", default=os.path.join(HERE, "run"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    train_text, heldout_text = demo_data.split_text()
    sp = train_tokenizer(train_text, args.out)
    train_ids = torch.tensor(sp.encode(train_text), dtype=torch.long)
    heldout_ids = sp.encode(heldout_text)
    print(f"train: {len(train_text)} chars, {len(train_ids)} tokens; "
          f"held out: {len(heldout_text)} chars, {len(heldout_ids)} tokens", flush=True)

    cfg = demo_data.model_config()
    model = BitNetModel(cfg, dropout=0.0)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"parameters: {n_params}", flush=True)

    # Weight decay on the matrices only (latent weights and embeddings), not on norm gains.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=demo_data.PEAK_LR, betas=(0.9, 0.95), eps=1e-8)

    ctx, batch = cfg["max_position_embeddings"], demo_data.BATCH
    val_chunks = demo_data.eval_chunks(heldout_ids, ctx)[: demo_data.VAL_CHUNKS_DURING_TRAINING]
    gen = torch.Generator().manual_seed(SEED)
    bos = torch.full((batch, 1), demo_data.BOS_ID, dtype=torch.long)

    log_path = os.path.join(args.out, "train_log.csv")
    with open(log_path, "w", newline="") as log_file:
        log = csv.writer(log_file)
        log.writerow(["step", "tokens", "lr", "train_loss", "val_loss", "seconds"])
        start = time.time()
        for step in range(args.steps):
            # Each sequence: BOS, then ctx tokens from a random offset; every token is a target,
            # the first one predicted from BOS alone (the same framing as the evaluation).
            offsets = torch.randint(0, len(train_ids) - ctx, (batch,), generator=gen)
            windows = torch.stack([train_ids[o:o + ctx] for o in offsets.tolist()])
            inputs = torch.cat([bos, windows[:, :-1]], dim=1)
            lr = lr_at(step, args.steps, demo_data.PEAK_LR, demo_data.WARMUP)
            for group in opt.param_groups:
                group["lr"] = lr
            logits = model(inputs)
            loss = F.cross_entropy(logits.reshape(-1, cfg["vocab_size"]), windows.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            val = ""
            if (step + 1) % demo_data.VAL_EVERY == 0 or step + 1 == args.steps:
                val = f"{validation_loss(model, val_chunks):.4f}"
            elapsed = time.time() - start
            log.writerow([step + 1, (step + 1) * batch * ctx, f"{lr:.6f}", f"{loss.item():.4f}", val,
                          f"{elapsed:.1f}"])
            log_file.flush()
            print(f"step {step + 1}/{args.steps} lr {lr:.5f} loss {loss.item():.4f}"
                  + (f" val {val}" if val else "") + f" ({elapsed:.0f} s)", flush=True)

    torch.save({"config": cfg, "state_dict": model.state_dict(), "steps": args.steps,
                "parameters": n_params, "seconds": time.time() - start},
               os.path.join(args.out, "checkpoint.pt"))
    import plot_loss
    plot_loss.plot(log_path, os.path.join(HERE, "loss.png"))
    print("done", flush=True)


if __name__ == "__main__":
    main()
