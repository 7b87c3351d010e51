"""The objective's own phase diagram, from experiments/scripts/objective_map.sh's runs.

For each regime, size (n, m) and beta: the label of the fitted network with
the lowest free energy NMSE + beta * KL (its mean network's label; the
sampled networks' majority in brackets where it differs), and how much
dearer the best fit of any *other* label is (the margin, %). With --json,
the same as one JSON list instead of the table. A fit is
grouped by the label it ends with, not the start it came from, since a
start may relax into another algorithm's basin.

    python3 experiments/python/objective_map.py runs/objective_map [--json]

Standard library only.
"""

import json
import pathlib
import sys

SHORT = {
    "double_sided": "DS",
    "pudding_positive": "P+",
    "pudding_negative": "P-",
    "convexity": "conv",
    "mixed": "mixed",
    "trivial": "triv",
}


def load(root):
    """{(regime, n, m): {beta: [row, ...]}} from every description_length.json."""
    table = {}
    for path in sorted(pathlib.Path(root).glob("*/n*-m*-*/description_length.json")):
        regime = path.parent.parent.name
        n, m, _ = path.parent.name.split("-")
        key = (regime, int(n[1:]), int(m[1:]))
        for row in json.loads(path.read_text()):
            table.setdefault(key, {}).setdefault(row["beta"], []).append(row)
    return table


def winner(rows):
    """(label, sampled majority, margin %, start) of the lowest free energy."""
    best = {}
    for row in rows:
        label = row["label"]
        if label not in best or row["free_energy"] < best[label]["free_energy"]:
            best[label] = row
    ranked = sorted(best.values(), key=lambda row: row["free_energy"])
    top = ranked[0]
    margin = None
    if len(ranked) > 1:
        margin = 100.0 * (ranked[1]["free_energy"] / top["free_energy"] - 1.0)
    return top["label"], top["sampled_majority"], margin, top["start"]


def main():
    paths = [arg for arg in sys.argv[1:] if arg != "--json"]
    root = paths[0] if paths else "runs/objective_map"
    table = load(root)
    if not table:
        sys.exit(f"no description_length.json under {root}/<regime>/n*-m*-*/")
    summary = []
    for (regime, n, m), by_beta in sorted(table.items()):
        cells = []
        for beta in sorted(by_beta):
            label, sampled, margin, start = winner(by_beta[beta])
            summary.append(
                {"regime": regime, "n": n, "m": m, "beta": beta, "label": label,
                 "sampled_majority": sampled, "margin_percent": margin, "start": start}
            )
            text = SHORT.get(label, label)
            if sampled != label:
                text += f"({SHORT.get(sampled, sampled)})"
            if margin is not None:
                text += f" {margin:.0f}%"
            cells.append((beta, text))
        if "--json" not in sys.argv:
            print(f"{regime:>20} n={n} m={m}: " + ", ".join(f"{b:.1e} {t}" for b, t in cells))
    if "--json" in sys.argv:
        print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
