"""The suggestion engine on spacy.blank('fr') (surface rules): rules, offsets, options, loading."""

from __future__ import annotations

import json
import threading

import pytest

spacy = pytest.importorskip("spacy")

from grt.errors import InvalidInput  # noqa: E402
from grt.nlp import engine as engine_mod  # noqa: E402
from grt.nlp.cues import load_cues, normalise_extra_cues, parse_cues  # noqa: E402
from grt.nlp.engine import DESIGN_KEYS, SuggestionEngine, as_json_items, chunks, format_text, normalise  # noqa: E402
from grt.nlp.cues import learned_weight  # noqa: E402


@pytest.fixture(scope="module")
def blank():
    return SuggestionEngine(nlp=spacy.blank("fr")).load()


def codes_of(items):
    return {it["code"] for it in items}


def check_contract(text, items):
    for it in items:
        assert set(DESIGN_KEYS) <= set(it)
        assert isinstance(it["start"], int) and isinstance(it["end"], int)
        assert 0 <= it["start"] < it["end"] <= len(text)
        assert text[it["start"] : it["end"]] == it["text"]
        assert 0.0 <= it["score"] <= 1.0
        assert it["why"].strip()
        assert it["cue"]


# ---------------------------------------------------------------- loading


def test_blank_engine_uses_surface_rules_and_says_so(blank):
    assert blank.is_loaded
    assert blank.fallback is True
    assert "surface" in blank.warning
    assert "grt_suggester" in blank.nlp.pipe_names
    assert "grt_sentences" in blank.nlp.pipe_names


def test_missing_model_falls_back_to_blank_with_a_french_warning():
    e = SuggestionEngine(model="xx_model_that_does_not_exist")
    assert not e.is_loaded
    assert e.warning is None  # nothing said before loading
    e.load()
    assert e.fallback is True
    assert "fr_core_news_sm" in e.warning and "introuvable" in e.warning
    assert codes_of(e.suggest_text("Il faut porter le gilet.")) == {"prescrit"}


def test_load_is_idempotent_and_thread_safe():
    e = SuggestionEngine(nlp=spacy.blank("fr"))
    errors = []

    def go():
        try:
            e.load()
        except Exception as exc:  # pragma: no cover - shown on failure
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert e.nlp.pipe_names.count("grt_suggester") == 1


def test_load_async_calls_back_once_loaded():
    e = SuggestionEngine(nlp=spacy.blank("fr"))
    done = threading.Event()
    seen = []
    thread = e.load_async(lambda eng: seen.append(("first", eng.is_loaded)))
    e.load_async(lambda eng: (seen.append(("second", eng.is_loaded)), done.set()))  # while loading
    assert done.wait(30)
    thread.join(5)
    assert seen == [("first", True), ("second", True)]
    assert e.load_error is None
    late = []
    assert e.load_async(lambda eng: late.append(eng.is_loaded)) is None  # already loaded: called at once
    assert late == [True]


def test_load_async_reports_a_failure(monkeypatch):
    e = SuggestionEngine(nlp=spacy.blank("fr"))

    def broken():
        raise RuntimeError("disque plein")

    monkeypatch.setattr(e, "load", broken)
    done = threading.Event()
    e.load_async(lambda eng: done.set())
    assert done.wait(10)
    assert e.load_error == "disque plein" and not e.is_loaded


def test_get_engine_is_a_process_wide_singleton(monkeypatch):
    monkeypatch.setattr(engine_mod, "_engine", None)
    got = []
    threads = [threading.Thread(target=lambda: got.append(engine_mod.get_engine())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(x) for x in got}) == 1
    assert not got[0].is_loaded  # lazy: creating the engine loads nothing


def test_set_engine_replaces_the_singleton(blank, monkeypatch):
    monkeypatch.setattr(engine_mod, "_engine", None)
    engine_mod.set_engine(blank)
    assert engine_mod.get_engine() is blank
    assert codes_of(engine_mod.suggest_text("Il faut porter le gilet.")) == {"prescrit"}
    assert [codes_of(x) for x in engine_mod.suggest_many(["Je suis épuisée.", ""])] == [{"usage_de_soi"}, set()]


