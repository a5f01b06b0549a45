"""Cues are data: the shipped cues (grt/data/cues.json) and the facilitator's own cue words.

This module reads and checks the cue file and turns every cue into spaCy ``Matcher`` token patterns.
It imports nothing from spaCy, so the codebook view can list cues without loading a language model.

A cue marks one code. Its ``kind`` says how it is written:

- ``lemma``: a list of lemmas (optionally restricted to some parts of speech);
- ``phrase``: fixed word sequences, compared in lower case;
- ``pattern``: spaCy Matcher token patterns (LEMMA, LOWER, POS, MORPH, DEP, OP…);
- ``after``: a combination, fired when a marker feature follows a match of another code;
- ``user``: a facilitator's own cue word or lemma (from ``codes.cues`` in the database).

Inside ``IN`` / ``NOT_IN`` lists, ``"$NAME"`` refers to a list of the file's ``lexicon``.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..errors import InvalidInput
from ..i18n import tr

KINDS = ("lemma", "phrase", "pattern", "after", "user")
# Token attributes a blank pipeline does not fill: dropped when a pattern is turned into a surface pattern.
MODEL_ATTRS = ("POS", "TAG", "MORPH", "DEP", "ENT_TYPE", "ENT_IOB", "ENT_ID")
USER_WEIGHT = 0.6
USER_PREFIX = "user:"
# How many answers the shipped weight counts for, against a group's own answers or the corpus's.
PRIOR_STRENGTH = 4.0

# Irregular or ambiguous -er words that must not get generated conjugations.
_NO_ER_FORMS = {"aller", "cahier", "métier", "dernier", "premier", "quartier", "papier", "planning", "manager", "burn-out", "soir", "hier", "cher", "fier", "entier", "atelier", "chantier", "foyer", "dossier", "courrier", "calendrier", "danger"}
_ER_ENDINGS = ("e", "es", "ent", "ons", "ez", "ais", "ait", "ions", "iez", "aient", "é", "ée", "és", "ées", "era", "eras", "erons", "erez", "eront", "erais", "erait", "erions", "eraient", "ant")


def learned_weight(base: float, accepted: int, rejected: int, prior_strength: float = PRIOR_STRENGTH) -> float:
    """A cue's weight once it has been answered: by a group in a meeting, or by the annotated corpus.

    The observed precision is Laplace-smoothed, ``(a + 1) / (a + r + 2)``, and mixed with the prior weight
    in proportion to the evidence, ``n / (n + prior_strength)``: one rejection barely moves a cue, a cue
    rejected again and again falls under the threshold, a cue accepted again and again rises.
    """
    accepted, rejected = max(0, int(accepted)), max(0, int(rejected))
    n = accepted + rejected
    if n == 0:
        return base
    precision = (accepted + 1) / (n + 2)
    share = n / (n + prior_strength)
    return (1 - share) * base + share * precision


@dataclass(frozen=True, eq=False)
class Cue:
    """One cue, as read from the file (patterns already expanded from the lexicon)."""

    id: str
    code: str
    kind: str
    weight: float
    why_fr: str
    why_en: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    patterns: tuple = ()  # model patterns (list of token-dict lists)
    surface: tuple | None = None  # explicit patterns for the blank fallback
    unless: tuple = ()
    requires: tuple[str, ...] = ()
    forbids: tuple[str, ...] = ()
    min_count: int = 1
    model_only: bool = False
    marker: str | None = None
    after_code: str | None = None
    phrases: tuple[str, ...] = ()
    builtin: bool = True
    hand_weight: float | None = None  # the file's weight, before the corpus measured the cue
    corpus: tuple[int, int] | None = None  # (right, fired) on the annotated corpus

    def why(self, match: str = "") -> str:
        return tr(self.why_fr, self.why_en, match=match)

    def summary(self) -> dict[str, Any]:
        """What a codebook view shows about a cue."""
        return {
            "cue": self.id,
            "code": self.code,
            "kind": self.kind,
            "weight": self.weight,
            "why": tr(self.why_fr, self.why_en, match="…"),
            "builtin": self.builtin,
        }


@dataclass
class CueSet:
    """All shipped cues, with the lexicon, features and attribute rules of the file."""

    version: int
    min_score: float
    lexicon: dict[str, list[str]]
    forms: dict[str, list[str]]
    features: dict[str, list]
    attribute_rules: dict[str, dict[str, dict]]
    cues: list[Cue]

    def __post_init__(self) -> None:
        self.by_id = {c.id: c for c in self.cues}
        self._form_map: dict[str, str] | None = None

    @property
    def codes(self) -> set[str]:
        return {c.code for c in self.cues}

    def lemmas_used(self) -> set[str]:
        """Every lemma a pattern asks for: the words whose inflected forms the engine must recognise."""
        found: set[str] = set()
        for cue in self.cues:
            for group in (cue.patterns, cue.surface or (), cue.unless):
                for pattern in group:
                    for token in pattern:
                        _collect_lemmas(token.get("LEMMA"), found)
        for patterns in self.features.values():
            for pattern in patterns:
                for token in pattern:
                    _collect_lemmas(token.get("LEMMA"), found)
        return found

    def form_map(self) -> dict[str, str]:
        """Inflected form (lower case) -> lemma, for the lemmas the cues use.

        Explicit verb forms come from the file; regular -er verbs and noun/adjective endings are generated.
        The engine uses it to repair the lemmas the small model gets wrong, and as the lemmatizer of the
        blank fallback.
        """
        if self._form_map is not None:
            return self._form_map
        mapping: dict[str, str] = {}
        lemmas = sorted(self.lemmas_used())
        for lemma, forms in self.forms.items():
            for form in forms:
                mapping.setdefault(form.lower(), lemma)
        generated: dict[str, str] = {}
        for lemma in lemmas:
            low = lemma.lower()
            if low.endswith("er") and low not in _NO_ER_FORMS and len(low) > 3:
                stem = low[:-2]
                for ending in _ER_ENDINGS:
                    generated.setdefault(stem + ending, lemma)
            for suffix in ("s", "x", "e", "es"):
                generated.setdefault(low + suffix, lemma)
            if low.endswith("al"):
                generated.setdefault(low[:-2] + "aux", lemma)
        for form, lemma in generated.items():
            # A generated form never hides a lemma of its own.
            if form not in mapping and form not in lemmas:
                mapping[form] = lemma
        for lemma in lemmas:
            mapping.setdefault(lemma.lower(), lemma)
        self._form_map = mapping
        return mapping


def _collect_lemmas(value: Any, found: set[str]) -> None:
    if isinstance(value, str):
        found.add(value)
    elif isinstance(value, dict):
        for key in ("IN",):
            items = value.get(key)
            if isinstance(items, list):
                found.update(x for x in items if isinstance(x, str))


def _expand(value: Any, lexicon: Mapping[str, list[str]], where: str) -> Any:
    """Replace "$NAME" references by the lexicon's lists, recursively."""
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name not in lexicon:
            raise InvalidInput(tr("Fichier d'indices : liste « {n} » inconnue ({w}).", "Cue file: unknown list '{n}' ({w}).", n=name, w=where))
        return list(lexicon[name])
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            expanded = _expand(item, lexicon, where)
            if isinstance(item, str) and item.startswith("$"):
                out.extend(expanded)
            else:
                out.append(expanded)
        return out
    if isinstance(value, dict):
        return {k: _expand(v, lexicon, where) for k, v in value.items()}
    return value


