"""How far two people agree on the codes of the same sentences: the ceiling for the suggestion engine.

    python benchmarks/annotator_agreement.py

benchmarks/data/agreement_second.jsonl holds a second, independent annotation (same guide,
benchmarks/data/ANNOTATION.md, without seeing the first) of 200 sentences drawn at random from the batches
written by authors who never saw the rules. This prints P/R/F1 per code of the second annotation taken as
predictions against the corpus's annotation, as suggest_quality.py does for the engine.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from suggest_quality import codebook_codes, load_corpus, report, tally  # noqa: E402

SECOND = ROOT / "benchmarks" / "data" / "agreement_second.jsonl"


def main() -> int:
    first = {r["id"]: r for r in load_corpus()}
    second = [json.loads(line) for line in SECOND.read_text(encoding="utf-8").splitlines() if line.strip()]
    codes = codebook_codes()
    tp, fp, fn = Counter(), Counter(), Counter()
    attr_ok = attr_total = 0
    for row in second:
        other = set(row["codes"])
        tally(set(first[row["id"]]["codes"]), other, codes, tp, fp, fn)
        for code, value in (first[row["id"]].get("attributes") or {}).items():
            if code in other:
                attr_total += 1
                attr_ok += (row.get("attributes") or {}).get(code) == value
    result = {"tp": tp, "fp": fp, "fn": fn, "attr_ok": attr_ok, "attr_total": attr_total}
    report("[second annotator against the corpus]", result, codes, len(second))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
