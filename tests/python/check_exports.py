#!/usr/bin/env python3
"""Checks a `discover` output folder the way a Python user would read it.

Uses numpy and safetensors only, none of this project's code:

    python3 tests/python/check_exports.py runs/discover [--samples 20000] [--seed 0] [--tolerance 0.05]

It reads `networks.safetensors` (network k is `net{k}.w` [m, n], `net{k}.b`
[m], `net{k}.a` [m], `net{k}.c` [1]; the metadata's `net{k}.activation` is
`swish`, u * sigmoid(u), or `relu`, swish when absent), evaluates each network
f(x) = sum_j a_j act(w_j . x + b_j) + c on fresh standard-normal inputs (the
L1 task's default distribution), and computes

    NMSE = mean((f(x) - ||x||_1)^2) / Var(||x||_1),   Var(||x||_1) = n (1 - 2/pi)

(the variance of the L1 norm of n standard normals, as `target_variance` in
crates/l1/src/task.rs). `report.json`'s representatives are the same networks
in the same order (net0 is the first representative): each must state an NMSE
within `--tolerance` (relative) of this one, and hold the same weights. One
line per network; exit status 1 if any check fails.
"""

import argparse
import json
import math
import os
import sys

import numpy as np
from safetensors import safe_open

FORMAT = "hyperinterp-mlp"


def sigmoid(u):
    # 0.5 (1 + tanh(u / 2)) is sigmoid without overflow for large |u|.
    return 0.5 * (1.0 + np.tanh(0.5 * u))


ACTIVATIONS = {
    "swish": lambda u: u * sigmoid(u),
    "relu": lambda u: np.maximum(u, 0.0),
}


def load_networks(path):
    """The networks of a safetensors file, as dicts of float64 arrays."""
    with safe_open(path, "np") as f:
        metadata = f.metadata() or {}
        names = set(f.keys())
        if metadata.get("format", FORMAT) != FORMAT:
            raise ValueError(f"{path}: metadata format is {metadata['format']!r}, not {FORMAT!r}")
        if "count" in metadata:
            count = int(metadata["count"])
        else:
            count = 0
            while f"net{count}.w" in names:
                count += 1
        networks = []
        for k in range(count):
            net = {part: f.get_tensor(f"net{k}.{part}").astype(np.float64) for part in "wbac"}
            m, n = net["w"].shape
            for part, shape in (("b", (m,)), ("a", (m,)), ("c", (1,))):
                if net[part].shape != shape:
                    raise ValueError(f"net{k}.{part} has shape {net[part].shape}, expected {shape}")
            net["activation"] = metadata.get(f"net{k}.activation", "swish")
            if net["activation"] not in ACTIVATIONS:
                raise ValueError(f"net{k}.activation is {net['activation']!r}")
            networks.append(net)
    return networks


def forward(net, x):
    """f(x) for a batch x of shape [samples, n]."""
    hidden = ACTIVATIONS[net["activation"]](x @ net["w"].T + net["b"])
    return hidden @ net["a"] + net["c"][0]


def nmse(net, samples, rng):
    """The NMSE on `samples` fresh inputs, and its relative standard error."""
    n = net["w"].shape[1]
    x = rng.standard_normal((samples, n))
    target = np.abs(x).sum(axis=1)
    variance = n * (1.0 - 2.0 / math.pi)
    squared = (forward(net, x) - target) ** 2
    mean = float(np.mean(squared))
    return mean / variance, float(np.std(squared)) / max(mean, 1e-300) / math.sqrt(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a discover output folder (report.json, networks.safetensors)")
    parser.add_argument("--samples", type=int, default=20_000, help="fresh inputs per network")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fresh inputs")
    parser.add_argument("--tolerance", type=float, default=0.05, help="largest relative NMSE difference")
    args = parser.parse_args()

    with open(os.path.join(args.folder, "report.json")) as file:
        representatives = json.load(file).get("representatives", [])
    networks = load_networks(os.path.join(args.folder, "networks.safetensors"))
    failed = False
    if len(networks) != len(representatives):
        print(f"FAIL: networks.safetensors holds {len(networks)} networks, "
              f"report.json {len(representatives)} representatives")
        failed = True
    if not networks:
        print("FAIL: no networks to check")
        failed = True
    rng = np.random.default_rng(args.seed)
    for k, (net, representative) in enumerate(zip(networks, representatives)):
        m, n = net["w"].shape
        measured, standard_error = nmse(net, args.samples, rng)
        reported = representative["nmse"]
        problems = []
        if reported is None or not math.isfinite(reported):
            problems.append(f"report.json's NMSE is {reported}")
            relative = math.inf
        else:
            relative = abs(measured - reported) / max(abs(measured), 1e-300)
            if relative > args.tolerance:
                problems.append(f"NMSE differs by {relative:.1%} > {args.tolerance:.0%}")
        # The same network in both files: report.json nests w as [m][n] and
        # writes each f32 as its shortest decimal, so compare as float32.
        written = representative["network"]
        as_f32 = lambda values: np.asarray(values, dtype=np.float32)
        w = as_f32(written["w"])
        same = (
            w.shape == (m, n)
            and written.get("activation", "swish") == net["activation"]
            and all(
                np.array_equal(as_f32(written[part]).reshape(-1), as_f32(net[part]).reshape(-1))
                for part in "wbac"
            )
        )
        if w.ndim == 1:
            problems.append(f"report.json writes w flat {w.shape}, not as [m][n] rows (a report written before the export layout)")
        elif not same:
            problems.append(f"report.json's network (w shape {w.shape}) is not net{k}")
        failed |= bool(problems)
        print(
            f"net{k}: {representative['label']:<16} n={n} m={m} {net['activation']:<5} "
            f"report NMSE {reported if reported is None else format(reported, '.6g')}  numpy NMSE {measured:.6g} "
            f"({args.samples} inputs)  relative difference {relative:.2%} "
            # Both NMSEs are estimates of about this precision: the difference's
            # standard error is about sqrt(2) times one's.
            f"(one standard error of it about {math.sqrt(2) * standard_error:.1%})  "
            + ("ok" if not problems else "FAIL: " + "; ".join(problems))
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
