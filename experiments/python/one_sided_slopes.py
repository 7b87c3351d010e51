"""How evenly a generated network covers its inputs with one-sided neurons.

Reads networks in the JSON export format (written by `generate --out X.json`)
with numpy only, and prints, averaged over the networks:
- the one-sided slope per input, sum of a_j |W_ji| over the neurons local to
  input i (a pudding needs 2 on every input: |x| = 2 s(kx)/k - x);
- its spread across inputs (coefficient of variation; 0 = every input alike);
- the local neurons' mean weight on their other inputs, relative to their
  main weight (0 in the hand-written pudding).

    cargo run --release --example generate -- runs/discover/checkpoint.safetensors --out runs/generated.json
    python3 experiments/python/one_sided_slopes.py runs/generated.json
"""
import json
import sys

import numpy as np


def main(path):
    networks = json.load(open(path))["networks"]
    slopes, spreads, off_weights = [], [], []
    for net in networks:
        w, a = np.array(net["w"]), np.array(net["a"])
        cover = np.zeros(w.shape[1])
        for row, readout in zip(w, a):
            target = np.argmax(np.abs(row))
            main_weight = abs(row[target])
            others = np.delete(row, target)
            # Local: one weight dominates the rest; 0.5 skips near-dead rows.
            if main_weight > 0.5 and main_weight > 3 * np.abs(others).max():
                cover[target] += readout * main_weight
                off_weights.append(others.mean() / main_weight)
        slopes.append(cover.mean())
        spreads.append(cover.std() / cover.mean() if cover.mean() > 0 else np.nan)
    print(f"{path}: {len(networks)} networks; one-sided slope per input "
          f"{np.mean(slopes):.2f} (pudding: 2), spread across inputs "
          f"{np.nanmean(spreads):.2f}; local neurons' off-weight / main weight "
          f"{np.mean(off_weights) if off_weights else float('nan'):+.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: one_sided_slopes.py NETWORKS.json")
    main(sys.argv[1])
