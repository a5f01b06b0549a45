"""Full-text search: accents and case do not matter; phrases, prefixes and filters work."""

from __future__ import annotations

from grt.annotations import add_annotation
from grt.contributions import add_contribution, set_off_record, update_text
from grt.search import match_spans, search, snippet


def _seed(db, g):
    s, lina, paul = g["session"], g["lina"], g["paul"]
    a = add_contribution(db, s.id, lina.id, "Toute l'équipe a refait le planning du week-end.")
    b = add_contribution(db, s.id, paul.id, "L'EQUIPE de nuit ne transmet rien. Les plannings changent sans arrêt.")
    c = add_contribution(db, s.id, paul.id, "Je reste plus longtemps chez Mme Roux, ça ne se voit nulle part.")
    return a, b, c


def test_accents_and_case_do_not_matter(db, group_setup):
    a, b, _ = _seed(db, group_setup)
    for query in ("equipe", "ÉQUIPE", "Équipe", "équipé"):
        assert {h["id"] for h in search(db, query)} == {a.id, b.id}, query


def test_phrases_and_prefixes(db, group_setup):
    a, b, c = _seed(db, group_setup)
    assert [h["id"] for h in search(db, '"equipe de nuit"')] == [b.id]
    assert {h["id"] for h in search(db, "plan*")} == {a.id, b.id}
    assert [h["id"] for h in search(db, "reste longtemps")] == [c.id]


def test_code_filter_and_family(db, group_setup):
    a, b, _ = _seed(db, group_setup)
    add_annotation(db, b.id, "ecart", 0, 35)
    assert [h["id"] for h in search(db, "equipe", code="ecart")] == [b.id]
    assert [h["id"] for h in search(db, "equipe", code="normes")] == [b.id]
    assert search(db, "equipe", code="temps") == []
    assert [h["id"] for h in search(db, "", code="ecart")] == [b.id]


def test_index_follows_edits_and_off_record_is_marked(db, group_setup):
    a, _, _ = _seed(db, group_setup)
    update_text(db, a.id, "Nous avons changé la tournée.")
    assert a.id not in {h["id"] for h in search(db, "equipe")}
    assert [h["id"] for h in search(db, "tournee")] == [a.id]
    set_off_record(db, a.id)
    assert search(db, "tournee")[0]["off_record"] is True
    assert search(db, "tournee", include_off_record=False) == []


def test_role_and_date_filters(db, group_setup):
    _seed(db, group_setup)
    assert {h["speaker"] for h in search(db, "equipe", role="auxiliaire de vie")} == {"Paul"}
    assert search(db, "equipe", date_from="2026-12-01") == []
    assert len(search(db, "equipe", date_to="2026-11-20")) == 2


def test_highlight_spans_in_context():
    text = "L'Équipe du soir et l'équipe du matin"
    assert [text[s:e] for s, e in match_spans(text, "equipe")] == ["Équipe", "équipe"]
    assert snippet(text, "matin") == "L'Équipe du soir et l'équipe du **matin**"