# ---------------------------------------------------------------- rules: one sentence per code

SURFACE_CASES = [
    ("prescrit", "Il faut porter les chaussures de sécurité en permanence."),
    ("prescrit", "Le règlement interdit les visites après vingt heures."),
    ("reel", "Moi je prends les colis lourds en premier, on s'arrange comme on peut."),
    ("ecart", "Sur le papier on a une demi-heure, en vrai c'est cinq minutes."),
    ("ecart", "Le gilet, personne ne le met."),
    ("trou_de_normes", "Rien n'est prévu quand un jeune fugue le dimanche."),
    ("trou_de_normes", "Personne ne nous a dit quoi faire avec les familles."),
    ("debat_de_normes", "Soit je finis les toilettes, soit je reste avec la dame."),
    ("valeur", "Ce qui compte pour moi, c'est leur dignité."),
    ("usage_de_soi", "Le soir je suis épuisée, j'ai mal au dos."),
    ("temps", "On n'a pas le temps, on court toute la matinée."),
    ("relation", "Nous, on voit les cartons, eux ils sont dans les bureaux."),
    ("faire_autrement", "On pourrait se répartir les commandes entre nous."),
]


@pytest.mark.parametrize("code,text", SURFACE_CASES)
def test_every_code_has_cues_that_fire_in_surface_mode(blank, code, text):
    items = blank.suggest_text(text)
    check_contract(text, items)
    assert code in codes_of(items), items


@pytest.mark.parametrize(
    "text",
    [
        "Le foyer est près de la gare.",
        "Il faut dire que c'était un lundi.",
        "Je suis aide-soignante depuis cinq ans.",
        "L'entrepôt fait trente mille mètres carrés.",
        "Il a plu toute la journée.",
    ],
)
def test_neutral_sentences_get_nothing(blank, text):
    assert blank.suggest_text(text) == []


def test_why_is_a_french_sentence_naming_the_cue(blank):
    (item,) = blank.suggest_text("Il faut remplir le logiciel tous les soirs.")
    assert item["code"] == "prescrit"
    assert "obligation" in item["why"] and "faut" in item["why"]


def test_destination_guessed_for_proposals(blank):
    (org,) = [i for i in blank.suggest_text("On pourrait demander à la direction de décaler le repas.") if i["code"] == "faire_autrement"]
    assert org["attributes"] == {"destination": "organisateurs"}
    (prat,) = [i for i in blank.suggest_text("On pourrait faire les rapports à deux.") if i["code"] == "faire_autrement"]
    assert prat["attributes"] == {"destination": "praticable"}


def test_value_dimension(blank):
    (v,) = [i for i in blank.suggest_text("La direction regarde surtout la rentabilité.") if i["code"] == "valeur"]
    assert v["attributes"] == {"dimension": "mesurable"}
    (w,) = [i for i in blank.suggest_text("Pour moi, c'est une question de dignité.") if i["code"] == "valeur"]
    assert w["attributes"] == {"dimension": "sans_dimension"}


def test_unless_vetoes_a_match(blank):
    # "il faut choisir" is a dilemma, not an obligation.
    items = blank.suggest_text("Il faut choisir entre la sécurité et la vitesse.")
    assert "debat_de_normes" in codes_of(items)
    assert "prescrit" not in codes_of(items)


def test_conditional_is_a_proposal_not_an_obligation(blank):
    items = blank.suggest_text("Il faudrait une deuxième personne le matin.")
    assert codes_of(items) == {"faire_autrement"}


