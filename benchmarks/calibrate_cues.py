"""Measure every shipped cue on the annotated corpus, and write the weights the engine ships with.

    python benchmarks/calibrate_cues.py                 # per-cue precision on the dev part, threshold sweep
    python benchmarks/calibrate_cues.py --cv            # leave one batch out: learn on the others, test on it
    python benchmarks/calibrate_cues.py --write         # write grt/data/cue_evidence.json

A cue's weight is what it is worth: how often, when it fires on a sentence, the sentence has its code.
The hand-set weight of grt/data/cues.json is the prior; the corpus counts (right, fired) move it the same
way a group's answers do (grt.nlp.cues.learned_weight). Only the ``dev`` part is ever read here, and only
the batches given by ``--origins`` (default: every dev batch); the held-out part stays unseen.

The threshold sweep and the cross-validation recompute scores from the fired cues without running spaCy
again: the combination rules of kind "after" depend on the threshold and are taken as they fired at the
file's threshold, so those figures are close to, not exactly, what suggest_quality.py prints.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grt.nlp.cues import CueSet, apply_evidence  # noqa: E402
from grt.nlp.scoring import noisy_or  # noqa: E402
from suggest_quality import load_corpus, prf, tally  # noqa: E402

CUES_FILE = ROOT / "grt" / "data" / "cues.json"
EVIDENCE = ROOT / "grt" / "data" / "cue_evidence.json"


def fired_cues(rows: list[dict]) -> tuple[list[dict[str, list[str]]], CueSet]:
    """For each row, {code: [cue ids that fired]}; and the cues as the file sets them (hand-set weights)."""
    from grt.nlp.engine import SuggestionEngine

    engine = SuggestionEngine(cues_path=str(CUES_FILE))  # the file as written: no corpus weights yet
    engine.load()
    out = []
    for items in engine.suggest_many([r["text"] for r in rows], keep_weak=True):
        fired: dict[str, set[str]] = defaultdict(set)
        for it in items:
            fired[it["code"]].update(it["cues"])
        out.append({code: sorted(ids) for code, ids in fired.items()})
    return out, engine.cueset


def count(rows: list[dict], fired: list[dict[str, list[str]]]) -> dict[str, list[int]]:
    """Per cue, [right, fired] over the rows (a cue counts once per sentence)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, codes in zip(rows, fired):
        for code, ids in codes.items():
            for cue in ids:
                counts[cue][1] += 1
                counts[cue][0] += code in row["codes"]
    return dict(counts)


def weights(cueset: CueSet, counts: dict[str, list[int]], prior: float) -> dict[str, float]:
    """Each cue's weight as the engine would ship it with these counts."""
    return {c.id: c.weight for c in apply_evidence(cueset, {"cues": counts, "prior_strength": prior}).cues}


