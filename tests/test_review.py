"""Review over a group's sessions: counts by code, co-occurrences, timeline, terminal series, search."""

from __future__ import annotations

import pytest

from grt import review
from grt.annotations import add_annotation
from grt.contributions import add_contribution, save_draft
from grt.debates import create_debate
from grt.errors import NotFound
from grt.groups import add_group
from grt.proposals import add_proposal, set_status
from grt.search import parse_query, search
from grt.sessions import add_session


def _tag(db, c, code, quote):
    start = c.text.index(quote)
    return add_annotation(db, c.id, code, start, start + len(quote))


@pytest.fixture
def year(db, group_setup):
    """Two sessions of one group; codes that occur together; an off-record contribution; another group."""
    g = group_setup
    s1, lina, paul = g["session"], g["lina"], g["paul"]
    s2 = add_session(db, g["group"].id, "2027-01-15", "Les transmissions")
    a = add_contribution(db, s1.id, lina.id, "Le planning dit trente minutes, je reste une heure chez elle.")
    b = add_contribution(db, s1.id, paul.id, "Le planning change sans arrêt, on court.")
    c = add_contribution(db, s2.id, paul.id, "Je note tout dans mon carnet, personne ne le demande.")
    off = add_contribution(db, s2.id, lina.id, "Ça ne sort pas d'ici : le planning me rend malade.", off_record=True)
    _tag(db, a, "prescrit", "Le planning dit trente minutes")
    _tag(db, a, "reel", "je reste une heure chez elle")
    _tag(db, a, "temps", "trente minutes")
    _tag(db, b, "prescrit", "Le planning change")
    _tag(db, b, "temps", "on court")
    _tag(db, c, "reel", "Je note tout dans mon carnet")
    _tag(db, off, "usage_de_soi", "me rend malade")
    other = add_group(db, "Autre groupe")
    other_session = add_session(db, other.id, "2026-11-20")
    add_contribution(db, other_session.id, None, "Le planning aussi chez nous.")
    return {**g, "s1": s1, "s2": s2, "a": a, "b": b, "c": c, "off": off, "other": other}


def test_counts_by_code_per_session(db, year):
    counts = review.code_counts(db, year["group"].id)
    assert [s["date"] for s in counts["sessions"]] == ["2026-11-20", "2027-01-15"]
    assert counts["codes"] == ["prescrit", "reel", "usage_de_soi", "temps"]  # codebook order
    assert counts["counts"] == {"prescrit": [2, 0], "reel": [1, 1], "usage_de_soi": [0, 1], "temps": [2, 0]}
    assert counts["totals"]["prescrit"] == 2 and counts["session_totals"] == [5, 2]
    assert counts["labels"]["reel"] == "Renormalisation (travail réel)"
    assert review.code_counts(db, year["group"].id, include_off_record=False)["counts"].get("usage_de_soi") is None


def test_cooccurrence_counts_contributions_carrying_both_codes(db, year):
    co = review.cooccurrence(db, year["group"].id)
    at = {c: k for k, c in enumerate(co["codes"])}
    m = co["matrix"]
    assert m[at["prescrit"]][at["temps"]] == m[at["temps"]][at["prescrit"]] == 2
    assert m[at["prescrit"]][at["reel"]] == 1
    assert m[at["reel"]][at["reel"]] == 2  # contributions carrying the code at all
    assert m[at["usage_de_soi"]][at["prescrit"]] == 0
    assert co["pairs"][0] == ("prescrit", "temps", 2)
    only_s2 = review.cooccurrence(db, year["group"].id, session_id=year["s2"].id)
    assert only_s2["pairs"] == [] and set(only_s2["codes"]) == {"reel", "usage_de_soi"}


def test_timeline_orders_sessions_debates_and_proposal_steps_by_date(db, year):
    gid = year["group"].id
    p = add_proposal(db, gid, "Un temps de transmission payé", "organisateurs", session_id=year["s1"].id)
    set_status(db, p["id"], "transmise", date="2026-12-01")
    create_debate(db, gid, "Le planning ou la personne", session_ids=[year["s2"].id])
    events = review.timeline(db, gid)
    assert [(e["date"], e["kind"], e["status"]) for e in events] == [
        ("2026-11-20", "session", "preparee"),
        ("2026-11-20", "proposal", "proposee"),
        ("2026-12-01", "proposal", "transmise"),
        ("2027-01-15", "session", "preparee"),
        ("2027-01-15", "debate", "ouvert"),
    ]
    assert events[2]["summary"] == "Proposition transmise : Un temps de transmission payé"
    assert [e["kind"] for e in review.timeline(db, gid, include_sessions=False)] == ["proposal", "proposal", "debate"]


