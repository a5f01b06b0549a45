"""Review at scale: search and the review screen's opening data on a base of 1,000,000 contributions.

    /tmp/venv/bin/python benchmarks/review_scale.py [--db PATH] [--groups 200] [--sessions 50] [--per-session 100]

Builds the base once (about two minutes; kept at --db and reused while its size matches; --rebuild to
start again), then prints median latencies over --runs runs on a warm cache:
  - grt.search.search() for a word query with a code filter, beside the same raw FTS5 query
    (target: under 100 ms, ratio at most 1.5);
  - a few more searches (phrase, prefix, group + role + dates);
  - the review screen's opening data: grt.review.open_review() for one group.
Run by hand; not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grt.db import open_db  # noqa: E402
from grt.review import open_review  # noqa: E402
from grt.search import fts_expression, parse_query, search  # noqa: E402

STAMP = "2026-01-01T00:00:00"
# Real words of the trade, then a long tail of rarer ones, drawn with Zipf-like weights.
COMMON = (
    "le la les un une des de du et à en on je il elle nous vous ils pas ne que qui pour avec sur dans "
    "mais plus tout fait faire dit a est c'est ça y au aux ce cette son sa ses leur chez quand alors "
    "comme parce donc encore déjà jamais toujours temps matin soir personne résidente famille collègue "
    "équipe chef toilette repas lever coucher médicaments chambre couloir voiture trajet minutes heure "
    "logiciel fiche cahier consigne protocole procédure règle direction responsable secteur service "
    "travail réel prescrit écart refus douche lit fauteuil transfert chute appel téléphone message "
    "remplaçante nuit jour week-end semaine mois dossier transmission réunion formation fatigue dos "
    "stress pression retard attendre courir prendre laisser rester revenir expliquer demander répondre "
    "savoir vouloir pouvoir devoir aider manger boire dormir parler écouter regarder sourire dignité "
    "sécurité hygiène confort choix respect qualité relation confiance bienveillance solidarité"
).split()
RARE = [f"{a}{b}{c}" for a in ("ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru") for b in ("ran", "let", "mor", "sic", "tud", "van", "pel", "zor") for c in ("age", "ion", "ette", "eur", "isme", "ure")]
VOCAB = COMMON + RARE
WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(VOCAB))]
# The measured word, placed in a known share of contributions (and never drawn otherwise).
QUERY_WORD, QUERY_SHARE = "planning", 0.02
CODES = [("prescrit", 14), ("reel", 14), ("ecart", 10), ("trou_de_normes", 3), ("debat_de_normes", 4), ("valeur", 8),
         ("usage_de_soi", 8), ("temps", 8), ("relation", 8), ("faire_autrement", 5)]
ROLES = ["aide-soignante", "infirmière", "auxiliaire de vie", "agent de service", "éducateur", "cadre de santé"]


def build(path: Path, groups: int, sessions: int, per_session: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = open_db(path)
    # Bulk load only: the app itself always runs with synchronous=FULL.
    db.execute("PRAGMA synchronous = OFF")
    code_ids, code_w = zip(*CODES)
    cum = list(__import__("itertools").accumulate(WEIGHTS))
    t0 = time.perf_counter()
    conn = db.conn
    conn.execute("BEGIN")
    cid = aid = 0
    for g in range(1, groups + 1):
        conn.execute("INSERT INTO groups(id, name, sector, created_at) VALUES (?, ?, ?, ?)", (g, f"Groupe {g:03d}", "soin", STAMP))
        people = []
        for k in range(10):
            pid = (g - 1) * 10 + k + 1
            conn.execute(
                "INSERT INTO participants(id, group_id, pseudonym, role, authority, position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (pid, g, f"P{k}", ROLES[k % len(ROLES)], int(k == 9), k, STAMP),
            )
            people.append(pid)
        contributions, annotations = [], []
        for n in range(sessions):
            sid = (g - 1) * sessions + n + 1
            day = f"{2021 + n // 12:04d}-{n % 12 + 1:02d}-{(g % 27) + 1:02d}"
            conn.execute(
                "INSERT INTO sessions(id, group_id, date, question, status, created_at) VALUES (?, ?, ?, ?, 'close', ?)",
                (sid, g, day, "Qu'est-ce qui vous a empêchés de bien faire votre travail ?", STAMP),
            )
            for pos in range(per_session):
                cid += 1
                words = rng.choices(VOCAB, cum_weights=cum, k=rng.randint(20, 60))
                if rng.random() < QUERY_SHARE:
                    words.insert(rng.randrange(len(words)), QUERY_WORD)
                text = " ".join(words).capitalize() + "."
                contributions.append((cid, sid, rng.choice(people), text, pos + 1, int(rng.random() < 0.03), STAMP, STAMP))
                for code in rng.choices(code_ids, weights=code_w, k=rng.choice((0, 1, 1, 2, 2, 3))):
                    start = rng.randrange(0, len(text) // 2)
                    end = min(len(text), start + rng.randint(10, 80))
                    aid += 1
                    annotations.append((aid, cid, code, start, end, text[start:end], STAMP, STAMP))
        conn.executemany(
            "INSERT INTO contributions(id, session_id, participant_id, text, position, off_record, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            contributions,
        )
        conn.executemany(
            'INSERT INTO annotations(id, contribution_id, code, start, "end", quote, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            annotations,
        )
        if g % 20 == 0:
            print(f"  … {g}/{groups} groupes, {cid:,} contributions ({time.perf_counter() - t0:.0f} s)", flush=True)
    _fill_debates_and_proposals(conn, groups, sessions, rng)
    conn.execute("COMMIT")
    db.execute("INSERT INTO contributions_fts(contributions_fts) VALUES ('optimize')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"  base construite en {time.perf_counter() - t0:.0f} s")


def _fill_debates_and_proposals(conn, groups: int, sessions: int, rng: random.Random) -> None:
    """A few debates and proposals per group, so that the timeline has something to read."""
    statuses = ["proposee", "discutee", "transmise", "reponse_recue", "mise_en_oeuvre", "abandonnee"]
    for g in range(1, groups + 1):
        for k in range(5):
            sid = (g - 1) * sessions + rng.randrange(sessions) + 1
            did = conn.execute(
                "INSERT INTO debates(group_id, title, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (g, f"Débat {k}", rng.choice(["ouvert", "approfondi", "clos"]), STAMP, STAMP),
            ).lastrowid
            conn.execute("INSERT INTO debate_sessions(debate_id, session_id) VALUES (?, ?)", (did, sid))
        for k in range(12):
            sid = (g - 1) * sessions + rng.randrange(sessions) + 1
            date = conn.execute("SELECT date FROM sessions WHERE id = ?", (sid,)).fetchone()[0]
            last = rng.randrange(len(statuses))
            pid = conn.execute(
                "INSERT INTO proposals(group_id, session_id, text, destination, status, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (g, sid, f"Proposition {k}", rng.choice(["organisateurs", "praticable"]), statuses[last], STAMP, STAMP),
            ).lastrowid
            for step in range(last + 1):
                conn.execute(
                    "INSERT INTO proposal_history(proposal_id, status, date, note) VALUES (?, ?, ?, '')", (pid, statuses[step], date)
                )


def median_ms(fn, runs: int) -> float:
    return paired_ms([fn], runs)[0]


def paired_ms(fns, runs: int) -> list[float]:
    """Median wall time of each function, run in turn within each round, so that a busy machine slows
    them all alike and their ratio holds."""
    for fn in fns:
        fn()  # warm the page cache and the statement cache
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for k, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            times[k].append((time.perf_counter() - t) * 1000)
    return [statistics.median(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default="/tmp/grt_review_scale.db")
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--per-session", type=int, default=100)
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    path = Path(args.db)
    total = args.groups * args.sessions * args.per_session

    db = open_db(path) if path.exists() and not args.rebuild else None
    if db is None or db.execute("SELECT COUNT(*) FROM contributions").fetchone()[0] != total:
        if db is not None:
            db.close()
        print(f"Construction d'une base de {total:,} contributions dans {path} …")
        build(path, args.groups, args.sessions, args.per_session)
        db = open_db(path)
    n_contrib = db.execute("SELECT COUNT(*) FROM contributions").fetchone()[0]
    n_ann = db.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
    print(f"Base : {n_contrib:,} contributions, {n_ann:,} annotations, {path.stat().st_size / 1e6:.0f} Mo")

    code = "ecart"
    match = fts_expression(parse_query(QUERY_WORD))
    limit = 200
    n_match = db.execute("SELECT COUNT(*) FROM contributions_fts WHERE contributions_fts MATCH ?", [match]).fetchone()[0]
    n_hits = len(search(db, QUERY_WORD, code=code, limit=None))
    print(f"Requête « {QUERY_WORD} » : {n_match:,} contributions contiennent le mot, {n_hits:,} portent aussi le code {code}")

    raw_sql = f"SELECT rowid, rank FROM contributions_fts WHERE contributions_fts MATCH ? ORDER BY rank LIMIT {limit}"
    # The unary + keeps SQLite on the per-contribution index, as grt.search does (see there).
    raw_code_sql = f"""SELECT f.rowid, f.rank FROM contributions_fts f WHERE contributions_fts MATCH ?
        AND EXISTS (SELECT 1 FROM annotations a WHERE a.contribution_id = f.rowid AND +a.code = ?) ORDER BY f.rank LIMIT {limit}"""
    ours, raw, raw_code = paired_ms(
        [
            lambda: search(db, QUERY_WORD, code=code, limit=limit),
            lambda: db.execute(raw_sql, [match]).fetchall(),
            lambda: db.execute(raw_code_sql, [match, code]).fetchall(),
        ],
        args.runs,
    )
    print()
    print(f"Recherche d'un mot avec filtre de code (médiane sur {args.runs} essais, {limit} résultats au plus)")
    print(f"  grt.search.search(« {QUERY_WORD} », code={code})  {ours:8.1f} ms   (objectif < 100 ms)")
    print(f"  FTS5 brut, même mot (MATCH … ORDER BY rank)     {raw:8.1f} ms   rapport {ours / raw:.2f} (objectif ≤ 1,5)")
    print(f"  FTS5 brut, même mot + même filtre de code       {raw_code:8.1f} ms   rapport {ours / raw_code:.2f}")

    group_id = args.groups // 2
    role = ROLES[1]
    others = [
        (f'phrase « "{QUERY_WORD} de" »', f'"{QUERY_WORD} de"', {}),
        ("préfixe « plan* »", "plan*", {}),
        (f"mot moins fréquent « {VOCAB[-1]} »", VOCAB[-1], {}),
        ("mot + code, un groupe", QUERY_WORD, {"code": code, "group_id": group_id}),
        ("mot + groupe + rôle + dates", QUERY_WORD, {"group_id": group_id, "role": role, "date_from": "2022-01-01", "date_to": "2023-12-31"}),
        ("sans mot : code + groupe", "", {"code": code, "group_id": group_id}),
    ]
    print("\nAutres recherches (à droite : la requête FTS5 brute du même texte, sans filtre)")
    count_sql = "SELECT COUNT(*) FROM contributions_fts WHERE contributions_fts MATCH ?"
    for label, query, filters in others:
        if query:
            label += f" ({db.execute(count_sql, [fts_expression(parse_query(query))]).fetchone()[0]:,})"
        fns = [lambda q=query, f=filters: search(db, q, limit=limit, **f)]
        if query:
            fns.append(lambda q=query: db.execute(raw_sql, [fts_expression(parse_query(q))]).fetchall())
        times = paired_ms(fns, args.runs)
        raw_part = f"   brut {times[1]:8.1f} ms" if query else ""
        print(f"  {label:<46} {times[0]:8.1f} ms{raw_part}")

    opening = median_ms(lambda: open_review(db, group_id), args.runs)
    data = open_review(db, group_id)
    print(f"\nÉcran de relecture, données d'ouverture pour un groupe ({len(data['sessions'])} sessions,"
          f" {sum(s['contributions'] for s in data['sessions']):,} contributions)")
    print(f"  grt.review.open_review()                       {opening:8.1f} ms")
    for part, fn in _opening_parts(db, group_id):
        print(f"    dont {part:<38} {median_ms(fn, args.runs):8.1f} ms")
    db.close()


def _opening_parts(db, group_id):
    from grt import review

    return [
        ("sessions", lambda: review.group_sessions(db, group_id)),
        ("comptes par code et par session", lambda: review.code_counts(db, group_id)),
        ("co-occurrences", lambda: review.cooccurrence(db, group_id)),
        ("frise (débats, propositions)", lambda: review.timeline(db, group_id)),
        ("premiers résultats (sans mot)", lambda: review.review_search(db, group_id)),
    ]


if __name__ == "__main__":
    main()
