"""The last step of scoring with the French model: a linear model learnt from the annotated corpus.

Cues alone miss what is said in meaning rather than in a marker, and fire on markers that carry no code.
A logistic model per code, trained on sentences annotated by people who never saw the rules
(``benchmarks/train_combiner.py``), weighs together the cues that fired in a sentence (any code) and the
sentence's lemmas and pairs of lemmas. It decides which codes to suggest and gives their score (a
probability); the cues that fired still give the span and the explanation, and where no cue fired for a
code the explanation names the sentence's words that weighed most.

Only used with the full model and the shipped cues: the blank fallback has no lemmas, and other cue
files have other cue ids.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, ORTH

from ..i18n import tr

COMBINER_FILE = "data/combiner.json"
# Pseudo-cue of a code when the model suggests it without any cue of that code: the group's answers and
# the codebook's switch act on it like on any cue.
CORPUS_PREFIX = "corpus."
CORPUS_PRIOR = 0.5


def corpus_cue_id(code: str) -> str:
    return CORPUS_PREFIX + code


def words_why(words: list[str] | None = None) -> str:
    """Why a code is suggested where no cue of it fired: the sentence's ``words`` that weighed most
    (without them: what such suggestions are, for the codebook view)."""
    if not words:
        return tr("des mots qui vont souvent avec ce code dans les récits annotés", "words that often go with this code in annotated narratives")
    return tr(
        "des mots qui vont souvent avec ce code dans les récits annotés : {words}",
        "words that often go with this code in annotated narratives: {words}",
        words=", ".join(f"« {w} »" for w in words),
    )


def sentence_features(lemmas: list[str], cues: Iterable[Any]) -> dict[str, float]:
    """What the model reads in a sentence: its lemmas (lower case, no punctuation), pairs of consecutive
    lemmas, the cues that fired (any code, before the threshold) and, per code, the cues' noisy-OR
    with their hand-set weights (so that a cue too rare in the corpus to have its own
    weight still counts)."""
    feats = {"lem:" + lemma: 1.0 for lemma in lemmas}
    feats.update((f"bi:{a}_{b}", 1.0) for a, b in zip(lemmas, lemmas[1:]))
    misses: dict[str, float] = {}
    for cue in cues:
        feats["cue:" + cue.id] = 1.0
        prior = cue.hand_weight if cue.hand_weight is not None else cue.weight
        misses[cue.code] = misses.get(cue.code, 1.0) * (1.0 - min(0.99, max(0.01, prior)))
    for code, miss in misses.items():
        feats["prior:" + code] = 1.0 - miss
    return feats


def doc_lemmas(doc: Any) -> list[str | None]:
    """Per token of a Doc, the lemma the model reads (lower case; the word itself when it has none), None
    for punctuation and spaces. Read from the Doc's arrays: one Token object per word would cost more than
    the model's decision itself."""
    strings = doc.vocab.strings
    rows = doc.to_array([LEMMA, ORTH, IS_PUNCT, IS_SPACE]).tolist()
    return [None if punct or space else strings[lemma or orth].lower() for lemma, orth, punct, space in rows]


def sentence_lemmas(lemmas: list[str | None], sent: tuple[int, int]) -> list[str]:
    """The lemmas the model reads in the sentence ``sent`` (token bounds), from ``doc_lemmas``."""
    return [lemma for lemma in lemmas[sent[0] : sent[1]] if lemma is not None]


def surface_words(tokens: Iterable[Any], lemmas: Iterable[str | None]) -> dict[str, str]:
    """How each lemma or pair of lemmas of a sentence is written in it (to explain a suggestion in the
    participant's own words); ``lemmas``: the sentence's tokens' ``doc_lemmas``."""
    words = [(t.text, lemma) for t, lemma in zip(tokens, lemmas) if lemma is not None]
    surface: dict[str, str] = {}
    for i, (text, lemma) in enumerate(words):
        surface.setdefault("lem:" + lemma, text)
        if i:
            before, previous = words[i - 1]
            surface.setdefault(f"bi:{previous}_{lemma}", f"{before} {text}")
    return surface


def logit(p: float) -> float:
    p = min(0.999, max(0.001, p))
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0


class Combiner:
    """Per code: a bias and a weight per feature; ``threshold`` on the probability."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.codes: list[str] = list(data["codes"])
        self.bias = numpy.array([float(b) for b in data["bias"]])
        self.threshold: float = float(data["threshold"])
        # Where no cue of the code fired, only the sentence's words speak for it: a higher bar.
        self.words_threshold: float = float(data.get("words_threshold", self.threshold))
        self.trained_on: list[str] = list(data.get("trained_on", []))
        # One row of weights (one per code) per feature; a sentence's logits are one product.
        self.index: dict[str, int] = {feat: j for j, feat in enumerate(data["weights"])}
        self.matrix = numpy.zeros((len(self.index), len(self.codes)))
        for feat, per_code in data["weights"].items():
            for code, w in per_code.items():
                self.matrix[self.index[feat], self.codes.index(code)] = float(w)

    def logits_many(self, sentences: Sequence[Mapping[str, float]]) -> list[list[float]]:
        """Per sentence (its features), the logit of each code: one product for all the sentences of a
        Doc, as numpy's cost is per call."""
        rows, values, owners = [], [], []
        for s, features in enumerate(sentences):
            for feat, value in features.items():
                j = self.index.get(feat)
                if j is not None:
                    rows.append(j)
                    values.append(value)
                    owners.append(s)
        out = numpy.tile(self.bias, (len(sentences), 1))
        if rows:
            numpy.add.at(out, owners, self.matrix[rows] * numpy.asarray(values)[:, None])
        return out.tolist()

    def strongest_words(self, features: Iterable[str], code: str, surface: Mapping[str, str], n: int = 3) -> list[str]:
        """The sentence's words and pairs of words that pushed most towards ``code``, strongest first, as
        written in the sentence (``surface``: lemma feature -> its words in the text)."""
        from spacy.lang.fr.stop_words import STOP_WORDS

        k = self.codes.index(code)
        found = []
        for feat in features:
            j = self.index.get(feat)
            if j is not None and feat in surface and self.matrix[j, k] > 0:
                found.append((self.matrix[j, k], surface[feat]))
        found.sort(key=lambda x: -x[0])
        words: list[str] = []
        for _, text in found:
            held = set(text.lower().replace("'", "' ").split())
            # "pas", "quand", "on se" explain nothing to a facilitator.
            if held <= STOP_WORDS:
                continue
            # A pair says more than its two words alone: keep it, drop the words it holds.
            if not any(held & set(kept.lower().replace("'", "' ").split()) for kept in words):
                words.append(text)
            if len(words) == n:
                break
        return words


@lru_cache(maxsize=4)
def load_combiner(path: str | None = None) -> Combiner | None:
    """The shipped combiner (or the one at ``path``); None when there is none."""
    try:
        if path is None:
            text = resources.files("grt").joinpath(COMBINER_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None
    return Combiner(json.loads(text))