def test_terminal_series():
    assert review.sparkline([0, 1, 2, 4, 8]) == "·▁▂▄█"
    assert review.sparkline([2, 2], maximum=8) == "▂▂"
    assert review.sparkline([]) == ""
    chart = review.column_chart([0, 4, 8], height=2, width=2)
    assert chart == ["    ██", "  ████"]
    assert review.column_chart([1, 3], height=1) == ["▃█"]


def test_codes_over_sessions_share_one_scale(db, year):
    series = review.codes_over_sessions(db, year["group"].id, ["prescrit", "reel", "faire_autrement"])
    assert [s["date"] for s in series["sessions"]] == ["2026-11-20", "2027-01-15"]
    rows = {r["code"]: r for r in series["rows"]}
    assert series["max"] == 2
    assert rows["prescrit"]["spark"] == "█·" and rows["reel"]["spark"] == "▄▄"
    assert rows["faire_autrement"]["values"] == [0, 0] and rows["faire_autrement"]["total"] == 0


def test_review_search_filters_within_the_group_and_marks_off_record(db, year):
    gid = year["group"].id
    hits = review.review_search(db, gid, "PLANNING")
    assert {h["id"] for h in hits} == {year["a"].id, year["b"].id, year["off"].id}
    off = next(h for h in hits if h["id"] == year["off"].id)
    assert off["off_record"] is True
    assert [off["text"][s:e] for s, e in off["spans"]] == ["planning"]
    assert [h["id"] for h in review.review_search(db, gid, "planning", code="temps", role="aide à domicile")] == [year["a"].id]
    assert [h["id"] for h in review.review_search(db, gid, "planning", session_id=year["s2"].id)] == [year["off"].id]
    assert review.review_search(db, gid, "planning", include_off_record=False, date_from="2027-01-01") == []
    assert [h["id"] for h in review.review_search(db, gid)] == [year["a"].id, year["b"].id, year["c"].id, year["off"].id]


def test_search_scopes_agree_with_each_other(db, year):
    """The scoped plan (group, session, speaker) and the unscoped plan give the same hits."""
    gid = year["group"].id
    everywhere = {h["id"] for h in search(db, "planning")}
    assert everywhere == {h["id"] for h in search(db, "planning", group_id=gid)} | {
        h["id"] for h in search(db, "planning", group_id=year["other"].id)
    }
    by_speaker = {h["id"] for h in search(db, "planning", participant_id=year["paul"].id)}
    assert by_speaker == {h["id"] for h in search(db, "planning", role="auxiliaire de vie")} == {year["b"].id}
    assert [h["id"] for h in search(db, "planning", code="normes", group_id=gid)] == [h["id"] for h in search(db, "planning", code="normes")]
    assert search(db, "planning", code="code_inconnu") == []


def test_drafts_are_never_found(db, year):
    save_draft(db, year["s2"].id, year["lina"].id, "brouillon sur le planning")
    for kwargs in ({}, {"group_id": year["group"].id}, {"session_id": year["s2"].id}):
        assert all("brouillon" not in h["text"] for h in search(db, "planning", **kwargs))
    assert all("brouillon" not in h["text"] for h in search(db, "", group_id=year["group"].id))


def test_hyphenated_words_and_apostrophes_are_phrases(db, year):
    c = add_contribution(db, year["s1"].id, year["lina"].id, "Le rendez-vous chez l'équipe de nuit.")
    add_contribution(db, year["s1"].id, year["lina"].id, "Vous avez un rendez au cabinet, puis on vous verra.")
    assert [t.words for t in parse_query("rendez-vous l'equipe")] == [["rendez", "vous"], ["l", "equipe"]]
    assert [h["id"] for h in search(db, "rendez-vous")] == [c.id]
    assert [h["id"] for h in search(db, "l'équipe")] == [c.id]
    assert [h["id"] for h in search(db, "rendez-v*")] == [c.id]


def test_open_review_gathers_the_opening_data(db, year):
    data = review.open_review(db, year["group"].id)
    assert data["group"]["name"] == "Équipe SAAD Est"
    assert len(data["sessions"]) == 2 and data["sessions"][1]["contributions"] == 2
    assert data["roles"] == ["aide à domicile", "auxiliaire de vie", "responsable de secteur"]
    assert set(data) >= {"counts", "series", "cooccurrence", "timeline", "hits"}
    assert len(data["hits"]) == 4
    with pytest.raises(NotFound):
        review.open_review(db, 999)
