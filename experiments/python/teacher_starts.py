"""Where a teacher's starts end: per size and beta, the label each start's fit
ends as, and the lowest free energy per label.

Reads the `teacher.json` a taught run writes (standard library only) and
prints, per (n, m, beta), how many fits end with each label, the target's
label (the lowest free energy), and how much dearer the best fit of every
other label is. Several runs (seeds) are pooled per row: the counts add up,
and each label's best free energy is the lowest over the runs.
With a random-start teacher (`starts = { random = ... }`) this measures how
often a blind descent of the objective reaches each algorithm.

    cargo run --release --example sweep -- --config experiments/levers/blind-teacher.toml \\
        --seeds 0,1,2 --out runs/blind-teacher
    python3 experiments/python/teacher_starts.py runs/blind-teacher/seed-*/teacher.json

With `--against GUIDED/teacher.json` (a teacher started from the task's
hand-written solutions under the same priors and fits, e.g. a run of
`configs/guided.toml`), each row also gives that teacher's choice and how
much dearer the lowest free energy of the runs above is than it.
"""
import collections
import json
import sys


def main(paths, against=None):
    reference = {}
    if against:
        with open(against) as file:
            for target in json.load(file):
                reference[(target["n"], target["m"], target["beta"])] = target
    counts = collections.defaultdict(collections.Counter)
    best = collections.defaultdict(dict)
    chosen = collections.defaultdict(collections.Counter)
    for path in paths:
        with open(path) as file:
            targets = json.load(file)
        for target in targets:
            key = (target["n"], target["m"], target["beta"])
            label = (target.get("label") or ["unlabelled"])[0]
            chosen[key][label] += 1
            for fit in target.get("fits", []):
                name = (fit.get("label") or ["unlabelled"])[0]
                counts[key][name] += 1
                energy = fit["free_energy"]
                best[key][name] = min(best[key].get(name, energy), energy)
    print(f"{len(paths)} run(s)")
    print("n   m   beta      target (runs)            fits ending as (count)                 each label's best free energy (relative to the lowest)")
    for key in sorted(counts):
        n, m, beta = key
        lowest = min(best[key].values())
        targets = ", ".join(f"{name} {count}" for name, count in chosen[key].most_common())
        reached = ", ".join(f"{name} {count}" for name, count in counts[key].most_common())
        prices = ", ".join(
            f"{name} {energy:.3g} (+{(energy - lowest) / abs(lowest) * 100:.0f}%)"
            for name, energy in sorted(best[key].items(), key=lambda item: item[1])
        )
        line = f"{n:<3} {m:<3} {beta:<9.2g} {targets:<24} {reached:<38} {prices}"
        if key in reference:
            guided = reference[key]
            label = (guided.get("label") or [guided["start"]])[0]
            line += (
                f" | against: {label} {guided['free_energy']:.3g}"
                f" (runs above {lowest / guided['free_energy']:.2f}x)"
            )
        print(line)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    against = None
    if "--against" in arguments:
        at = arguments.index("--against")
        against = arguments[at + 1]
        del arguments[at : at + 2]
    if not arguments:
        sys.exit(__doc__)
    main(arguments, against)
