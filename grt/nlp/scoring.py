"""From cue matches to suggestions: one per sentence (or clause) and code, scored, explained.

Scoring, per sentence and code: each distinct cue that fired brings its weight ``w`` (the cue's weight as
measured on the project's annotated corpus, then adjusted by what the group taught, see
:func:`learned_weight`); several cues combine as a noisy-OR, ``1 - prod(1 - w)``, so that two weak signs
together can pass the threshold while one alone cannot.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Mapping

from spacy.tokens import Doc

from ..i18n import tr
from .component import CUE, FEATURE, UNLESS, CueMatcher
from .cues import Cue, CueSet, learned_weight

# Sentences longer than this (in tokens) are narrowed to the clauses that hold the cues.
LONG_SENTENCE = 30
MAX_SCORE = 0.99
_CLAUSE_PUNCT = {";", ":", "—", "–", "…", "(", ")"}
_CLAUSE_OPENERS = {"mais", "et", "donc", "alors", "sinon", "parce", "car", "puis", "pourtant", "sauf", "quand", "si", "comme", "du", "bref", "enfin", "or", "ou"}
_TRIM = {",", ";", ":", "—", "–", "-", "(", ")"}


# ---------------------------------------------------------------- learning


def effective_weight(cue: Cue, weights: Mapping[str, Any] | None) -> float:
    """The weight used for a cue: ``weights[cue]`` is a multiplier (float) or the group's answers
    (``(accepted, rejected)`` or ``{"accepted": a, "rejected": r}``)."""
    value = weights.get(cue.id) if weights else None
    if value is None:
        w = cue.weight
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        w = cue.weight * float(value)
    elif isinstance(value, Mapping):
        w = learned_weight(cue.weight, value.get("accepted", 0), value.get("rejected", 0))
    else:
        accepted, rejected = value
        w = learned_weight(cue.weight, accepted, rejected)
    return min(MAX_SCORE, max(0.0, w))


def noisy_or(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return min(MAX_SCORE, 1.0 - p)


# ---------------------------------------------------------------- spans


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    try:
        sents = [(s.start, s.end) for s in doc.sents]
    except ValueError:
        sents = []
    return sents or [(0, len(doc))]


def _clauses(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start]
    for i in range(start + 1, end):
        tok = doc[i]
        prev = doc[i - 1]
        if prev.text in _CLAUSE_PUNCT:
            cuts.append(i)
        elif prev.text == "," and tok.lower_ in _CLAUSE_OPENERS:
            cuts.append(i)
        elif tok.lower_ == "mais" and prev.text != ",":
            cuts.append(i)
    cuts.append(end)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _char_span(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Character offsets of tokens [start, end), without surrounding spaces or dangling separators."""
    toks = [t for t in doc[start:end] if not t.is_space]
    while toks and toks[0].text in _TRIM:
        toks.pop(0)
    while toks and toks[-1].text in _TRIM:
        toks.pop()
    if not toks:
        return None
    first, last = toks[0], toks[-1]
    return first.idx, last.idx + len(last.text)


def span_for(doc: Doc, sent: tuple[int, int], hits: list[tuple[int, int]]) -> tuple[int, int] | None:
    s_start, s_end = sent
    if s_end - s_start <= LONG_SENTENCE or not hits:
        return _char_span(doc, s_start, s_end)
    chosen = [c for c in _clauses(doc, s_start, s_end) if any(h_s < c[1] and c[0] < h_e for h_s, h_e in hits)]
    if not chosen:
        return _char_span(doc, s_start, s_end)
    span = _char_span(doc, chosen[0][0], chosen[-1][1])
    # A clause of one or two words says nothing: take the sentence then.
    if span is None or chosen[-1][1] - chosen[0][0] < 4:
        return _char_span(doc, s_start, s_end)
    return span


# ---------------------------------------------------------------- scoring


class _Hit:
    __slots__ = ("cue", "weight", "spans")

    def __init__(self, cue: Cue, weight: float, spans: list[tuple[int, int]]) -> None:
        self.cue, self.weight, self.spans = cue, weight, spans


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    s, e = span
    return any(os < e and s < oe for os, oe in others)


def _attributes(cueset: CueSet, code: str, hits: list[_Hit], feats: Mapping[str, list]) -> dict[str, str]:
    attrs: dict[str, str] = {}
    rules = cueset.attribute_rules.get(code, {})
    for hit in hits:
        for key, value in hit.cue.attributes.items():
            if key not in rules:
                attrs.setdefault(key, value)
    for attr, spec in rules.items():
        cue_value = next((h.cue.attributes[attr] for h in hits if attr in h.cue.attributes), None)
        rule_value = next((r["value"] for r in spec.get("rules", []) if r.get("if") in feats), None)
        if spec.get("order") == "rules_first":
            value = rule_value or cue_value or spec.get("default")
        else:
            value = cue_value or rule_value or spec.get("default")
        if value:
            attrs[attr] = value
    return attrs


