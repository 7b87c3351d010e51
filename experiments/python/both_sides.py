"""How close generated networks come to double-sided: structure against balance.

Reads the JSON lines that `generate` prints (standard library only) and, per
(beta, n), prints the labels, how many networks read every input on both
sides (double-sided's structure), the mean double-sidedness D, the share of
inputs whose two sides are balanced to D's threshold or better, and which side
is the weaker one on the rest. D is the mean of the inputs' side balances, so
a network can read every input on both sides and still miss the
`double_sided` label when a few sides are weak.

    cargo run --release --example generate -- runs/discover/checkpoint.safetensors \\
        --betas 1e-6 --n 6 --count 32 --out runs/generated.json > runs/generated.jsonl
    python3 experiments/python/both_sides.py runs/generated.jsonl
"""
import collections
import json
import sys

# `ClassifierConfig::double_sided_min_double_sidedness`'s default.
THRESHOLD = 0.7


def main(path):
    groups = collections.defaultdict(list)
    with open(path) as lines:
        for line in lines:
            if line.startswith("{"):
                row = json.loads(line)
                groups[(row["beta"], row["n"], row["m"])].append(row)
    for (beta, n, m), rows in sorted(groups.items()):
        labels = collections.Counter(row["algorithm"] for row in rows)
        every_input = sum(row["inputs_read_on_both_sides"] == n for row in rows)
        balances = [b for row in rows for b in row["side_balances"]]
        balanced = sum(b >= THRESHOLD for b in balances) / len(balances)
        mean_d = sum(row["double_sidedness"] for row in rows) / len(rows)
        # Which side is the weaker one on the inputs short of the threshold.
        weaker = collections.Counter(
            "none" if positive == negative == 0 else "+" if positive < negative else "-"
            for row in rows
            for (positive, negative), b in zip(row["side_importances"], row["side_balances"])
            if b < THRESHOLD
        )
        print(
            f"beta {beta:.1e} n {n} m {m}: {len(rows)} networks, "
            f"labels {dict(labels.most_common())}; "
            f"every input read on both sides: {every_input}; "
            f"mean D {mean_d:.2f}; inputs balanced to {THRESHOLD}: {balanced:.0%}; "
            f"weaker side of the others: + {weaker['+']}, - {weaker['-']}, neither read {weaker['none']}"
        )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: both_sides.py LINES.jsonl (generate's standard output)")
    main(sys.argv[1])
