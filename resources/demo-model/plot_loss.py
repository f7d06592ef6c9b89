"""Plots train_log.csv (training loss per step, validation loss every few steps) as a PNG."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(log_path: str, png_path: str) -> None:
    steps, train, vsteps, val = [], [], [], []
    with open(log_path) as f:
        for row in csv.DictReader(f):
            steps.append(int(row["step"]))
            train.append(float(row["train_loss"]))
            if row["val_loss"]:
                vsteps.append(int(row["step"]))
                val.append(float(row["val_loss"]))
    # A running mean makes the noisy per-batch training loss readable.
    k = 10
    smooth = [sum(train[max(0, i - k + 1):i + 1]) / len(train[max(0, i - k + 1):i + 1])
              for i in range(len(train))]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=100)
    ax.plot(steps, train, color="#9ecae1", linewidth=0.8, label="training loss (per batch)")
    ax.plot(steps, smooth, color="#3182bd", linewidth=1.5, label=f"training loss ({k}-step mean)")
    ax.plot(vsteps, val, "o-", color="#e6550d", markersize=3, label="validation loss (held-out)")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats / token)")
    ax.set_title("Tern demo model: BitNet b1.58 on Tiny Shakespeare")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png_path)


if __name__ == "__main__":
    plot(sys.argv[1], sys.argv[2])