def _patterns(raw: Any, lexicon: Mapping[str, list[str]], where: str) -> tuple:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in raw):
        raise InvalidInput(tr("Fichier d'indices : motifs invalides pour {w}.", "Cue file: invalid patterns for {w}.", w=where))
    return tuple(_expand(p, lexicon, where) for p in raw)


def _cue_from_entry(entry: Mapping[str, Any], lexicon: Mapping[str, list[str]]) -> Cue:
    try:
        cue_id = str(entry["id"])
        code = str(entry["code"])
        kind = str(entry.get("kind", "pattern"))
        weight = float(entry["weight"])
        why = entry["why"]
        why_fr, why_en = str(why["fr"]), str(why.get("en") or why["fr"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(
            tr("Fichier d'indices : entrée invalide ({e}).", "Cue file: invalid entry ({e}).", e=entry.get("id", "?") if isinstance(entry, Mapping) else entry)
        ) from None
    if kind not in KINDS:
        raise InvalidInput(tr("Fichier d'indices : type « {k} » inconnu ({id}).", "Cue file: unknown kind '{k}' ({id}).", k=kind, id=cue_id))
    if not 0.0 <= weight <= 1.0:
        raise InvalidInput(tr("Fichier d'indices : poids hors de [0, 1] ({id}).", "Cue file: weight outside [0, 1] ({id}).", id=cue_id))
    patterns: tuple = ()
    phrases: tuple[str, ...] = ()
    if kind == "lemma":
        lemmas = _expand(entry.get("lemmas"), lexicon, cue_id)
        if not isinstance(lemmas, list) or not lemmas:
            raise InvalidInput(tr("Fichier d'indices : « lemmas » manquant ({id}).", "Cue file: missing 'lemmas' ({id}).", id=cue_id))
        token: dict[str, Any] = {"LEMMA": {"IN": [str(x) for x in lemmas]}}
        if entry.get("pos"):
            token["POS"] = {"IN": list(entry["pos"])}
        patterns = ([token],)
    elif kind == "phrase":
        phrases = tuple(str(p) for p in _expand(entry.get("phrases") or [], lexicon, cue_id))
        if not phrases:
            raise InvalidInput(tr("Fichier d'indices : « phrases » manquant ({id}).", "Cue file: missing 'phrases' ({id}).", id=cue_id))
    elif kind == "pattern":
        patterns = _patterns(entry.get("patterns"), lexicon, cue_id)
        if not patterns:
            raise InvalidInput(tr("Fichier d'indices : « patterns » manquant ({id}).", "Cue file: missing 'patterns' ({id}).", id=cue_id))
    elif kind == "after":
        if not entry.get("marker") or not entry.get("after_code"):
            raise InvalidInput(tr("Fichier d'indices : « marker » et « after_code » requis ({id}).", "Cue file: 'marker' and 'after_code' required ({id}).", id=cue_id))
    surface = entry.get("surface")
    return Cue(
        id=cue_id,
        code=code,
        kind=kind,
        weight=weight,
        why_fr=why_fr,
        why_en=why_en,
        attributes=dict(entry.get("attributes") or {}),
        patterns=patterns,
        surface=_patterns(surface, lexicon, cue_id) if surface is not None else None,
        unless=_patterns(entry.get("unless"), lexicon, cue_id),
        requires=tuple(entry.get("requires") or ()),
        forbids=tuple(entry.get("forbids") or ()),
        min_count=int(entry.get("min_count", 1)),
        model_only=bool(entry.get("model_only", False)),
        marker=entry.get("marker"),
        after_code=entry.get("after_code"),
        phrases=phrases,
    )


def parse_cues(payload: Mapping[str, Any]) -> CueSet:
    """Check and expand a cue file's content."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("cues"), list):
        raise InvalidInput(tr("Fichier d'indices invalide : une liste « cues » est attendue.", "Invalid cue file: a 'cues' list is expected."))
    lexicon = {str(k): [str(x) for x in v] for k, v in (payload.get("lexicon") or {}).items()}
    cues = [_cue_from_entry(e, lexicon) for e in payload["cues"]]
    seen: set[str] = set()
    for cue in cues:
        if cue.id in seen:
            raise InvalidInput(tr("Fichier d'indices : identifiant en double « {id} ».", "Cue file: duplicate id '{id}'.", id=cue.id))
        seen.add(cue.id)
    features = {str(k): list(_patterns(v, lexicon, f"feature {k}")) for k, v in (payload.get("features") or {}).items()}
    for cue in cues:
        for name in (*cue.requires, *cue.forbids, *( [cue.marker] if cue.marker else [] )):
            if name not in features:
                raise InvalidInput(tr("Fichier d'indices : trait « {n} » inconnu ({id}).", "Cue file: unknown feature '{n}' ({id}).", n=name, id=cue.id))
    return CueSet(
        version=int(payload.get("version", 1)),
        min_score=float(payload.get("min_score", 0.5)),
        lexicon=lexicon,
        forms={str(k): [str(x) for x in v] for k, v in (payload.get("forms") or {}).items()},
        features=features,
        attribute_rules=copy.deepcopy(dict(payload.get("attribute_rules") or {})),
        cues=cues,
    )


_default: CueSet | None = None
_default_lock = threading.Lock()
EVIDENCE_FILE = "data/cue_evidence.json"


def apply_evidence(cueset: CueSet, evidence: Mapping[str, Any]) -> CueSet:
    """The cue set with each cue's weight learnt from the annotated corpus (see benchmarks/calibrate_cues.py).

    ``evidence["cues"]`` maps a cue id to ``[right, fired]``: how often the cue fired on a sentence of the
    corpus, and how often the code was right there. The hand-set weight is the prior, as for a group's answers.
    """
    counts = evidence.get("cues") or {}
    prior = float(evidence.get("prior_strength", PRIOR_STRENGTH))
    cues = []
    for cue in cueset.cues:
        right_fired = counts.get(cue.id)
        if right_fired:
            right, fired = int(right_fired[0]), int(right_fired[1])
            cue = replace(cue, weight=round(learned_weight(cue.weight, right, fired - right, prior), 3), hand_weight=cue.weight, corpus=(right, fired))
        cues.append(cue)
    min_score = float(evidence.get("min_score", cueset.min_score))
    return replace(cueset, cues=cues, min_score=min_score)


def load_cues(path: str | Path | None = None) -> CueSet:
    """The shipped cues (cached, with their weights measured on the corpus), or those of another file (as written)."""
    global _default
    if path is None:
        with _default_lock:
            if _default is None:
                data = resources.files("grt")
                cueset = parse_cues(json.loads(data.joinpath("data/cues.json").read_text(encoding="utf-8")))
                evidence = data.joinpath(EVIDENCE_FILE)
                if evidence.is_file():
                    cueset = apply_evidence(cueset, json.loads(evidence.read_text(encoding="utf-8")))
                _default = cueset
            return _default
    p = Path(path)
    try:
        return parse_cues(json.loads(p.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InvalidInput(tr("Fichier introuvable : {path}.", "File not found: {path}.", path=p)) from None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput(tr("{path} n'est pas un fichier d'indices lisible (JSON attendu).", "{path} is not a readable cue file (JSON expected).", path=p)) from None


# ---------------------------------------------------------------- user cues


def user_cue_id(code: str, word: str) -> str:
    return f"{USER_PREFIX}{code}:{' '.join(word.lower().split())}"


def normalise_extra_cues(extra: Mapping[str, Iterable[str]] | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hashable, cleaned form of {code: [words]}: lower case, single spaces, no empties, sorted."""
    if not extra:
        return ()
    out = []
    for code, words in extra.items():
        if isinstance(words, str):
            words = [words]
        clean = sorted({" ".join(str(w).replace("’", "'").lower().split()) for w in (words or ()) if str(w).strip()})
        if clean:
            out.append((str(code), tuple(clean)))
    return tuple(sorted(out))


def user_cues(extra: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Cue]:
    """Cues for a facilitator's own words: one cue per word (lemma or phrase), weight USER_WEIGHT."""
    cues = []
    for code, words in extra:
        for word in words:
            cues.append(
                Cue(
                    id=user_cue_id(code, word),
                    code=code,
                    kind="user",
                    weight=USER_WEIGHT,
                    why_fr="« {match} » : mot-indice choisi pour ce code",
                    why_en="'{match}': cue word chosen for this code",
                    phrases=(word,),
                    builtin=False,
                )
            )
    return cues


# ---------------------------------------------------------------- pattern helpers (used by the component)


def surface_pattern(pattern: list[dict]) -> list[dict]:
    """The same pattern without the attributes a blank pipeline cannot fill (POS, MORPH, DEP…)."""
    out = []
    for token in pattern:
        t = {k: v for k, v in token.items() if k not in MODEL_ATTRS}
        out.append(t)
    return out


def patterns_for(cue: Cue, *, surface: bool, tokenize) -> list[list[dict]]:
    """The Matcher patterns of a cue in the given mode; ``tokenize(text) -> list[str]`` splits phrases."""
    if cue.kind in ("phrase", "user"):
        pats = []
        for phrase in cue.phrases:
            words = [w.lower() for w in tokenize(phrase) if w.strip()]
            if not words:
                continue
            if cue.kind == "user" and len(words) == 1:
                # A single word is taken as a lemma as well as a written form.
                pats.append([{"LEMMA": words[0]}])
                pats.append([{"LOWER": words[0]}])
            else:
                pats.append([{"LOWER": w} for w in words])
        return pats
    if cue.kind == "after":
        return []
    if surface:
        if cue.model_only:
            return []
        if cue.surface is not None:
            return [list(p) for p in cue.surface]
        return [surface_pattern(p) for p in cue.patterns]
    return [list(p) for p in cue.patterns]