def suggestions_for_doc(
    doc: Doc,
    text: str,
    *,
    cueset: CueSet,
    shipped: CueMatcher,
    matches: list[tuple[int, int, int, int]],
    user: CueMatcher | None = None,
    user_matches: list[tuple[int, int, int, int]] | None = None,
    codes: frozenset[str] | None = None,
    disabled: frozenset[str] = frozenset(),
    weights: Mapping[str, Any] | None = None,
    min_score: float | None = None,
    offset: int = 0,
    keep_weak: bool = False,
) -> list[dict[str, Any]]:
    """Scored suggestions for one Doc; offsets are shifted by ``offset`` and ``text`` is the Doc's source.

    ``keep_weak`` keeps the suggestions under the threshold too (to measure cues, see
    benchmarks/calibrate_cues.py)."""
    threshold = cueset.min_score if min_score is None else min_score
    sents = _sentences(doc)
    starts = [s for s, _ in sents]

    def sent_of(i: int) -> int:
        return bisect_right(starts, i) - 1

    cue_spans: dict[int, dict[Cue, list[tuple[int, int]]]] = {}
    unless: dict[Cue, list[tuple[int, int]]] = {}
    feats: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for kind, index, start, end in matches:
        if kind == CUE:
            cue_spans.setdefault(sent_of(start), {}).setdefault(shipped.cues[index], []).append((start, end))
        elif kind == UNLESS:
            unless.setdefault(shipped.cues[index], []).append((start, end))
        elif kind == FEATURE:
            feats.setdefault(sent_of(start), {}).setdefault(shipped.feature_names[index], []).append((start, end))
    if user is not None and user_matches:
        for kind, index, start, end in user_matches:
            if kind == CUE:
                cue_spans.setdefault(sent_of(start), {}).setdefault(user.cues[index], []).append((start, end))
    after_cues = [c for c in shipped.cues if c.kind == "after" and c.id not in disabled and (codes is None or c.code in codes)]

    items: list[dict[str, Any]] = []
    previous_scores: dict[str, float] = {}
    for si, sent in enumerate(sents):
        found = cue_spans.get(si)
        sent_feats = feats.get(si, {})
        if not found and not after_cues:
            previous_scores = {}
            continue
        by_code: dict[str, list[_Hit]] = {}
        for cue, spans in (found or {}).items():
            if cue.id in disabled or (codes is not None and cue.code not in codes):
                continue
            vetoes = unless.get(cue)
            if vetoes:
                spans = [sp for sp in spans if not _overlaps(sp, vetoes)]
            if not spans:
                continue
            if cue.min_count > 1 and len({s for s, _ in spans}) < cue.min_count:
                continue
            if any(f not in sent_feats for f in cue.requires) or any(f in sent_feats for f in cue.forbids):
                continue
            w = effective_weight(cue, weights)
            if w <= 0:
                continue
            by_code.setdefault(cue.code, []).append(_Hit(cue, w, sorted(spans)))
        scores = {code: noisy_or([h.weight for h in hits]) for code, hits in by_code.items()}
        for cue in after_cues:
            markers = sent_feats.get(cue.marker or "")
            if not markers:
                continue
            fired: list[tuple[int, int]] = []
            base = by_code.get(cue.after_code or "")
            if base and scores.get(cue.after_code, 0) >= threshold:
                norm_end = min(e for h in base for _, e in h.spans)
                fired = [m for m in markers if m[0] >= norm_end]
            if not fired and previous_scores.get(cue.after_code or "", 0) >= threshold:
                fired = [m for m in markers if m[0] - sent[0] <= 1]
            if fired:
                w = effective_weight(cue, weights)
                if w > 0:
                    by_code.setdefault(cue.code, []).append(_Hit(cue, w, sorted(fired)))
                    scores[cue.code] = noisy_or([h.weight for h in by_code[cue.code]])
        previous_scores = scores
        for code, hits in by_code.items():
            score = scores[code]
            if score < threshold and not keep_weak:
                continue
            hits.sort(key=lambda h: (-h.weight, h.cue.id))
            all_spans = [sp for h in hits for sp in h.spans]
            span = span_for(doc, sent, all_spans)
            if span is None:
                continue
            start, end = span
            whys = []
            for hit in hits[:2]:
                s, e = hit.spans[0]
                words = doc[s:e]
                match = text[words.start_char : words.end_char] if len(words) else ""
                whys.append(hit.cue.why(" ".join(match.split())))
            why = whys[0] if len(whys) == 1 else tr("{a} ; et aussi {b}", "{a}; and also {b}", a=whys[0], b=whys[1])
            items.append(
                {
                    "code": code,
                    "start": start + offset,
                    "end": end + offset,
                    "text": text[start:end],
                    "score": round(score, 2),
                    "why": why,
                    "cue": hits[0].cue.id,
                    "cues": [h.cue.id for h in hits],
                    "attributes": _attributes(cueset, code, hits, sent_feats),
                }
            )
    items.sort(key=lambda it: (it["start"], it["end"], it["code"]))
    return items
