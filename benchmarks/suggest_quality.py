"""Quality of grt's suggestions on the evaluation corpus: precision, recall, F1 per code and micro-averaged.

    python benchmarks/suggest_quality.py              # dev and held-out, real model
    python benchmarks/suggest_quality.py --fallback   # also the blank-model fallback (surface rules)
    python benchmarks/suggest_quality.py --cues-alone # also the cues without the combiner
    python benchmarks/suggest_quality.py --errors     # list the dev sentences it gets wrong (for tuning)

The corpus (benchmarks/data/eval_corpus.jsonl) holds French first-person sentences about work, each
annotated with its set of codes (possibly empty). It is evaluated per sentence: a code is predicted for
a sentence when the engine suggests it anywhere in that sentence, which is run alone.
The ``heldout`` part is never used for tuning: ``--errors`` refuses to show it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "benchmarks" / "data" / "eval_corpus.jsonl"


def load_corpus(path: Path = CORPUS) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def codebook_codes() -> list[str]:
    """The default codebook's codes (not its families), in its order."""
    return [c["id"] for c in json.loads((ROOT / "grt" / "data" / "codebook.json").read_text(encoding="utf-8"))["codes"] if not c.get("is_group")]


def tally(gold: set[str], pred: set[str], codes: list[str], tp: Counter, fp: Counter, fn: Counter) -> None:
    """Count one sentence's true positives, false positives and misses, per code."""
    for code in codes:
        if code in gold and code in pred:
            tp[code] += 1
        elif code in pred:
            fp[code] += 1
        elif code in gold:
            fn[code] += 1


def evaluate(engine, rows: list[dict], codes: list[str]) -> dict:
    texts = [r["text"] for r in rows]
    predictions = engine.suggest_many(texts)
    tp, fp, fn = Counter(), Counter(), Counter()
    attr_ok = attr_total = 0
    errors = []
    for row, items in zip(rows, predictions):
        gold = set(row["codes"])
        pred = {it["code"] for it in items}
        tally(gold, pred, codes, tp, fp, fn)
        for code, value in (row.get("attributes") or {}).items():
            found = [it for it in items if it["code"] == code]
            if found:
                attr_total += 1
                key = "dimension" if code == "valeur" else "destination"
                attr_ok += found[0]["attributes"].get(key) == value
        if gold != pred:
            errors.append((row, sorted(pred - gold), sorted(gold - pred), items))
    return {"tp": tp, "fp": fp, "fn": fn, "attr_ok": attr_ok, "attr_total": attr_total, "errors": errors}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report(title: str, result: dict, codes: list[str], n: int) -> dict:
    print(f"\n{title}  ({n} sentences)")
    print(f"  {'code':<17} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn")
    for code in codes:
        t, f_, n_ = result["tp"][code], result["fp"][code], result["fn"][code]
        p, r, f1 = prf(t, f_, n_)
        print(f"  {code:<17} {p:6.2f} {r:6.2f} {f1:6.2f}  {t:3d} {f_:3d} {n_:3d}")
    T, F, N = (sum(result[k].values()) for k in ("tp", "fp", "fn"))
    p, r, f1 = prf(T, F, N)
    print(f"  {'micro':<17} {p:6.2f} {r:6.2f} {f1:6.2f}  {T:3d} {F:3d} {N:3d}")
    if result["attr_total"]:
        print(f"  attributes (dimension/destination) right when the code is found: {result['attr_ok']}/{result['attr_total']}")
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fallback", action="store_true", help="also evaluate the spacy.blank('fr') fallback")
    ap.add_argument("--errors", action="store_true", help="print the dev sentences with wrong codes")
    ap.add_argument("--cues-alone", action="store_true", help="also evaluate the cues' noisy-OR without the combiner")
    ap.add_argument("--part", choices=["dev", "heldout", "both"], default="both")
    ap.add_argument("--json", action="store_true", help="print a JSON summary at the end")
    ap.add_argument("--by-origin", action="store_true", help="also report each batch of the corpus (see benchmarks/data/README.md)")
    args = ap.parse_args(argv)

    import spacy

    from grt.nlp.engine import SuggestionEngine

    rows = load_corpus()
    codes = codebook_codes()
    parts = ["dev", "heldout"] if args.part == "both" else [args.part]
    engines = [("model fr_core_news_sm + combiner", SuggestionEngine())]
    if args.cues_alone:
        engines.append(("model fr_core_news_sm, cues alone (no combiner)", SuggestionEngine(combiner=False)))
    if args.fallback:
        engines.append(("fallback spacy.blank('fr') + surface rules", SuggestionEngine(nlp=spacy.blank("fr"))))
    summary = {}
    for label, engine in engines:
        t0 = time.perf_counter()
        engine.load()
        print(f"== {label} (loaded in {time.perf_counter() - t0:.1f}s; fallback={engine.fallback})")
        for part in parts:
            subset = [r for r in rows if r["part"] == part]
            result = evaluate(engine, subset, codes)
            summary[f"{label}/{part}"] = report(f"[{part}]", result, codes, len(subset))
            origins = sorted({r.get("origin", "") for r in subset})
            if args.by_origin and len(origins) > 1:
                for origin in origins:
                    sub = [r for r in subset if r.get("origin", "") == origin]
                    summary[f"{label}/{part}/{origin}"] = report(f"[{part} / {origin}]", evaluate(engine, sub, codes), codes, len(sub))
            if args.errors and part == "dev":
                print("\n  errors (dev): + predicted but not gold, - gold but missed")
                for row, extra, missed, items in result["errors"]:
                    print(f"  {row['id']} {row['text']}")
                    print(f"       +{extra} -{missed}")
                    for it in items:
                        if it["code"] in extra:
                            print(f"         {it['code']}: {it['score']} {it['cue']} — {it['why']}")
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
