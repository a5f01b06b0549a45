"""Train the combiner (grt/data/combiner.json): one logistic model per code over what a sentence holds.

    python benchmarks/train_combiner.py --cv        # figures, each fold of batches left out in turn
    python benchmarks/train_combiner.py --write     # train on every independent dev batch and write the file

Features (see grt.nlp.combiner.sentence_features): the cues that fired (any code, before the threshold),
their noisy-OR per code with the hand-set weights, the sentence's lemmas and pairs of lemmas. Trained only on dev batches written by people who never saw the
rules (the first author's batches flatter the cues written against them); the held-out part is never read.
``--cv`` compares, on the same left-out batches, the cues' noisy-OR alone and the combiner, at a few
thresholds.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from suggest_quality import codebook_codes, load_corpus, prf, tally  # noqa: E402

ORIGINS = ("heldout_v4_seen", "dev_v5", "dev_v6", "dev_v7", "dev_v8", "dev_v9", "dev_v10", "dev_v11", "dev_v12", "dev_v13", "dev_v14", "dev_v15", "dev_v16", "dev_v17", "dev_v18", "dev_v19", "dev_v20", "dev_v21", "dev_v22", "dev_v23")
FOLDS = (("heldout_v4_seen", "dev_v5"), ("dev_v6", "dev_v7"), ("dev_v8", "dev_v9"), ("dev_v10", "dev_v11"), ("dev_v12", "dev_v13"), ("dev_v14", "dev_v15"), ("dev_v16", "dev_v17"), ("dev_v18", "dev_v19"), ("dev_v20", "dev_v21"), ("dev_v22", "dev_v23"))
OUT = ROOT / "grt" / "data" / "combiner.json"


def merged(sentences: list[dict[str, float]]) -> dict[str, float]:
    """One corpus line may be cut into several sentences: it holds what any of them holds."""
    out: dict[str, float] = {}
    for feats in sentences:
        for f, v in feats.items():
            out[f] = max(v, out.get(f, v))
    return out


def train(features: list[dict[str, float]], gold: list[set[str]], codes: list[str], *, l2: float, min_count: int, epochs: int = 300) -> dict:
    """Logistic regression per code (L2, full-batch Adam), on the features seen at least ``min_count`` times."""
    counts = Counter(f for fs in features for f in fs)
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: j for j, f in enumerate(vocab)}
    X = numpy.zeros((len(features), len(vocab)), numpy.float32)
    for i, fs in enumerate(features):
        for f, v in fs.items():
            j = index.get(f)
            if j is not None:
                X[i, j] = v
    Y = numpy.array([[c in g for c in codes] for g in gold], numpy.float32)
    n = len(features)
    # The cues' noisy-OR per code is few features seen everywhere: let the data set its weight freely.
    shrink = numpy.array([[0.0 if f.startswith("prior:") else 1.0] for f in vocab], numpy.float32)
    # ... and only on its own code: a cue of one code must not hide another code said in the same sentence.
    own = numpy.array([[float(not f.startswith("prior:") or f == "prior:" + c) for c in codes] for f in vocab], numpy.float32)
    W = numpy.zeros((len(vocab), len(codes)), numpy.float32)
    b = numpy.zeros(len(codes), numpy.float32)
    state = [(W, numpy.zeros_like(W), numpy.zeros_like(W)), (b, numpy.zeros_like(b), numpy.zeros_like(b))]
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for t in range(1, epochs + 1):
        P = 1.0 / (1.0 + numpy.exp(-(X @ W + b)))
        G = (P - Y) / n
        grads = (X.T @ G + (l2 / n) * shrink * W, G.sum(0))
        for (param, m, v), g in zip(state, grads):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            param -= rate * (m / (1 - beta1**t)) / (numpy.sqrt(v / (1 - beta2**t)) + 1e-8)
        W *= own
    weights = {}
    for j, f in enumerate(vocab):
        per_code = {c: round(float(W[j, k]), 4) for k, c in enumerate(codes) if abs(W[j, k]) >= 0.005}
        if per_code:
            weights[f] = per_code
    return {"codes": codes, "bias": [round(float(x), 4) for x in b], "weights": weights}


def probabilities(model: dict, features: list[dict[str, float]]) -> list[dict[str, float]]:
    from grt.nlp.combiner import Combiner, sigmoid

    combiner = Combiner({**model, "threshold": 0.5})
    return [{code: sigmoid(z) for code, z in zip(combiner.codes, logits)} for logits in combiner.logits_many(features)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="cross-validate: each fold of batches left out in turn")
    ap.add_argument("--write", action="store_true", help=f"train on all the batches and write {OUT.relative_to(ROOT)}")
    ap.add_argument("--l2", type=float, default=3.0)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--threshold", type=float, default=0.5, help="threshold written in the file")
    ap.add_argument("--words-threshold", type=float, default=0.6, help="threshold where no cue of the code fired")
    args = ap.parse_args(argv)

    from grt.nlp.engine import SuggestionEngine

    rows = [r for r in load_corpus() if r["part"] == "dev" and r["origin"] in ORIGINS]
    codes = codebook_codes()
    engine = SuggestionEngine().load()
    if engine.fallback:
        print("the French model is needed to train the combiner", file=sys.stderr)
        return 2
    texts = [r["text"] for r in rows]
    features = [merged(sentences) for sentences in engine.features_many(texts)]
    gold = [set(r["codes"]) for r in rows]
    print(f"{len(rows)} sentences from {len(ORIGINS)} batches; {len(codes)} codes")

    if args.cv:
        rules = [{it["code"] for it in items} for items in engine.suggest_many(texts, combine=False)]
        thresholds = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
        counts = {name: (Counter(), Counter(), Counter()) for name in ["rules", *thresholds, "shipped"]}
        for fold in FOLDS:
            train_idx = [i for i, r in enumerate(rows) if r["origin"] not in fold]
            test_idx = [i for i, r in enumerate(rows) if r["origin"] in fold]
            model = train([features[i] for i in train_idx], [gold[i] for i in train_idx], codes, l2=args.l2, min_count=args.min_count)
            for i, probs in zip(test_idx, probabilities(model, [features[i] for i in test_idx])):
                tally(gold[i], rules[i], codes, *counts["rules"])
                for th in thresholds:
                    tally(gold[i], {c for c, p in probs.items() if p >= th}, codes, *counts[th])
                shipped = {c for c, p in probs.items() if p >= (args.threshold if "prior:" + c in features[i] else args.words_threshold)}
                tally(gold[i], shipped, codes, *counts["shipped"])
        print("left-out batches, micro-averaged (each fold: two batches left out, trained on the rest)")
        for name, (tp, fp, fn) in counts.items():
            p, r, f = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
            label = {"rules": "cues alone (noisy-OR)", "shipped": f"combiner, {args.threshold} / {args.words_threshold} without cue"}.get(name, f"combiner, threshold {name}")
            print(f"  {label:38} P {p:.2f}  R {r:.2f}  F1 {f:.2f}")
    if args.write:
        model = train(features, gold, codes, l2=args.l2, min_count=args.min_count)
        model = {
            "about": "Logistic model per code learnt from the annotated corpus by benchmarks/train_combiner.py; see grt/nlp/combiner.py.",
            "trained_on": list(ORIGINS),
            "threshold": args.threshold,
            "words_threshold": args.words_threshold,
            "l2": args.l2,
            "min_count": args.min_count,
            **model,
        }
        OUT.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n", encoding="utf-8")
        print(f"written {OUT.relative_to(ROOT)}: {len(model['weights'])} features, threshold {args.threshold}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