def test_contrast_after_a_norm_in_the_previous_sentence(blank):
    text = "Il faut être deux pour le transfert. Mais à six heures on est seule à l'étage."
    items = blank.suggest_text(text)
    ecart = [i for i in items if i["code"] == "ecart"]
    assert ecart and ecart[0]["text"].startswith("Mais")
    assert ecart[0]["cue"] == "ecart.contraste_apres_norme"


# ---------------------------------------------------------------- offsets

OFFSET_TEXTS = [
    "  Il faut porter le gilet.",
    "Épuisée 😩, j’ai mal au dos. Il faut être deux 👥 pour lever Mme R.",
    "Il faut badger.\r\nPersonne ne le fait.\r\n\r\nOn pourrait demander à la direction.",
    "\t\n  Le protocole\u00a0dit qu'on doit être deux… mais en vrai on est seule.",
    "Ce qui compte, c’est la dignité ; le planning passe après. Je suis crevée !!",
    "😀" * 10 + " Il faut remplir la fiche. " + "é" * 5,
]


@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_offsets_are_into_the_text_as_given(blank, text):
    items = blank.suggest_text(text)
    assert items, "each text has at least one suggestion"
    check_contract(text, items)
    assert items == sorted(items, key=lambda i: (i["start"], i["end"], i["code"]))


def test_spans_do_not_include_surrounding_spaces(blank):
    text = "   Il faut porter le gilet.   \r\n"
    (item,) = blank.suggest_text(text)
    assert item["text"] == "Il faut porter le gilet."
    assert item["start"] == 3


def test_normalise_keeps_the_length():
    text = "j’ai\u00a0mal\r\n‘ok’ ʼ\u202f"
    assert len(normalise(text)) == len(text)
    assert normalise(text) == "j'ai mal \n'ok' ' "


def test_chunks_cover_the_text_exactly():
    text = ("Il faut porter le gilet. Personne ne le met.\n" * 50) + "x" * 700 + " fin"
    pieces = list(chunks(text, size=300))
    assert "".join(p for p, _ in pieces) == text
    assert all(len(p) <= 300 for p, _ in pieces)
    pos = 0
    for piece, offset in pieces:
        assert offset == pos
        pos += len(piece)


