"""Stored suggestions: annotate a session, accept / reject / undo, learning per group, cue switches."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from grt.annotations import add_annotation, list_annotations  # noqa: E402
from grt.codebook import update_code  # noqa: E402
from grt.contributions import add_contribution, save_draft  # noqa: E402
from grt.errors import InvalidInput, NotFound  # noqa: E402
from grt.groups import add_group, add_participant  # noqa: E402
from grt.nlp import service  # noqa: E402
from grt.sessions import add_session  # noqa: E402

TEXTS = [
    "Il faut porter le gilet en permanence. Le gilet, personne ne le met.",
    "Je suis épuisée le vendredi, j'ai mal au dos.",
    "On pourrait demander à la direction de décaler le repas.",
]
OFF_RECORD = "Entre nous, on s'échange les clés, rien n'est prévu pour ça."


@pytest.fixture(autouse=True)
def blank(use_blank_engine):
    return use_blank_engine


@pytest.fixture
def setup(db, group_setup):
    session, lina = group_setup["session"], group_setup["lina"]
    made = [add_contribution(db, session.id, lina.id, t) for t in TEXTS]
    made.append(add_contribution(db, session.id, lina.id, OFF_RECORD, off_record=True))
    save_draft(db, session.id, lina.id, "Il faut aussi badger à chaque pause.")  # a draft: never annotated
    return {**group_setup, "contributions": made}


def stats(db, group_id, cue):
    row = db.execute("SELECT accepted, rejected FROM cue_stats WHERE group_id = ? AND cue = ?", [group_id, cue]).fetchone()
    return tuple(row) if row else (0, 0)


def first(rows, code):
    return next(r for r in rows if r["code"] == code)


# ---------------------------------------------------------------- annotate


def test_annotate_session_stores_pending_suggestions(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    assert rows and all(r["status"] == "pending" for r in rows)
    by_contribution = {}
    for r in rows:
        by_contribution.setdefault(r["contribution_id"], set()).add(r["code"])
        text = next(c.text for c in setup["contributions"] if c.id == r["contribution_id"])
        assert text[r["start"] : r["end"]] == r["quote"] == r["text"]
        assert r["why"] and r["cue"] and 0 <= r["score"] <= 1
    c = setup["contributions"]
    assert {"prescrit", "ecart"} <= by_contribution[c[0].id]
    assert "usage_de_soi" in by_contribution[c[1].id]
    assert "faire_autrement" in by_contribution[c[2].id]
    assert "trou_de_normes" in by_contribution[c[3].id]  # off-record contributions stay in the group
    fa = first(rows, "faire_autrement")
    assert fa["attributes"] == {"destination": "organisateurs"}
    # The draft was not touched.
    assert db.execute("SELECT COUNT(*) FROM suggestions s JOIN contributions c ON c.id = s.contribution_id WHERE c.draft = 1").fetchone()[0] == 0
    order = {contribution.id: i for i, contribution in enumerate(c)}
    listed = service.list_suggestions(db, session_id=setup["session"].id)
    assert [r["id"] for r in listed] == [r["id"] for r in sorted(rows, key=lambda r: (order[r["contribution_id"]], r["start"], r["end"], r["code"], r["id"]))]
    assert service.list_suggestions(db, session_id=setup["session"].id, status="accepted") == []


def test_running_twice_stores_nothing_new(db, setup):
    first_run = service.annotate_session(db, setup["session"].id)
    assert first_run
    assert service.annotate_session(db, setup["session"].id) == []
    # Decided suggestions are not proposed again either.
    service.reject_suggestion(db, first_run[0]["id"])
    assert service.annotate_session(db, setup["session"].id) == []


def test_spans_already_annotated_with_the_code_are_skipped(db, setup):
    c = setup["contributions"][1]
    add_annotation(db, c.id, "usage_de_soi", 0, 10)
    rows = service.annotate_session(db, setup["session"].id)
    assert not [r for r in rows if r["contribution_id"] == c.id and r["code"] == "usage_de_soi"]


def test_empty_session(db, group_setup):
    empty = add_session(db, group_setup["group"].id, "2026-12-01", "?")
    assert service.annotate_session(db, empty.id) == []
    with pytest.raises(NotFound):
        service.annotate_session(db, 9999)


# ---------------------------------------------------------------- decisions


def test_accept_creates_a_suggested_annotation_and_counts(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = first(rows, "faire_autrement")
    gid = setup["group"].id
    done = service.accept_suggestion(db, s["id"])
    assert done["status"] == "accepted" and done["decided_at"] and done["annotation_id"]
    (ann,) = [a for a in list_annotations(db, contribution_id=s["contribution_id"]) if a.id == done["annotation_id"]]
    assert (ann.code, ann.start, ann.end, ann.origin) == ("faire_autrement", s["start"], s["end"], "suggested")
    assert ann.attributes == {"destination": "organisateurs"}
    assert stats(db, gid, s["cue"]) == (1, 0)
    with pytest.raises(InvalidInput):
        service.accept_suggestion(db, s["id"])


def test_accept_with_another_code_or_span(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = first(rows, "usage_de_soi")
    done = service.accept_suggestion(db, s["id"], code="temps", start=s["start"], end=s["start"] + 8)
    (ann,) = [a for a in list_annotations(db, contribution_id=s["contribution_id"]) if a.id == done["annotation_id"]]
    assert (ann.code, ann.end) == ("temps", s["start"] + 8)
    # The cue was wrong about the code: it counts as a rejection for the group.
    assert stats(db, setup["group"].id, s["cue"]) == (0, 1)
    service.undo_decision(db, s["id"])
    assert stats(db, setup["group"].id, s["cue"]) == (0, 0)


def test_accept_outside_the_text_is_refused_and_leaves_nothing(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = rows[0]
    with pytest.raises(InvalidInput):
        service.accept_suggestion(db, s["id"], end=10_000)
    assert service.get_suggestion(db, s["id"])["status"] == "pending"
    assert stats(db, setup["group"].id, s["cue"]) == (0, 0)


def test_reject_then_undo(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = first(rows, "prescrit")
    gid = setup["group"].id
    assert service.reject_suggestion(db, s["id"])["status"] == "rejected"
    assert stats(db, gid, s["cue"]) == (0, 1)
    with pytest.raises(InvalidInput):
        service.reject_suggestion(db, s["id"])
    back = service.undo_decision(db, s["id"])
    assert back["status"] == "pending" and back["decided_at"] is None
    assert stats(db, gid, s["cue"]) == (0, 0)
    assert service.undo_decision(db, s["id"])["status"] == "pending"  # undoing twice changes nothing


def test_undo_accept_removes_the_annotation(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = first(rows, "prescrit")
    done = service.accept_suggestion(db, s["id"], memo="à discuter")
    service.undo_decision(db, s["id"])
    assert done["annotation_id"] not in [a.id for a in list_annotations(db, contribution_id=s["contribution_id"])]
    assert service.get_suggestion(db, s["id"])["annotation_id"] is None
    assert stats(db, setup["group"].id, s["cue"]) == (0, 0)
    # And it can be decided again.
    assert service.accept_suggestion(db, s["id"])["status"] == "accepted"


def test_accept_all_above(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    c = setup["contributions"][0]
    mine = [r for r in rows if r["contribution_id"] == c.id]
    threshold = sorted(r["score"] for r in mine)[-1]
    accepted = service.accept_all_above(db, c.id, threshold)
    assert accepted and all(r["score"] >= threshold and r["status"] == "accepted" for r in accepted)
    left = service.list_suggestions(db, contribution_id=c.id, status="pending")
    assert all(r["score"] < threshold for r in left)
    assert service.accept_all_above(db, c.id, 0.0)  # the rest
    assert service.list_suggestions(db, contribution_id=c.id, status="pending") == []
    with pytest.raises(InvalidInput):
        service.accept_all_above(db, c.id, "beaucoup")


def test_unknown_suggestion(db, setup):
    with pytest.raises(NotFound):
        service.accept_suggestion(db, 4242)
    with pytest.raises(NotFound):
        service.undo_decision(db, 4242)


# ---------------------------------------------------------------- learning and switches


def test_rejected_cues_lose_weight_for_that_group_only(db, setup):
    gid = setup["group"].id
    cue = "prescrit.il_faut"
    for _ in range(6):
        db.execute("INSERT OR IGNORE INTO cue_stats (group_id, cue) VALUES (?, ?)", [gid, cue])
        db.execute("UPDATE cue_stats SET rejected = rejected + 1 WHERE group_id = ? AND cue = ?", [gid, cue])
    other = add_group(db, "Autre groupe")
    someone = add_participant(db, other.id, "Mo", "cariste")
    for group_id, who in ((gid, setup["lina"]), (other.id, someone)):
        s = add_session(db, group_id, "2026-12-02", "?")
        add_contribution(db, s.id, who.id, "Il faut remplir la feuille.")
        rows = service.annotate_session(db, s.id)
        fired = [r for r in rows if r["cue"] == cue]
        assert (not fired) if group_id == gid else fired


def test_accepted_cues_gain_weight(db, setup, blank):
    gid = setup["group"].id
    text = "Il faut remplir la feuille."
    before = blank.suggest_text(text)[0]["score"]
    db.execute("INSERT INTO cue_stats (group_id, cue, accepted, rejected) VALUES (?, 'prescrit.il_faut', 9, 0)", [gid])
    after = blank.suggest_text(text, weights=service.group_weights(db, gid))[0]["score"]
    assert after > before


def test_cue_precision_and_switching_off(db, setup):
    rows = service.annotate_session(db, setup["session"].id)
    s = first(rows, "prescrit")
    service.accept_suggestion(db, s["id"])
    other = [r for r in rows if r["cue"] != s["cue"]][0]
    service.reject_suggestion(db, other["id"])
    table = {e["cue"]: e for e in service.cue_precision(db, setup["group"].id)}
    assert table[s["cue"]]["accepted"] == 1 and table[s["cue"]]["precision"] == 1.0
    assert table[other["cue"]]["rejected"] == 1 and table[other["cue"]]["precision"] == 0.0
    assert table["valeur.ce_qui_compte"]["decided"] == 0 and table["valeur.ce_qui_compte"]["precision"] is None
    assert all(e["enabled"] for e in table.values())
    assert {e["cue"] for e in service.cue_precision(db)} >= set(table)

    service.set_cue_enabled(db, "ecart.pas_applique", False)
    assert not {e["cue"]: e for e in service.cue_precision(db)}["ecart.pas_applique"]["enabled"]
    s2 = add_session(db, setup["group"].id, "2026-12-03", "?")
    add_contribution(db, s2.id, setup["lina"].id, "Le gilet, personne ne le met.")
    assert [r for r in service.annotate_session(db, s2.id) if r["cue"] == "ecart.pas_applique"] == []
    service.set_cue_enabled(db, "ecart.pas_applique", True)
    assert [r for r in service.annotate_session(db, s2.id) if r["cue"] == "ecart.pas_applique"]
    with pytest.raises(NotFound):
        service.set_cue_enabled(db, "no.such.cue", False)


def test_facilitator_cue_words_from_the_codebook(db, setup):
    update_code(db, "usage_de_soi", cues=["badgeuse"])
    s = add_session(db, setup["group"].id, "2026-12-04", "?")
    add_contribution(db, s.id, setup["lina"].id, "La badgeuse me rend dingue.")
    rows = service.annotate_session(db, s.id)
    assert [r["cue"] for r in rows if r["code"] == "usage_de_soi"] == ["user:usage_de_soi:badgeuse"]
    assert "user:usage_de_soi:badgeuse" in {e["cue"] for e in service.cue_precision(db)}
    service.set_cue_enabled(db, "user:usage_de_soi:badgeuse", False)
    s3 = add_session(db, setup["group"].id, "2026-12-05", "?")
    add_contribution(db, s3.id, setup["lina"].id, "La badgeuse encore.")
    assert service.annotate_session(db, s3.id) == []


def test_inactive_codes_are_not_suggested(db, setup):
    update_code(db, "prescrit", active=False)
    rows = service.annotate_session(db, setup["session"].id)
    assert rows and "prescrit" not in {r["code"] for r in rows}
