"""Where blind starts end under the objective: per lever, size and beta, how
many fits from a blind generator's own networks, from an Adam-trained
network and along the homotopy chains end as each label, and how the best
of them compares with the hand-written double-sided start's fit.

Reads the `description_length.json` files `experiments/scripts/blind_starts.sh`
writes (folders OUT/LEVER-seed-S/nN; standard library only). Labels are the
fitted posterior's sampled majority. Seeds of a lever are pooled per row.

    experiments/scripts/blind_starts.sh runs/blind-starts runs/blind-teacher/seed-*/checkpoint.safetensors
    python3 experiments/python/blind_starts.py runs/blind-starts
"""
import collections
import glob
import json
import os
import re
import sys

SHORT = {
    "double_sided": "DS",
    "pudding_positive": "P+",
    "pudding_negative": "P-",
    "spread_out_pudding": "sP",
    "convexity": "conv",
    "mixed": "mix",
    "trivial": "triv",
}


def kind(start):
    if start.startswith("generated"):
        return "generated"
    if start.startswith("homotopy"):
        return "homotopy"
    if start == "adam":
        return "adam"
    return None


def tally(counter):
    return " ".join(
        f"{SHORT.get(label, label)} {count}" for label, count in counter.most_common()
    )


def main(root):
    rows = collections.defaultdict(lambda: collections.defaultdict(collections.Counter))
    before = collections.defaultdict(collections.Counter)
    ratios = collections.defaultdict(list)
    margins = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(root, "*", "n*", "description_length.json"))):
        run = os.path.basename(os.path.dirname(os.path.dirname(path)))
        lever = re.sub(r"-seed-\d+$", "", run)
        with open(path) as file:
            fits = json.load(file)
        n = int(os.path.basename(os.path.dirname(path))[1:])
        by_beta = collections.defaultdict(list)
        for fit in fits:
            by_beta[fit["beta"]].append(fit)
        for beta, fits in by_beta.items():
            key = (lever, n, beta)
            blind = [fit for fit in fits if kind(fit["start"])]
            for fit in blind:
                rows[key][kind(fit["start"])][fit["sampled_majority"]] += 1
                if kind(fit["start"]) == "generated":
                    before[key][fit["start_label"]] += 1
            hand = [fit for fit in fits if fit.get("algorithm") == "double_sided"]
            if hand and blind:
                best = min(fit["free_energy"] for fit in blind)
                ratios[key].append(best / min(fit["free_energy"] for fit in hand))
            generated = [f["free_energy"] for f in blind if kind(f["start"]) == "generated"]
            descents = [f["free_energy"] for f in blind if kind(f["start"]) in ("adam", "homotopy")]
            if generated and descents:
                margins[key].append(min(descents) / min(generated))
    print("labels are the fitted posteriors' sampled majorities; per seed: ratio = best "
          "blind free energy / the hand-written double-sided fit's; descent = best of "
          "adam and homotopy / best generated")
    print(f"{'lever':<34} {'n':>2} {'beta':>6}  {'generated (as written -> fitted)':<46} "
          f"{'adam':<10} {'homotopy':<14} {'ratio':<15} descent")
    for key in sorted(rows):
        lever, n, beta = key
        kinds = rows[key]
        print(f"{lever:<34} {n:>2} {beta:>6.0e}  "
              f"{tally(before[key]) + ' -> ' + tally(kinds['generated']):<46} "
              f"{tally(kinds['adam']):<10} {tally(kinds['homotopy']):<14} "
              f"{' '.join(f'{r:.2f}' for r in ratios[key]):<15} "
              + " ".join(f"{r:.2f}" for r in margins[key]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "runs/blind-starts")
