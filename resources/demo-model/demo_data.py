"""The demo model's data split, hyperparameters and evaluation framing, shared by train.py and
export.py. The engine's tests reproduce the evaluation from the figures written to reference.json.
"""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data", "tinyshakespeare.txt"))

VOCAB_SIZE = 4096
BOS_ID, EOS_ID = 1, 2
BATCH = 4
TRAIN_STEPS = 180
PEAK_LR = 3e-3
WARMUP = 15
VAL_EVERY = 20
VAL_CHUNKS_DURING_TRAINING = 4


def model_config() -> dict:
    return {
        "architectures": ["BitNetForCausalLM"],
        "model_type": "bitnet",
        "hidden_size": 256,
        "intermediate_size": 768,
        "num_hidden_layers": 5,
        "num_attention_heads": 8,
        "num_key_value_heads": 2,
        "vocab_size": VOCAB_SIZE,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "max_position_embeddings": 512,
        "tie_word_embeddings": True,
        "hidden_act": "relu2",
        "bos_token_id": BOS_ID,
        "eos_token_id": EOS_ID,
    }


def read_text() -> str:
    with open(DATA, "rb") as f:
        return f.read().decode("ascii")


def split_offset(text: str) -> int:
    """Byte offset where the held-out part starts: the start of the line that holds the 90% mark,
    so the held-out text is at least the last 10% and begins at a line start."""
    return text.rindex("\n", 0, int(len(text) * 0.9)) + 1


def split_text():
    text = read_text()
    cut = split_offset(text)
    return text[:cut], text[cut:]


def eval_chunks(ids, ctx: int):
    """The perplexity framing: the held-out token stream (SentencePiece encoding of the whole
    held-out text, no BOS) is cut into consecutive chunks of ctx tokens; a trailing partial chunk is
    dropped. Each chunk is evaluated on its own, with a fresh context: the input is BOS followed by
    the chunk's first ctx-1 tokens, and all ctx tokens of the chunk are predicted (the first from
    BOS alone). Perplexity = exp(sum of negative log-likelihoods / number of predicted tokens)."""
    chunks = []
    for i in range(len(ids) // ctx):
        chunk = torch.tensor(ids[i * ctx:(i + 1) * ctx], dtype=torch.long)
        inp = torch.cat([torch.tensor([BOS_ID]), chunk[:-1]])
        chunks.append((inp, chunk))
    return chunks
