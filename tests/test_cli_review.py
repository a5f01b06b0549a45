"""CLI: `grt debate list`, `grt proposal list` and `grt search` with its filters (JSON and French text)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from grt.annotations import add_annotation
from grt.cli import cli
from grt.contributions import add_contribution
from grt.db import open_db
from grt.debates import create_debate
from grt.groups import add_group, add_participant
from grt.proposals import add_proposal, set_answer, set_status
from grt.sessions import add_session


@pytest.fixture
def base(tmp_path):
    path = tmp_path / "cli.db"
    db = open_db(path)
    g = add_group(db, "Équipe Nord")
    lina = add_participant(db, g.id, "Lina", "aide-soignante", real_name="Lina Moreau")
    s = add_session(db, g.id, "2026-11-20", "Le temps")
    c = add_contribution(db, s.id, lina.id, "Il faut finir à l'heure, alors je reviens le soir sans le dire.")
    ann = add_annotation(db, c.id, "prescrit", 0, 24)
    d = create_debate(db, g.id, "L'heure ou la personne", annotation_ids=[ann.id])
    p1 = add_proposal(db, g.id, "Compter le temps de trajet réel", "organisateurs", session_id=s.id, carrier_id=lina.id)
    set_status(db, p1["id"], "transmise", date="2026-11-25")
    set_answer(db, p1["id"], "Accepté à partir de janvier.", date="2026-12-10")
    p2 = add_proposal(db, g.id, "Une page « ce qui marche » dans le cahier", "praticable", session_id=s.id)
    other = add_group(db, "Équipe Sud")
    add_proposal(db, other.id, "Ailleurs", "praticable")
    db.close()
    return {"path": path, "debate": d, "p1": p1, "p2": p2}


def run(base, *args):
    return CliRunner().invoke(cli, ["--db", str(base["path"]), *args])


def as_json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_debate_list_json(base):
    rows = as_json(run(base, "debate", "list", "--format", "json"))
    assert [r["id"] for r in rows] == [base["debate"]["id"]]
    row = rows[0]
    assert (row["title"], row["status"], row["norms"], row["speakers"], row["session_dates"]) == (
        "L'heure ou la personne", "ouvert", 1, ["Lina"], ["2026-11-20"])
    assert as_json(run(base, "debate", "list", "--group", "Équipe Sud", "--format", "json")) == []
    assert "Moreau" not in run(base, "debate", "list", "--format", "json").stdout


def test_debate_list_text_is_french(base):
    out = run(base, "debate", "list", "--group", "Équipe NORD")
    assert out.exit_code == 0
    assert "statut" in out.output and "ouvert" in out.output and "L'heure ou la personne" in out.output
    empty = run(base, "debate", "list", "--group", "Équipe Sud")
    assert empty.output.strip() == "Aucun débat de normes."


def test_proposal_list_json_and_filters(base):
    rows = as_json(run(base, "proposal", "list", "--format", "json"))
    assert len(rows) == 3 and all("id" in r for r in rows)
    nord = as_json(run(base, "proposal", "list", "--group", "Équipe Nord", "--format", "json"))
    assert [r["id"] for r in nord] == [base["p1"]["id"], base["p2"]["id"]]
    first = nord[0]
    assert (first["status"], first["carrier"], first["answer"]) == ("reponse_recue", "Lina", "Accepté à partir de janvier.")
    assert first["last"] == {"id": first["last"]["id"], "status": "reponse_recue", "date": "2026-12-10", "note": "", "session_id": None}
    only = as_json(run(base, "proposal", "list", "--status", "proposee", "--group", "Équipe Nord", "--format", "json"))
    assert [r["id"] for r in only] == [base["p2"]["id"]]
    assert "Moreau" not in run(base, "proposal", "list", "--format", "json").stdout


def test_proposal_list_text_is_french(base):
    out = run(base, "proposal", "list", "--group", "Équipe Nord")
    assert out.exit_code == 0
    assert "réponse reçue" in out.output and "le groupe" in out.output and "porteur" in out.output


def test_user_mistakes_are_one_french_line(base):
    bad = run(base, "proposal", "list", "--status", "finie")
    assert bad.exit_code == 1 and "Statut de proposition inconnu" in bad.stderr and "Traceback" not in bad.output
    missing = run(base, "debate", "list", "--group", "Nulle part")
    assert missing.exit_code == 1 and "Groupe introuvable" in missing.stderr


def test_search_with_filters(base):
    hits = as_json(run(base, "search", "HEURE", "--group", "Équipe Nord", "--code", "prescrit", "--role", "aide-soignante",
                       "--from", "2026-11-01", "--to", "2026-11-30", "--format", "json"))
    assert len(hits) == 1 and hits[0]["speaker"] == "Lina" and "**heure**" in hits[0]["snippet"]
    assert as_json(run(base, "search", "heure", "--code", "temps", "--format", "json")) == []
    assert as_json(run(base, "search", "heure", "--from", "2026-12-01", "--format", "json")) == []
    assert run(base, "search", "heure", "--from", "demain").exit_code == 1