def test_a_long_text_is_chunked_and_offsets_stay_right(blank):
    unit = "Il faut porter le gilet. Le gilet, personne ne le met.\r\n"
    text = unit * (engine_mod.CHUNK_CHARS // len(unit) * 2 + 3)
    items = blank.suggest_text(text)
    check_contract(text, items)
    assert len([i for i in items if i["code"] == "prescrit"]) == text.count("Il faut")


def test_suggest_many_equals_suggest_text(blank):
    texts = ["Il faut porter le gilet.", "", "   ", "Je suis épuisée, j'ai mal au dos.", "Rien n'est prévu pour ça."]
    many = blank.suggest_many(texts)
    assert many == [blank.suggest_text(t) for t in texts]
    assert many[1] == [] and many[2] == []


def test_non_text_is_refused(blank):
    with pytest.raises(InvalidInput):
        blank.suggest_many([b"bytes"])


# ---------------------------------------------------------------- options


def test_codes_restricts_the_output(blank):
    text = "Il faut porter le gilet, je suis épuisée."
    assert codes_of(blank.suggest_text(text)) == {"prescrit", "usage_de_soi"}
    assert codes_of(blank.suggest_text(text, codes=["usage_de_soi"])) == {"usage_de_soi"}
    assert blank.suggest_text(text, codes=[]) == []


def test_a_disabled_cue_never_fires(blank):
    text = "Il faut porter le gilet."
    assert blank.suggest_text(text, disabled={"prescrit.il_faut"}) == []


def test_weights_multiplier_and_group_answers(blank):
    text = "Il faut porter le gilet."
    base = blank.suggest_text(text)[0]["score"]
    assert blank.suggest_text(text, weights={"prescrit.il_faut": 0.5}) == []  # 0.4 < threshold
    assert blank.suggest_text(text, weights={"prescrit.il_faut": (0, 12)}) == []
    boosted = blank.suggest_text(text, weights={"prescrit.il_faut": {"accepted": 12, "rejected": 0}})[0]["score"]
    assert boosted > base


def test_min_score(blank):
    text = "Il faut porter le gilet."
    assert blank.suggest_text(text, min_score=0.95) == []
    assert blank.suggest_text(text, min_score=0.1)


def test_facilitator_cue_words_for_own_codes(blank):
    text = "La badgeuse tombe en panne tous les lundis, et la pointeuse aussi."
    items = blank.suggest_text(text, extra_cues={"pointage": ["Badgeuse", "pointeuse", " "]})
    (item,) = [i for i in items if i["code"] == "pointage"]
    assert item["cue"] in ("user:pointage:badgeuse", "user:pointage:pointeuse")
    assert "indice" in item["why"]
    check_contract(text, items)
    # A phrase of several words works too, and can be switched off.
    items = blank.suggest_text("On a encore eu un retour client.", extra_cues={"qualite": ["retour client"]})
    assert [i["cue"] for i in items if i["code"] == "qualite"] == ["user:qualite:retour client"]
    assert not [i for i in blank.suggest_text("On a encore eu un retour client.", extra_cues={"qualite": ["retour client"]}, disabled={"user:qualite:retour client"}) if i["code"] == "qualite"]


def test_normalise_extra_cues_is_stable():
    assert normalise_extra_cues({"b": ["Y", "x", "x"], "a": "mot"}) == (("a", ("mot",)), ("b", ("x", "y")))
    assert normalise_extra_cues(None) == ()


# ---------------------------------------------------------------- JSON and text output


def test_json_items_have_the_design_keys_first(blank):
    items = as_json_items(blank.suggest_text("Il faut porter le gilet."))
    assert list(items[0])[:6] == list(DESIGN_KEYS)
    json.dumps(items, ensure_ascii=False)


def test_format_text(blank):
    items = blank.suggest_text("Il faut porter le gilet.")
    out = format_text(items, labels={"prescrit": "Norme antécédente"})
    assert "Norme antécédente" in out and f"{items[0]['score']:.2f}" in out and "« faut »" in out
    assert format_text([]) == "Aucune suggestion."


# ---------------------------------------------------------------- the cue file


def test_cue_file_covers_every_code_of_the_codebook():
    from grt.codebook import default_codebook

    codes = {c["id"] for c in default_codebook() if not c.get("is_group")}
    cueset = load_cues()
    assert cueset.codes == codes
    for cue in cueset.cues:
        assert 0 < cue.weight <= 1
        assert cue.why_fr and cue.why_en
        for key, value in cue.attributes.items():
            allowed = next(c for c in default_codebook() if c["id"] == cue.code).get("attributes", {})
            assert value in allowed.get(key, []), cue.id


def test_cue_file_errors_are_clear():
    with pytest.raises(InvalidInput):
        parse_cues({"cues": [{"id": "x", "code": "prescrit", "kind": "lemma", "weight": 2, "why": {"fr": "a"}}]})
    with pytest.raises(InvalidInput):
        parse_cues({"cues": [{"id": "x", "code": "prescrit", "kind": "pattern", "patterns": [[{"LEMMA": {"IN": "$NOPE"}}]], "weight": 0.5, "why": {"fr": "a"}}]})
    with pytest.raises(InvalidInput):
        parse_cues({"nope": []})


def test_corpus_evidence_sets_the_weights_from_the_hand_set_prior():
    from grt.nlp.cues import apply_evidence, learned_weight, parse_cues

    payload = {
        "min_score": 0.5,
        "cues": [
            {"id": "a.good", "code": "prescrit", "kind": "lemma", "lemmas": ["protocole"], "weight": 0.5, "why": {"fr": "x", "en": "x"}},
            {"id": "a.noisy", "code": "relation", "kind": "lemma", "lemmas": ["collègue"], "weight": 0.6, "why": {"fr": "x", "en": "x"}},
            {"id": "a.silent", "code": "temps", "kind": "lemma", "lemmas": ["retard"], "weight": 0.7, "why": {"fr": "x", "en": "x"}},
        ],
    }
    cues = apply_evidence(parse_cues(payload), {"min_score": 0.55, "cues": {"a.good": [19, 20], "a.noisy": [3, 20]}})
    good, noisy, silent = (cues.by_id[i] for i in ("a.good", "a.noisy", "a.silent"))
    assert good.weight == round(learned_weight(0.5, 19, 1), 3) > 0.8
    assert noisy.weight == round(learned_weight(0.6, 3, 17), 3) < 0.3
    assert (good.hand_weight, good.corpus) == (0.5, (19, 20))
    assert (silent.weight, silent.hand_weight, silent.corpus) == (0.7, None, None)
    assert cues.min_score == 0.55


def test_shipped_evidence_names_only_existing_cues():
    # A renamed or removed cue must not leave stale counts behind: rerun benchmarks/calibrate_cues.py --write.
    from importlib import resources

    from grt.nlp.cues import EVIDENCE_FILE, load_cues

    evidence = json.loads(resources.files("grt").joinpath(EVIDENCE_FILE).read_text(encoding="utf-8"))
    shipped = load_cues()
    assert set(evidence["cues"]) <= set(shipped.by_id)
    measured = [c for c in shipped.cues if c.corpus]
    assert len(measured) == len(evidence["cues"])
    assert all(0 <= c.corpus[0] <= c.corpus[1] for c in measured)


def test_learned_weight_moves_with_the_answers():
    base = 0.6
    assert learned_weight(base, 0, 0) == base
    assert learned_weight(base, 0, 1) < base
    assert learned_weight(base, 0, 10) < learned_weight(base, 0, 2) < base
    assert learned_weight(base, 10, 0) > learned_weight(base, 2, 0) > base
    assert learned_weight(base, 5, 5) == pytest.approx((base * 4 + 0.5 * 10) / 14)


# ---------------------------------------------------------------- matcher internals


def _cue_file(tmp_path, cues, features=None):
    path = tmp_path / "cues.json"
    path.write_text(json.dumps({"version": 1, "min_score": 0.5, "features": features or {}, "cues": cues}), encoding="utf-8")
    return str(path)


def test_a_morphology_only_feature_does_not_match_everything_in_surface_mode(tmp_path):
    # "conditional" is MORPH-only plus a word list: without a model, only the word list may count.
    cue = {"id": "t.fix", "code": "reel", "kind": "phrase", "phrases": ["on bricole"], "forbids": ["conditional"], "weight": 0.7, "why": {"fr": "« {match} »"}}
    features = {"conditional": [[{"MORPH": {"IS_SUPERSET": ["Mood=Cnd"]}}], [{"LOWER": "pourrait"}]]}
    engine = SuggestionEngine(nlp=spacy.blank("fr"), cues_path=_cue_file(tmp_path, [cue], features)).load()
    assert codes_of(engine.suggest_text("Quand ça casse, on bricole.")) == {"reel"}
    assert engine.suggest_text("On pourrait, on bricole.") == []


def test_a_cue_with_many_patterns_finds_each_of_them(tmp_path):
    # Each pattern runs only where its words are: all of them must still be found, once each.
    cue = {
        "id": "t.multi",
        "code": "usage_de_soi",
        "kind": "pattern",
        "patterns": [[{"LOWER": "à"}, {"LOWER": "cran"}], [{"LOWER": "marre"}], [{"LOWER": "serre"}, {"LOWER": "les"}, {"LOWER": "dents"}], [{"LOWER": "cran", "IS_SENT_START": True}]],
        "weight": 0.7,
        "why": {"fr": "« {match} »"},
    }
    engine = SuggestionEngine(nlp=spacy.blank("fr"), cues_path=_cue_file(tmp_path, [cue])).load()
    for text in ("Je suis à cran.", "J'en ai marre.", "Je serre les dents."):
        assert codes_of(engine.suggest_text(text)) == {"usage_de_soi"}, text
    assert engine.suggest_text("Je cherche un cran de sûreté.") == []
    doc = engine.nlp("Je suis à cran. J'en ai marre.")
    assert len([m for m in doc._.grt_matches if m[0] == 0]) == 2


def test_bounded_patterns_find_what_a_matcher_over_the_whole_sentence_finds():
    # Bounded patterns run only on windows around their rarest word: the matches must be the same as
    # a plain Matcher's over the whole sentence, at the edges and when the word comes back.
    from spacy.matcher import Matcher

    from spacy.attrs import LEMMA, LOWER

    from grt.nlp.component import _Unit

    nlp = spacy.blank("fr")
    patterns = [
        [{"LOWER": "on"}, {"LOWER": {"IN": ["le", "la"]}, "OP": "?"}, {"LOWER": "fait"}, {"IS_PUNCT": False, "OP": "{0,3}"}, {"LOWER": "quand"}],
        [{"LOWER": "sans"}, {"IS_ALPHA": True, "OP": "{1,2}"}, {"LOWER": "rien"}],
    ]
    # ... and around a rare word whose pattern's other words are too far away (a window skipped).
    text = "On fait quand même, on le fait vite quand il faut, et sans lui dire rien, on la fait quand ; sans eux, on attend, rien ; sans rien"
    doc = nlp(text)
    unit = _Unit(nlp.vocab, "t", patterns)
    arr = doc.to_array([LOWER, LEMMA])
    keys = set(arr.ravel().tolist())
    plain = Matcher(nlp.vocab)
    plain.add("t", patterns)
    expected = sorted({(a, b) for _, a, b in plain(doc)})
    assert len(expected) >= 4
    assert unit.find(doc, 0, len(doc), arr, keys) == expected


def test_a_combiner_decides_the_codes_it_knows_and_explains_in_the_sentence_s_words():
    from grt.nlp.combiner import Combiner

    model = {
        "codes": ["temps", "prescrit"],
        "bias": [-2.0, -2.0],
        "threshold": 0.5,
        "words_threshold": 0.7,
        "weights": {"lem:entasse": {"temps": 3.5}, "bi:ça_se": {"temps": 1.0}, "lem:pas": {"temps": 5.0}, "prior:prescrit": {"prescrit": 4.0}},
    }
    engine = SuggestionEngine(nlp=spacy.blank("fr"), combiner=Combiner(model)).load()
    # No cue of "temps": the words decide, above the higher bar, and the why quotes them as written.
    (item,) = engine.suggest_text("Derrière, ça s'ENTASSE.")
    assert (item["code"], item["cue"], item["score"]) == ("temps", "corpus.temps", 0.92)
    assert "« ENTASSE »" in item["why"] and "ça s'" not in item["why"]  # words like "ça s'" explain nothing
    # A word the model likes but that explains nothing gives no suggestion at all.
    assert engine.suggest_text("Ce n'est pas le cas.") == []
    # Cues still give the span and the why of the codes they mark; the model gives the score.
    (rule,) = [i for i in engine.suggest_text("Il faut être deux pour un transfert.") if i["code"] == "prescrit"]
    assert rule["cue"].startswith("prescrit.") and rule["score"] > 0.7
    # The facilitator's switch and the group's answers act on the corpus pseudo-cue like on any cue.
    assert engine.suggest_text("Derrière, ça s'ENTASSE.", disabled={"corpus.temps"}) == []
    assert engine.suggest_text("Derrière, ça s'ENTASSE.", weights={"corpus.temps": (0, 40)}) == []
    # Codes the model does not know (a facilitator's own) keep the cues' noisy-OR.
    items = engine.suggest_text("On a encore eu la badgeuse en panne.", extra_cues={"materiel": ["badgeuse"]})
    assert {i["code"] for i in items} == {"materiel"}
