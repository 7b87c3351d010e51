"""What stands in for a missing side: the shared weight of unbalanced inputs.

Reads the JSON network files that `generate --out FILE.json` writes
(standard library only). In each network, a neuron is *local* to the input
that holds at least 80% of its squared input weights (its side the sign of
that weight), and each side of an input is scored by its local neurons'
slopes |a_j W_ji|. An input is *unbalanced* when its weaker side scores
under 0.7 of the other (D's threshold). For each input, its *shared weight*
is its mean weight in the neurons local to other inputs: a weight an input
has in every such neuron adds (about) a linear term in that input, which can
stand in for a side with no neuron of its own. Per file, prints how many
inputs are unbalanced, how many of those are in a network where another
side of the weak side's sign holds two or more neurons (slope >= 0.2), and
the median shared weight toward the weak side against the median |shared
weight| of balanced inputs.

    cargo run --release --example generate -- runs/discover/checkpoint.safetensors \\
        --betas 1e-6 --n 8 --count 64 --out runs/generated-8.json > /dev/null
    python3 experiments/python/shared_weights.py runs/generated-8.json
"""
import json
import statistics
import sys

BALANCE = 0.7
LOCAL_SHARE = 0.8
STRONG_SLOPE = 0.2
UNUSED_SLOPE = 0.05


def read(path):
    networks = json.load(open(path))["networks"]
    unused = neurons = unbalanced = beside_doubled = total_inputs = 0
    toward_weak, balanced = [], []
    for network in networks:
        n, m, weights, out = network["n"], network["m"], network["w"], network["a"]
        sides = {(i, s): [] for i in range(n) for s in (1, -1)}
        local_to = [None] * m
        for j in range(m):
            neurons += 1
            squares = [w * w for w in weights[j]]
            if abs(out[j]) * max(abs(w) for w in weights[j]) < UNUSED_SLOPE:
                unused += 1
                continue
            i = max(range(n), key=lambda k: squares[k])
            if squares[i] >= LOCAL_SHARE * sum(squares):
                side = 1 if weights[j][i] > 0 else -1
                sides[(i, side)].append(abs(out[j] * weights[j][i]))
                local_to[j] = i
        doubled_signs = {
            s for (_, s), slopes in sides.items() if sum(x >= STRONG_SLOPE for x in slopes) >= 2
        }
        for i in range(n):
            total_inputs += 1
            positive, negative = sum(sides[(i, 1)]), sum(sides[(i, -1)])
            others = [weights[j][i] for j in range(m) if local_to[j] not in (None, i)]
            shared = statistics.mean(others) if others else 0.0
            if min(positive, negative) < BALANCE * max(positive, negative):
                unbalanced += 1
                weak = 1 if positive < negative else -1
                beside_doubled += weak in doubled_signs
                toward_weak.append(shared * weak)
            else:
                balanced.append(abs(shared))
    median = lambda values: statistics.median(values) if values else float("nan")
    print(
        f"{path}: {len(networks)} networks, {unused} of {neurons} neurons unused; "
        f"{unbalanced} of {total_inputs} inputs unbalanced, {beside_doubled} of them in a network "
        f"where another side of the weak side's sign holds 2+ neurons; shared weight toward the "
        f"weak side: median {median(toward_weak):.3f}; balanced inputs' |shared weight|: "
        f"median {median(balanced):.3f}"
    )


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: shared_weights.py NETWORKS.json ... (generate --out FILE.json)")
    for path in sys.argv[1:]:
        read(path)
