"""How long exporting a synthesis of 500 quotes takes (target: under 3 s).

    python benchmarks/export_speed.py [N_QUOTES]

Builds a throwaway base: one group, six participants (with real names to mask), ten sessions, N quotes
taken from benchmarks/data/eval_corpus.jsonl, debates and proposals; validates one synthesis of all the
sessions, then times:
  - the Word export as the TUI runs it (French model already loaded: name scan + layout + write + log);
  - the same export once nothing changed (the scan is skipped, the model is not needed);
  - the Markdown export;
  - loading the French model, which the command line pays once per run.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grt.annotations import add_annotation  # noqa: E402
from grt.contributions import add_contribution  # noqa: E402
from grt.db import open_db  # noqa: E402
from grt.debates import create_debate  # noqa: E402
from grt.export import export_synthesis  # noqa: E402
from grt.groups import add_group, add_participant  # noqa: E402
from grt.proposals import add_proposal  # noqa: E402
from grt.sessions import add_session  # noqa: E402
from grt.synthesis import create_synthesis, list_items, mark_validated, set_texts, validate_all  # noqa: E402

PEOPLE = [
    ("Ariane", "Auxiliaire de vie sociale", "Nadia Ferreira"),
    ("Bastien", "Aide à domicile", "Julien Caron"),
    ("Coralie", "Auxiliaire de vie", "Sabrina Lemaire"),
    ("Danièle", "Aide-soignante", "Martine Giraud"),
    ("Elsa", "Responsable de secteur", "Karima Benali"),
    ("Fatou", "Infirmière coordinatrice", "Aminata Diallo"),
]


def build(db, n_quotes: int) -> int:
    corpus = [json.loads(line) for line in (ROOT / "benchmarks/data/eval_corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    group = add_group(db, "GRT de mesure", "aide à domicile")
    people = [add_participant(db, group.id, p, r, real_name=n) for p, r, n in PEOPLE]
    sessions = [add_session(db, group.id, f"2026-{1 + i:02d}-15", f"Question de la séance {i + 1}") for i in range(10)]
    annotations = []
    for i in range(n_quotes):
        row = corpus[i % len(corpus)]
        session = sessions[i % len(sessions)]
        # A real name now and then, so that masking has work to do.
        text = row["text"] + (f" Nadia Ferreira l'a vu aussi." if i % 25 == 0 else "")
        c = add_contribution(db, session.id, people[i % len(people)].id, text)
        annotations.append(add_annotation(db, c.id, (row["codes"] or ["reel"])[0], 0, len(row["text"])))
    for k in range(10):
        create_debate(db, group.id, f"Débat {k + 1}", annotation_ids=[a.id for a in annotations[k * 7 : k * 7 + 5]], choice="Arbitrage noté.")
    for k in range(12):
        add_proposal(db, group.id, f"Proposition {k + 1} : faire autrement.", ("organisateurs", "praticable")[k % 2], session_id=sessions[k % 10].id)
    synthesis = create_synthesis(db, group.id, [s.id for s in sessions])
    set_texts(db, synthesis.id, introduction="Introduction. " * 40, savoirs="Savoirs. " * 60, experience="Expérience. " * 60, ethique="Éthique. " * 60)
    validate_all(db, synthesis.id)
    mark_validated(db, synthesis.id)
    return synthesis.id


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = open_db(tmp / "bench.db")
        sid = build(db, n)
        items = len(list_items(db, sid))
        print(f"synthesis of {n} quotes ({items} items across the three poles)")

        from grt.anonymize import ner_pipeline

        t = time.perf_counter()
        nlp = ner_pipeline()
        load = time.perf_counter() - t
        print(f"  loading the French model (NER only), paid once per process : {load:6.2f} s")

        t = time.perf_counter()
        r = export_synthesis(db, sid, tmp / "a.docx", nlp=nlp)
        docx_time = time.perf_counter() - t
        size = (tmp / "a.docx").stat().st_size
        print(f"  Word export, model loaded (scan + layout + write + log)    : {docx_time:6.2f} s  ({size / 1024:.0f} KiB, {r['items']} passages)")

        t = time.perf_counter()
        export_synthesis(db, sid, tmp / "b.docx", nlp=nlp)
        again = time.perf_counter() - t
        print(f"  Word export again, nothing changed (no scan)               : {again:6.2f} s")

        t = time.perf_counter()
        export_synthesis(db, sid, tmp / "c.md", nlp=nlp)
        md = time.perf_counter() - t
        print(f"  Markdown export                                            : {md:6.2f} s")
        db.close()
    verdict = "OK" if docx_time < 3 else "TOO SLOW"
    print(f"target: Word export of {n} quotes under 3 s -> {verdict} ({docx_time:.2f} s)")


if __name__ == "__main__":
    main()