def score_rows(rows, fired, w: dict[str, float], threshold: float) -> tuple[float, float, float]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for row, codes in zip(rows, fired):
        pred = {code for code, ids in codes.items() if noisy_or([w[cue] for cue in ids]) >= threshold}
        tally(set(row["codes"]), pred, sorted(pred | set(row["codes"])), tp, fp, fn)
    return prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--origins", help="comma-separated dev batches to learn from (default: all of the dev part)")
    ap.add_argument("--prior", type=float, default=4.0, help="how many answers the hand-set weight counts for")
    ap.add_argument("--threshold", type=float, help="threshold to write (default: the cue file's)")
    ap.add_argument("--cv", action="store_true", help="leave-one-batch-out figures")
    ap.add_argument("--write", action="store_true", help=f"write {EVIDENCE.relative_to(ROOT)}")
    args = ap.parse_args(argv)

    dev = [r for r in load_corpus() if r["part"] == "dev"]
    origins = sorted({r["origin"] for r in dev})
    chosen = args.origins.split(",") if args.origins else origins
    unknown = set(chosen) - set(origins)
    if unknown:
        print(f"not dev batches: {', '.join(sorted(unknown))} (dev batches: {', '.join(origins)})", file=sys.stderr)
        return 2
    rows = [r for r in dev if r["origin"] in chosen]
    fired, cueset = fired_cues(rows)
    base = {c.id: c.weight for c in cueset.cues}
    counts = count(rows, fired)
    learnt = weights(cueset, counts, args.prior)
    threshold = args.threshold if args.threshold is not None else cueset.min_score

    print(f"{len(rows)} dev sentences from {', '.join(chosen)}\n")
    print(f"{'cue':34} {'hand':>5} {'right/fired':>12} {'learnt':>7}")
    for cue in sorted(counts, key=lambda c: (counts[c][0] / counts[c][1], c)):
        right, n = counts[cue]
        print(f"{cue:34} {base[cue]:5.2f} {right:5d}/{n:<6d} {learnt[cue]:7.2f}")
    silent = sorted(set(base) - set(counts))
    print(f"\n{len(silent)} cues never fired on these sentences (they keep their hand-set weight)")

    print("\nthreshold sweep on the same sentences (hand weights → learnt weights), P/R/F1:")
    for t in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75):
        h, l = score_rows(rows, fired, base, t), score_rows(rows, fired, learnt, t)
        print(f"  {t:.2f}  hand {h[0]:.2f}/{h[1]:.2f}/{h[2]:.2f}   learnt {l[0]:.2f}/{l[1]:.2f}/{l[2]:.2f}")

    if args.cv and len(chosen) > 1:
        print(f"\nleave one batch out (threshold {threshold}): P/R/F1 with hand weights → weights learnt on the other batches")
        total = Counter()
        for origin in chosen:
            test = [i for i, r in enumerate(rows) if r["origin"] == origin]
            train = [i for i, r in enumerate(rows) if r["origin"] != origin]
            w = weights(cueset, count([rows[i] for i in train], [fired[i] for i in train]), args.prior)
            t_rows, t_fired = [rows[i] for i in test], [fired[i] for i in test]
            h, l = score_rows(t_rows, t_fired, base, threshold), score_rows(t_rows, t_fired, w, threshold)
            print(f"  {origin:20} ({len(test):3d})  hand {h[0]:.2f}/{h[1]:.2f}/{h[2]:.2f}   learnt {l[0]:.2f}/{l[1]:.2f}/{l[2]:.2f}")
            total.update({"n": 1, "hand": h[2], "learnt": l[2]})
        print(f"  mean F1: hand {total['hand'] / total['n']:.2f}, learnt {total['learnt'] / total['n']:.2f}")

    if args.write:
        # The fingerprint of the sentences learnt from (not of the whole file: adding held-out lines changes nothing).
        digest = hashlib.sha256("\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows).encode("utf-8")).hexdigest()
        payload = {
            "about": "Generated by benchmarks/calibrate_cues.py --write: per cue, [right, fired] on the dev part of "
            "benchmarks/data/eval_corpus.jsonl. The engine turns them into the cue's weight with its hand-set weight "
            "as the prior. Do not edit by hand: rerun the script.",
            "sentences_sha256": digest,
            "origins": chosen,
            "prior_strength": args.prior,
            "min_score": threshold,
            "cues": {cue: counts[cue] for cue in sorted(counts)},
        }
        text = json.dumps(payload, ensure_ascii=False, indent=1)
        # One cue per line: the file stays readable and its diffs short.
        text = re.sub(r"\[\n\s+(\d+),\n\s+(\d+)\n\s+\]", r"[\1, \2]", text)
        text = re.sub(r'"origins": \[[^\]]*\]', lambda m: '"origins": ' + json.dumps(chosen), text)
        EVIDENCE.write_text(text + "\n", encoding="utf-8")
        print(f"\nwritten: {EVIDENCE.relative_to(ROOT)} ({len(counts)} cues, threshold {threshold})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
