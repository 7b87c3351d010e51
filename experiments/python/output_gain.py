"""Whether a generated network's error is its shape or only its output gain.

Reads networks in the JSON export format (written by `generate --out X.json`)
with numpy only. For each network it scores the L1 task (x ~ N(0, I_n),
target ||x||_1) by NMSE, then refits just the read-out's scale and offset
(least squares, y ~ s * f(x) + t) and scores again. If the refit NMSE is near
the trained width's, the hidden layer is right and only the gain is off: at
unseen widths m the summed output grows with the number of neurons used,
while each output weight is written in prior units (1/sqrt(m)).

    cargo run --release --example generate -- runs/discover/checkpoint.safetensors --betas 1e-5 --m 48 --count 4 --out runs/generated-m48.json
    python3 experiments/python/output_gain.py runs/generated-m48.json
"""
import json
import sys

import numpy as np

ACTIVATIONS = {
    "swish": lambda u: u / (1.0 + np.exp(-u)),
    "relu": lambda u: np.maximum(u, 0.0),
}


def main(path, inputs=16384, seed=0):
    networks = json.load(open(path))["networks"]
    rng = np.random.default_rng(seed)
    nmse, refit, scales, offsets = [], [], [], []
    for net in networks:
        w, b, a = np.array(net["w"]), np.array(net["b"]), np.array(net["a"])
        x = rng.standard_normal((inputs, net["n"]))
        target = np.abs(x).sum(axis=1)
        # The format lets the activation be absent, meaning swish.
        activation = ACTIVATIONS[net.get("activation", "swish")]
        output = activation(x @ w.T + b) @ a + net["c"]
        design = np.stack([output, np.ones_like(output)], axis=1)
        (scale, offset), *_ = np.linalg.lstsq(design, target, rcond=None)
        variance = target.var()
        nmse.append(((output - target) ** 2).mean() / variance)
        refit.append(((design @ [scale, offset] - target) ** 2).mean() / variance)
        scales.append(scale)
        offsets.append(offset)
        print(f"n {net['n']} m {net['m']}: NMSE {nmse[-1]:.3f}, gain refit "
              f"(scale {scale:.2f}, offset {offset:+.2f}) {refit[-1]:.3f}")
    print(f"{path}: {len(networks)} networks; NMSE {np.mean(nmse):.3f}, with "
          f"the output's scale and offset refitted {np.mean(refit):.3f} (scale "
          f"{np.min(scales):.2f}..{np.max(scales):.2f}, offset "
          f"{np.min(offsets):+.2f}..{np.max(offsets):+.2f})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: output_gain.py NETWORKS.json")
    main(sys.argv[1])
