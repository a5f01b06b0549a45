"""The spaCy pipeline components: a sentence cutter, and the cues compiled into Matchers, run in ``nlp.pipe``.

``grt_suggester`` does the matching (cheap, in the pipeline); turning matches into scored suggestions is
done by :mod:`grt.nlp.scoring`, because the options (codes, weights learnt by a group, switched-off cues,
the facilitator's own cue words) change from one call to the next while the matches do not.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy
from spacy.attrs import LEMMA, LOWER, ORTH, IS_SPACE, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from .cues import Cue, CueSet, load_cues, patterns_for, surface_pattern

COMPONENT = "grt_suggester"
SENTENCES = "grt_sentences"
_SENT_END = {".", "!", "?", "…", "...", "?!", "!?", "!!", "??"}
_CLOSERS = {"»", '"', "”", "’", "'", ")", "]"}

# Kinds of matcher keys.
CUE, UNLESS, FEATURE = 0, 1, 2

if not Doc.has_extension("grt_matches"):
    Doc.set_extension("grt_matches", default=None)


def needs_surface_rules(nlp: Language) -> bool:
    """True when the pipeline cannot give lemmas and parts of speech (spacy.blank): surface rules then."""
    names = set(nlp.pipe_names)
    return not ({"lemmatizer", "trainable_lemmatizer"} & names and ({"morphologizer", "tagger"} & names))


def _is_optional(op: Any) -> bool:
    if op in ("?", "*", "!"):
        return True
    if isinstance(op, str) and op.startswith("{"):
        low = op.strip("{}").split(",")[0].strip()
        return low in ("", "0")
    return False


def pattern_requirements(pattern: list[dict]) -> list[set[str]]:
    """For each mandatory token pinned to words (LOWER or LEMMA values), the set of those words.

    A pattern can only match in a sentence that holds, for each of these sets, one of its words.
    """
    found: list[set[str]] = []
    for token in pattern:
        if _is_optional(token.get("OP")):
            continue
        for attr in ("LOWER", "LEMMA", "ORTH", "TEXT", "NORM"):
            value = token.get(attr)
            values: set[str] | None = None
            if isinstance(value, str):
                values = {value}
            elif isinstance(value, dict) and isinstance(value.get("IN"), list):
                values = {str(v) for v in value["IN"]}
            if values:
                # A sentence's keys are its lower-case forms and lemmas: compare in lower case
                # (for ORTH/TEXT this makes the check a superset, which is all a prefilter needs).
                found.append(values if attr == "LEMMA" else {v.lower() for v in values})
                break
    return found


def _max_length(pattern: list[dict]) -> int | None:
    """The most tokens a pattern can span, or None when an operator lets it grow without bound."""
    total = 0
    for token in pattern:
        op = token.get("OP")
        if op in ("*", "+"):
            return None
        if isinstance(op, str) and op.startswith("{"):
            high = op.strip("{}").split(",")[-1].strip()
            if not high.isdigit():
                return None
            total += int(high)
        else:
            total += 1
    return total


def _windows(rows: list[list[int]], start: int, words: frozenset[int], length: int) -> list[tuple[int, int]]:
    """Token ranges around each token holding one of ``words``, wide enough for a match of ``length`` tokens.

    ``rows`` are the sentence's (LOWER, LEMMA) pairs from token ``start``; overlapping ranges are merged.
    """
    end = start + len(rows)
    out: list[tuple[int, int]] = []
    for j, (lo, le) in enumerate(rows, start):
        if lo in words or le in words:
            a, b = max(start, j - length + 1), min(end, j + length)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], b)
            else:
                out.append((a, b))
    return out


def _holds_all(rows: list[list[int]], requirements: Iterable[frozenset[int]]) -> bool:
    """Whether, for each word set, one of the (LOWER, LEMMA) ``rows`` holds one of its words."""
    return all(any(lo in words or le in words for lo, le in rows) for words in requirements)


def _commonness(values: Iterable[str]) -> int:
    from spacy.lang.fr.stop_words import STOP_WORDS

    return sum(100 if v.lower() in STOP_WORDS or len(v) <= 2 else 1 for v in values)


def _simple_values(pattern: list[dict]) -> set[str] | None:
    """The words of a one-token pattern constrained only by LOWER and/or LEMMA values; else None."""
    if len(pattern) != 1:
        return None
    token = pattern[0]
    if token.get("OP") or not token or set(token) - {"LOWER", "LEMMA"}:
        return None
    values: set[str] = set()
    for attr, value in token.items():
        if len(token) > 1:
            return None  # both attributes at once: an AND, leave it to the Matcher
        if isinstance(value, str):
            values.add(value if attr == "LEMMA" else value.lower())
        elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
            values.update(str(v) if attr == "LEMMA" else str(v).lower() for v in value["IN"])
        else:
            return None
    return values


class _Unit:
    """A small Matcher, and what a sentence must hold for it to be worth running there.

    Units whose patterns are all single words (LOWER or LEMMA in a list) skip the Matcher: a hash lookup
    on the sentence's arrays finds them. Other units hold one Matcher per pattern, and run only the
    patterns whose words the sentence holds (a Matcher's cost grows with its number of patterns).
    """

    __slots__ = ("matchers", "requirements", "keys", "simple_lower", "simple_lemma", "single", "anchored", "lengths")

    def __init__(self, vocab: Any, key: str, patterns: list[list[dict]]) -> None:
        strings = vocab.strings
        lower: set[int] = set()
        lemma: set[int] = set()
        simple = True
        for pattern in patterns:
            values = _simple_values(pattern)
            if values is None:
                simple = False
                break
            target = lemma if "LEMMA" in pattern[0] else lower
            target.update(strings.add(v) for v in values)
        self.simple_lower: frozenset[int] | None = frozenset(lower) if simple else None
        self.simple_lemma: frozenset[int] | None = frozenset(lemma) if simple else None
        self.matchers: list[Matcher] | None = None
        if not simple:
            self.matchers = []
            for pattern in patterns:
                matcher = Matcher(vocab, validate=True)
                matcher.add(key, [pattern])
                self.matchers.append(matcher)
        # Per pattern: the required word sets (as hashes), the least common first.
        self.requirements: list[tuple[frozenset[int], ...]] = []
        for pattern in patterns:
            reqs = sorted(pattern_requirements(pattern), key=_commonness)
            self.requirements.append(tuple(frozenset(strings.add(v) for v in r) for r in reqs))
        # A match holds a token with one of its pattern's first required words: when the pattern's length is
        # bounded, the Matcher only needs to look at the tokens around those (a Matcher's cost grows with
        # the length of the text it reads, token by token).
        self.lengths: list[int | None] = [_max_length(p) if reqs else None for p, reqs in zip(patterns, self.requirements)]
        # One-token patterns pinned to words: the Matcher only needs to look at the tokens holding them.
        self.single: list[frozenset[int] | None] = [
            reqs[0] if len(p) == 1 and not p[0].get("OP") and reqs else None for p, reqs in zip(patterns, self.requirements)
        ]
        # Patterns anchored at the sentence start on given words: skipped unless the sentence starts so.
        self.anchored: list[frozenset[int] | None] = []
        for p in patterns:
            first = _simple_values([{k: v for k, v in p[0].items() if k != "IS_SENT_START"}])
            anchored = p[0].get("IS_SENT_START") is True and not p[0].get("OP") and first
            self.anchored.append(frozenset(strings.add(v) for v in first) if anchored else None)
        # Index keys: the least common requirement of each pattern (None when a pattern is unpinned).
        self.keys: set[int] | None = set()
        for reqs in self.requirements:
            if not reqs:
                self.keys = None
                break
            self.keys.update(reqs[0])

    def possible(self, keys: set[int]) -> bool:
        return bool(self._possible(keys, first=True))

    def _possible(self, keys: set[int], first: bool = False) -> list[int]:
        """Indexes of the patterns whose required words are all in ``keys`` (only the first if ``first``)."""
        found = []
        for i, reqs in enumerate(self.requirements):
            for req in reqs:
                if req.isdisjoint(keys):
                    break
            else:
                found.append(i)
                if first:
                    break
        return found

    def find(self, doc: Doc, start: int, end: int, arr: Any, keys: set[int]) -> list[tuple[int, int]]:
        """Matches (token offsets in the Doc) within the sentence [start, end)."""
        todo = self._possible(keys, first=self.matchers is None)
        if not todo:
            return []
        if self.matchers is None:
            lower, lemma = self.simple_lower, self.simple_lemma
            return [
                (i, i + 1)
                for i, (lo, le) in enumerate(arr[start:end].tolist(), start)
                if lo in lower or le in lemma
            ]
        found: set[tuple[int, int]] = set()
        rows = arr[start:end].tolist()
        head = rows[0]
        for i in todo:
            anchor = self.anchored[i]
            if anchor is not None and head[0] not in anchor and head[1] not in anchor:
                continue
            words = self.single[i]
            if words is not None:
                for j, (lo, le) in enumerate(rows, start):
                    if (lo in words or le in words) and self.matchers[i](doc[j : j + 1]):
                        found.add((j, j + 1))
                continue
            length = self.lengths[i]
            windows = [(start, end)]
            if length:
                # Every required word of the pattern is inside any match, so inside its window.
                reqs = self.requirements[i]
                windows = [w for w in _windows(rows, start, reqs[0], length) if _holds_all(rows[w[0] - start : w[1] - start], reqs[1:])]
            for a, b in windows:
                found.update((a + x, a + y) for _, x, y in self.matchers[i](doc[a:b]))
        return sorted(found)


class CueMatcher:
    """Cue patterns, one small Matcher per cue, run only on the sentences that hold the words it needs.

    spaCy's Matcher starts a state for every pattern at every token and evaluates the patterns' Python
    predicates (IN, NOT_IN…) there: with a few hundred patterns it would cost more than the parser.
    Checking first, with set operations, that a sentence holds the words a cue's patterns require keeps
    matching to a small fraction of spaCy's own work.
    """

    def __init__(
        self,
        nlp: Language,
        cues: Iterable[Cue],
        *,
        surface: bool,
        features: dict[str, list] | None = None,
        attribute_rules: dict[str, dict] | None = None,
    ) -> None:
        self.vocab = nlp.vocab
        self.surface = surface
        self.cues: list[Cue] = []
        self.units: list[_Unit | None] = []
        self.unless: list[_Unit | None] = []
        self.feature_names: list[str] = []
        self.feature_units: list[_Unit] = []
        self.index: dict[int, list[int]] = {}
        self.always: list[int] = []
        tokenizer = nlp.tokenizer

        def tokenize(text: str) -> list[str]:
            return [t.text for t in tokenizer(text.replace("’", "'"))]

        for cue in cues:
            pats = patterns_for(cue, surface=surface, tokenize=tokenize)
            if not pats and cue.kind != "after":
                continue
            index = len(self.cues)
            self.cues.append(cue)
            unit = _Unit(self.vocab, f"grt:cue:{cue.id}", pats) if pats else None
            self.units.append(unit)
            unless = [surface_pattern(p) if surface else list(p) for p in cue.unless]
            self.unless.append(_Unit(self.vocab, f"grt:unless:{cue.id}", unless) if unless else None)
            if unit is not None:
                if unit.keys is None:
                    self.always.append(index)
                else:
                    for key in unit.keys:
                        self.index.setdefault(key, []).append(index)
        names = list((features or {}).keys())
        for name in names:
            self.feature_names.append(name)
            pats = [surface_pattern(p) if surface else list(p) for p in features[name]]
            # A pattern left with no constraint at all (MORPH only, in surface mode) would match every token.
            pats = [p for p in pats if any(set(t) - {"OP"} for t in p)]
            self.feature_units.append(_Unit(self.vocab, f"grt:feat:{name}", pats))
        # Which features a sentence needs, given the cues that fired in it (and in the one before).
        position = {name: i for i, name in enumerate(names)}
        rule_features: dict[str, set[int]] = {}
        for code, attrs in (attribute_rules or {}).items():
            for spec in attrs.values():
                for rule in spec.get("rules", []):
                    if rule.get("if") in position:
                        rule_features.setdefault(code, set()).add(position[rule["if"]])
        self.needs: list[frozenset[int]] = []
        for cue in self.cues:
            wanted = {position[n] for n in (*cue.requires, *cue.forbids) if n in position}
            wanted |= rule_features.get(cue.code, set())
            self.needs.append(frozenset(wanted))
        # "after" cues: their marker is needed where a cue of after_code fired, here or just before.
        self.after_markers: dict[str, set[int]] = {}
        for cue in self.cues:
            if cue.kind == "after" and cue.marker in position and cue.after_code:
                self.after_markers.setdefault(cue.after_code, set()).add(position[cue.marker])

    def __call__(self, doc: Doc, sentences: list[tuple[int, int]] | None = None) -> list[tuple[int, int, int, int]]:
        """Matches as (kind, index, start token, end token); features only where a fired cue needs them."""
        if not len(doc):
            return []
        if sentences is None:
            sentences = sentence_bounds(doc)
        arr = doc.to_array([LOWER, LEMMA])
        out: list[tuple[int, int, int, int]] = []
        index, always = self.index, self.always
        previous_codes: set[str] = set()
        for start, end in sentences:
            keys = set(arr[start:end].ravel().tolist())
            candidates = set(always)
            for key in keys:
                found = index.get(key)
                if found:
                    candidates.update(found)
            needed: set[int] = set()
            codes: set[str] = set()
            for ci in sorted(candidates):
                unit = self.units[ci]
                if unit is None:
                    continue
                spans = unit.find(doc, start, end, arr, keys)
                if not spans:
                    continue
                out.extend((CUE, ci, a, b) for a, b in spans)
                veto = self.unless[ci]
                if veto is not None:
                    out.extend((UNLESS, ci, a, b) for a, b in veto.find(doc, start, end, arr, keys))
                needed |= self.needs[ci]
                codes.add(self.cues[ci].code)
            for code in codes | previous_codes:
                needed |= self.after_markers.get(code, set())
            for fi in sorted(needed):
                out.extend((FEATURE, fi, a, b) for a, b in self.feature_units[fi].find(doc, start, end, arr, keys))
            previous_codes = codes
        return out


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """Token bounds of the Doc's sentences (the whole Doc when nothing cut it), like ``doc.sents`` but
    read from one array instead of building a Span per sentence."""
    starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() if len(doc) else []
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return list(zip(starts, starts[1:] + [len(doc)]))


def _member(values: Any, table: Any) -> Any:
    """Boolean mask: which of ``values`` are in the sorted array ``table``."""
    if not len(table):
        return numpy.zeros(len(values), dtype=bool)
    idx = numpy.searchsorted(table, values)
    idx[idx == len(table)] = 0
    return table[idx] == values


class GrtSuggester:
    """Pipeline component: repairs the lemmas our cues rely on, then stores the raw cue matches on the Doc."""

    def __init__(self, nlp: Language, name: str = COMPONENT, *, surface: bool | None = None, cues_path: str | None = None) -> None:
        self.name = name
        self.cueset: CueSet = load_cues(cues_path)
        self.surface = needs_surface_rules(nlp) if surface is None else surface
        self.matcher = CueMatcher(
            nlp, self.cueset.cues, surface=self.surface, features=self.cueset.features, attribute_rules=self.cueset.attribute_rules
        )
        self.form_map = self.cueset.form_map()
        strings = nlp.vocab.strings
        # Hash -> hash, so that the repair works on arrays (and the strings stay in the permanent store,
        # which keeps them valid inside memory zones).
        self._form_hashes = {strings.add(form): strings.add(lemma) for form, lemma in self.form_map.items()}
        # Sorted once: membership by binary search (numpy.isin would re-hash the whole table on every Doc).
        self._form_keys = numpy.sort(numpy.fromiter(self._form_hashes.keys(), dtype="uint64"))
        self._known = numpy.sort(numpy.fromiter((strings.add(x) for x in self.cueset.lemmas_used()), dtype="uint64"))

    def repair_lemmas(self, doc: Doc) -> None:
        """Give our lexicon's lemma to forms the model missed; in surface mode, this is the lemmatizer."""
        if not len(doc):
            return
        arr = doc.to_array([LOWER, LEMMA])
        lower, lemma = arr[:, 0], arr[:, 1]
        in_map = _member(lower, self._form_keys)
        forms = self._form_hashes
        if self.surface:
            new = lower.copy()
            for i in numpy.nonzero(in_map)[0].tolist():
                new[i] = forms[int(lower[i])]
            doc.from_array([LEMMA], new.reshape(-1, 1))
            return
        todo = numpy.nonzero(in_map & ~_member(lemma, self._known))[0].tolist()
        for i in todo:
            doc[i].lemma = forms[int(lower[i])]

    def __call__(self, doc: Doc) -> Doc:
        self.repair_lemmas(doc)
        doc._.grt_matches = self.matcher(doc)
        return doc


@Language.component(SENTENCES, assigns=["token.is_sent_start"])
def grt_sentences(doc: Doc) -> Doc:
    """Sentence starts from punctuation and line ends, set before the parser (which respects them).

    The small French parser cuts spoken sentences in odd places ("Pour moi | ce qui compte | , c'est…");
    narratives typed live are better cut at . ! ? … and at line ends.
    """
    n = len(doc)
    if n == 0:
        return doc
    arr = doc.to_array([ORTH, IS_SPACE])
    orth = arr[:, 0].tolist()
    space = arr[:, 1].tolist()
    strings = doc.vocab.strings
    ends = _hashes(strings, _SENT_END)
    closers = _hashes(strings, _CLOSERS)
    starts = numpy.full((n, 1), 2**64 - 1, dtype="uint64")  # -1: not a sentence start
    starts[0, 0] = 1
    pending = True
    for i in range(n):
        if space[i]:
            if "\n" in doc[i].text:
                pending = True
            continue
        o = orth[i]
        if pending and i > 0 and o in closers:
            continue
        if pending:
            starts[i, 0] = 1
        pending = o in ends
    # One array write: setting token.is_sent_start one by one rescans the Doc each time.
    doc.from_array([SENT_START], starts)
    return doc


_HASHES: dict[tuple[int, frozenset], frozenset] = {}


def _hashes(strings: Any, words: set[str]) -> frozenset:
    key = (id(strings), frozenset(words))
    found = _HASHES.get(key)
    if found is None:
        found = _HASHES[key] = frozenset(strings.add(w) for w in words)
    return found


@Language.factory(
    COMPONENT,
    default_config={"surface": None, "cues_path": None},
    assigns=["doc._.grt_matches", "token.lemma"],
)
def make_grt_suggester(nlp: Language, name: str, surface: Any, cues_path: Any) -> GrtSuggester:
    """The grt suggestion matcher, built from grt/data/cues.json (or another cue file)."""
    return GrtSuggester(nlp, name, surface=surface, cues_path=cues_path)
