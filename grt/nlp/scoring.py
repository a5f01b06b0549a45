"""From cue matches to suggestions: one per sentence (or clause) and code, scored, explained.

Scoring, per sentence and code: each distinct cue that fired brings its weight ``w`` (the cue's weight as
measured on the project's annotated corpus, then adjusted by what the group taught, see
:func:`learned_weight`); several cues combine as a noisy-OR, ``1 - prod(1 - w)``, so that two weak signs
together can pass the threshold while one alone cannot.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any, Iterator, Mapping

from spacy.tokens import Doc

from ..i18n import tr
from .component import CUE, FEATURE, UNLESS, CueMatcher, sentence_bounds
from .combiner import CORPUS_PRIOR, Combiner, corpus_cue_id, doc_lemmas, logit, sentence_features, sentence_lemmas, sigmoid, surface_words, words_why
from .cues import USER_PREFIX, Cue, CueSet, learned_weight

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
    return weight_for(cue.id, cue.weight, weights)


def weight_for(cue_id: str, base: float, weights: Mapping[str, Any] | None) -> float:
    value = weights.get(cue_id) if weights else None
    if value is None:
        w = base
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        w = base * float(value)
    elif isinstance(value, Mapping):
        w = learned_weight(base, value.get("accepted", 0), value.get("rejected", 0))
    else:
        accepted, rejected = value
        w = learned_weight(base, accepted, rejected)
    return min(MAX_SCORE, max(0.0, w))


def noisy_or(weights: list[float]) -> float:
    p = 1.0
    for w in weights:
        p *= 1.0 - w
    return min(MAX_SCORE, 1.0 - p)


# ---------------------------------------------------------------- spans


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


def _sentence_hits(
    doc: Doc,
    *,
    cueset: CueSet,
    shipped: CueMatcher,
    matches: list[tuple[int, int, int, int]],
    user: CueMatcher | None,
    user_matches: list[tuple[int, int, int, int]] | None,
    codes: frozenset[str] | None,
    disabled: frozenset[str],
    weights: Mapping[str, Any] | None,
    threshold: float,
    every_sentence: bool,
) -> Iterator[tuple[tuple[int, int], dict[str, list[_Hit]], dict[str, float], dict[str, list[tuple[int, int]]]]]:
    """Per sentence: (token bounds, the cues that fired by code, their noisy-OR scores, features found).

    Sentences where no cue fired are skipped unless ``every_sentence``."""
    sents = sentence_bounds(doc)
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

    previous_scores: dict[str, float] = {}
    for si, sent in enumerate(sents):
        found = cue_spans.get(si)
        sent_feats = feats.get(si, {})
        if not found and not after_cues and not every_sentence:
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
        yield sent, by_code, scores, sent_feats


def features_for_doc(doc: Doc, *, cueset: CueSet, shipped: CueMatcher, matches: list[tuple[int, int, int, int]]) -> list[dict[str, float]]:
    """What the combiner reads in each sentence of the Doc (to train it: benchmarks/train_combiner.py)."""
    lemmas = doc_lemmas(doc)
    return [
        _model_features(lemmas, sent, by_code)
        for sent, by_code, _, _ in _sentence_hits(
            doc, cueset=cueset, shipped=shipped, matches=matches, user=None, user_matches=None, codes=None,
            disabled=frozenset(), weights=None, threshold=cueset.min_score, every_sentence=True,
        )
    ]


def _model_features(lemmas: list[str | None], sent: tuple[int, int], by_code: dict[str, list[_Hit]]) -> dict[str, float]:
    """The combiner's features for one sentence, the same in training and in use (a facilitator's own cues
    are not among them: the model never saw them)."""
    cues = [h.cue for hits in by_code.values() for h in hits if not h.cue.id.startswith(USER_PREFIX)]
    return sentence_features(sentence_lemmas(lemmas, sent), cues)


def _why(doc: Doc, text: str, hits: list[_Hit]) -> str:
    whys = []
    for hit in hits[:2]:
        s, e = hit.spans[0]
        words = doc[s:e]
        match = text[words.start_char : words.end_char] if len(words) else ""
        whys.append(hit.cue.why(" ".join(match.split())))
    return whys[0] if len(whys) == 1 else tr("{a} ; et aussi {b}", "{a}; and also {b}", a=whys[0], b=whys[1])


def _model_decisions(
    combiner: Combiner,
    logits: list[float],
    by_code: dict[str, list[_Hit]],
    *,
    codes: frozenset[str] | None,
    disabled: frozenset[str],
    weights: Mapping[str, Any] | None,
) -> dict[str, float]:
    """Per code the combiner knows: the probability (from the sentence's ``logits``), moved by what the
    group taught about the cues that fired (or, with no cue of the code, about the code's corpus pseudo-cue)."""
    out = {}
    for k, z in enumerate(logits):
        code = combiner.codes[k]
        if codes is not None and code not in codes:
            continue
        hits = by_code.get(code)
        if hits:
            z += sum(logit(h.weight) - logit(h.cue.weight) for h in hits if h.cue.weight > 0)
        else:
            pseudo = corpus_cue_id(code)
            if pseudo in disabled:
                continue
            if weights and pseudo in weights:
                z += logit(weight_for(pseudo, CORPUS_PRIOR, weights)) - logit(CORPUS_PRIOR)
        out[code] = sigmoid(z)
    return out


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
    combiner: Combiner | None = None,
) -> list[dict[str, Any]]:
    """Scored suggestions for one Doc; offsets are shifted by ``offset`` and ``text`` is the Doc's source.

    With a ``combiner``, it decides and scores the codes it knows (see :mod:`grt.nlp.combiner`); the
    noisy-OR of the cues does it for the others (a facilitator's own codes) and without one.
    ``keep_weak`` keeps the suggestions under the threshold too (to measure cues, see
    benchmarks/calibrate_cues.py)."""
    rule_threshold = cueset.min_score if min_score is None else min_score
    model_threshold = combiner.threshold if combiner is not None and min_score is None else rule_threshold
    items: list[dict[str, Any]] = []
    sentences = list(_sentence_hits(
        doc, cueset=cueset, shipped=shipped, matches=matches, user=user, user_matches=user_matches, codes=codes,
        disabled=disabled, weights=weights, threshold=rule_threshold, every_sentence=combiner is not None,
    ))
    lemmas = doc_lemmas(doc) if combiner is not None else []
    features_of = [_model_features(lemmas, sent, by_code) if combiner is not None else {} for sent, by_code, _, _ in sentences]
    logits_of = combiner.logits_many(features_of) if combiner is not None else []
    for i, (sent, by_code, scores, sent_feats) in enumerate(sentences):
        features = features_of[i]
        decided: dict[str, float] = {}
        if combiner is not None:
            decided = _model_decisions(combiner, logits_of[i], by_code, codes=codes, disabled=disabled, weights=weights)
        for code in sorted(set(by_code) | set(decided)):
            hits = by_code.get(code, [])
            if code in decided:
                score = decided[code]
                threshold = model_threshold if hits or min_score is not None else combiner.words_threshold
            else:
                score, threshold = scores[code], rule_threshold
            if score < threshold and not keep_weak:
                continue
            hits.sort(key=lambda h: (-h.weight, h.cue.id))
            span = span_for(doc, sent, [sp for h in hits for sp in h.spans])
            if span is None:
                continue
            if hits:
                why, cue_ids = _why(doc, text, hits), [h.cue.id for h in hits]
            else:
                words = combiner.strongest_words(features, code, surface_words(doc[sent[0] : sent[1]], lemmas[sent[0] : sent[1]])) if combiner is not None else []
                if not words:
                    continue
                why, cue_ids = words_why(words), [corpus_cue_id(code)]
            start, end = span
            items.append(
                {
                    "code": code,
                    "start": start + offset,
                    "end": end + offset,
                    "text": text[start:end],
                    "score": round(min(score, MAX_SCORE), 2),
                    "why": why,
                    "cue": cue_ids[0],
                    "cues": cue_ids,
                    "attributes": _attributes(cueset, code, hits, sent_feats),
                }
            )
    items.sort(key=lambda it: (it["start"], it["end"], it["code"]))
    return items
