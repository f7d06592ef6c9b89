"""Checks a Tern build against reference.json through tern-cli alone (no C++ test build needed).

Usage: /usr/bin/python3 resources/demo-model/check_engine.py --cli build/app/tern-cli \\
           [--model resources/tern-demo.gguf] [--threads 2]
- perplexity: `tern-cli perplexity --tokens FILE -c 512`, FILE holding for every held-out chunk BOS
  and the chunk's first 511 ids (the ids come from reference.json's tokenizer, SentencePiece);
  compared with reference.json's perplexity_cli_windows;
- greedy: `tern-cli logits` on the prompt plus the tokens chosen so far, argmax of the last row,
  64 times per prompt; compared with reference.json's greedy ids.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import demo_data  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--model", default=os.path.join(HERE, "..", "tern-demo.gguf"))
    ap.add_argument("--threads", default="2")
    args = ap.parse_args()
    with open(os.path.join(HERE, "reference.json")) as f:
        ref = json.load(f)
    sp = spm.SentencePieceProcessor(model_file=os.path.join(HERE, ref["model"], "tokenizer.model"))
    text = demo_data.read_text()
    ids = sp.encode(text[ref["evaluation"]["heldout_offset"]:])
    ctx = ref["evaluation"]["chunk_tokens"]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        windows = []
        for c in range(len(ids) // ctx):
            windows += [demo_data.BOS_ID] + ids[c * ctx:(c + 1) * ctx - 1]
        tokens_file = os.path.join(tmp, "windows.txt")
        with open(tokens_file, "w") as f:
            f.write(" ".join(map(str, windows)))
        out = subprocess.run([args.cli, "perplexity", "-m", args.model, "--tokens", tokens_file,
                              "-c", str(ctx), "-t", args.threads],
                             capture_output=True, text=True, check=True).stdout
        engine_ppl = float(re.search(r"perplexity: ([0-9.]+)", out).group(1))
        want = ref["perplexity_cli_windows"]
        rel = engine_ppl / want - 1
        print(f"perplexity (tern-cli windows): engine {engine_ppl:.4f}, PyTorch {want:.4f} "
              f"({100 * rel:+.3f}%), PyTorch with an fp16 KV cache "
              f"{ref['perplexity_cli_windows_kv_f16']:.4f}")
        ok &= abs(rel) < 0.01

        logits_file = os.path.join(tmp, "logits.bin")
        for g in ref["greedy"]:
            seq = list(g["prompt_ids"])
            got = []
            for _ in range(len(g["ids"])):
                subprocess.run([args.cli, "logits", "-m", args.model, "--tokens",
                                ",".join(map(str, seq)), "-o", logits_file, "-t", args.threads],
                               capture_output=True, check=True)
                last = np.fromfile(logits_file, dtype="<f4")[-sp.get_piece_size():]
                got.append(int(np.argmax(last)))
                seq.append(got[-1])
            same = got == g["ids"]
            first_diff = next((i for i, (a, b) in enumerate(zip(got, g["ids"])) if a != b), None)
            print(f"greedy {g['prompt']!r}: {'identical' if same else f'differs at token {first_diff}'}")
            if not same:
                print("  engine: ", repr(sp.decode(got)))
                print("  PyTorch:", repr(g["text"]))
            ok &= same
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
