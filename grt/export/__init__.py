"""Exporting a validated synthesis (Word or Markdown) and keeping the log of what left the group.

build_content() is the one place that decides what leaves: validated, kept items of contributions that
are not off the record; debates and proposals of the synthesis' sessions; every string cleaned of what
Word cannot hold and masked (participants' real names, names found in quotes). The renderers
(grt.export.docx, grt.export.markdown) only lay that content out.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlite_utils import Database

from ..db import now
from ..errors import GrtError, InvalidInput
from ..i18n import tr
from ..validation import clean_text

FORMATS = ("docx", "md")
# What XML 1.0 (hence Word) cannot hold, beyond the control characters clean_text already drops.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def safe(text: Any) -> str:
    """Text Word accepts: no control characters, no lone surrogates, line ends normalised."""
    return _NOT_XML.sub("", clean_text("" if text is None else str(text)))


# --- the content that leaves -----------------------------------------------------------------


@dataclass
class Quote:
    text: str
    speaker: str
    date: str  # long date of its session
    short_date: str  # 17/09/2026, for tables
    codes: list[str]  # labels, with attribute values, e.g. "Valeur en jeu (sans dimension)"
    code_ids: list[str]

    def comment(self) -> str:
        return tr("Codes : {c}", "Codes: {c}", c=" ; ".join(self.codes))


@dataclass
class Pole:
    key: str
    label: str
    explanation: str
    text: str
    quotes: list[Quote]


@dataclass
class DebatePart:
    heading: str
    entries: list[str]


@dataclass
class Debate:
    title: str
    status: str
    sessions: list[str]
    participants: list[str]
    parts: list[DebatePart]
    choice: str


@dataclass
class Proposal:
    text: str
    status: str
    date: str
    answer: str
    follow_up: str


@dataclass
class AnnexCode:
    label: str
    definition: str
    quotes: list[Quote]


@dataclass
class Content:
    synthesis_id: int
    group_id: int
    session_ids: list[int]
    title: str
    group: str
    sector: str
    period: str
    questions: list[tuple[str, str]]  # (long date, question)
    validated_on: str
    introduction: str
    participants: list[tuple[str, str]]  # (label, role)
    poles: list[Pole]
    debates: list[Debate]
    proposals: list[tuple[str, list[Proposal]]]  # (destination heading, proposals)
    annex: list[AnnexCode]
    item_count: int = 0
    pending: int = 0  # items still awaiting the group's decision (never exported)
    notices: list[str] = field(default_factory=list)

    def strings(self) -> Iterable[str]:
        """Every piece of text of the content, for checks."""
        yield from (self.title, self.group, self.sector, self.period, self.validated_on, self.introduction)
        for d, q in self.questions:
            yield from (d, q)
        for label, role in self.participants:
            yield from (label, role)
        for pole in self.poles:
            yield from (pole.label, pole.explanation, pole.text)
            for q in pole.quotes:
                yield from (q.text, q.speaker, q.date, q.comment())
        for d in self.debates:
            yield from (d.title, d.status, d.choice, *d.sessions, *d.participants)
            for part in d.parts:
                yield from (part.heading, *part.entries)
        for heading, proposals in self.proposals:
            yield heading
            for p in proposals:
                yield from (p.text, p.status, p.date, p.answer, p.follow_up)
        for a in self.annex:
            yield from (a.label, a.definition)
            for q in a.quotes:
                yield from (q.text, q.speaker, q.date)


def reading_guide() -> str:
    """What management needs to read the document without knowing ergology."""
    return tr(
        "Ce document rend compte d'un Groupe de Rencontres du Travail (GRT) : des professionnels qui se "
        "réunissent avec un animateur pour décrire et mettre en discussion leur travail tel qu'il se fait "
        "réellement. Rien n'en sort sans l'accord du groupe : les propos cités ont été validés par lui, et "
        "les personnes y sont désignées par un pseudonyme ou par leur métier. La synthèse est organisée en "
        "trois pôles :",
        "This document reports on a Groupe de Rencontres du Travail (GRT): workers who meet with a facilitator "
        "to describe and discuss their work as it is really done. Nothing leaves the group without its "
        "agreement: the words quoted were validated by the group, and people are named by a pseudonym or by "
        "their job. The synthesis is organised in three poles:",
    )


def debates_guide() -> str:
    return tr(
        "Un débat de normes naît quand des règles ou des valeurs entrent en concurrence et obligent à choisir. "
        "Le groupe les a rendues explicites : les règles prévues, ce qui se fait réellement, ce qui est en jeu.",
        "A norm debate arises when rules or values compete and force a choice. The group made them explicit: "
        "the rules laid down, what is really done, what is at stake.",
    )


def proposals_guide() -> str:
    return tr(
        "Les propositions du groupe pour faire autrement : certaines sont demandées à ceux qui organisent le "
        "travail, d'autres sont directement praticables par les participants. Leur statut dit où elles en sont.",
        "The group's proposals to do otherwise: some are requested from those who organise the work, others are "
        "directly practicable by the participants. Their status says where they stand.",
    )


def annex_guide() -> str:
    return tr(
        "Les extraits validés, classés par code d'analyse : chaque code repère un aspect du travail dans ce qui a été dit.",
        "The validated passages, sorted by analysis code: each code marks an aspect of work in what was said.",
    )


def _join_dates(dates: list[str]) -> str:
    from ..synthesis import long_date

    if len(dates) == 1:
        return tr("Séance du {d}", "Session of {d}", d=long_date(dates[0]))
    return tr("Séances du {a} au {b}", "Sessions from {a} to {b}", a=long_date(dates[0]), b=long_date(dates[-1]))


def _code_label(code: str, attributes: dict[str, Any], labels: dict[str, str]) -> str:
    from ..debates import dimension_label
    from ..proposals import destination_label

    label = labels.get(code, code)
    extras = []
    for key, value in (attributes or {}).items():
        if key == "dimension":
            extras.append(dimension_label(value) or str(value))
        elif key == "destination":
            extras.append(destination_label(value) or str(value))
        else:
            extras.append(f"{key} : {value}")
    return f"{label}{tr(' : ', ': ')}{', '.join(extras)}" if extras else label


def _exportable_items(db: Database, synthesis_id: int, *, include_pending: bool = False):
    """Kept items the group validated (or also those pending, for name scans); a passage withheld in any
    pole never leaves, even if it was validated in another."""
    from ..synthesis import list_items

    items = list_items(db, synthesis_id)
    withheld = {i.span for i in items if i.validation == "withheld"}
    allowed = ("validated", "pending") if include_pending else ("validated",)
    return [i for i in items if i.validation in allowed and i.span not in withheld], items


def _allowed_annotations(db: Database, items) -> set[int]:
    """Annotations (any code) on the passages that may leave."""
    spans = {i.span for i in items}
    if not spans:
        return set()
    cids = sorted({s[0] for s in spans})
    out = set()
    for chunk in range(0, len(cids), 500):
        ids = cids[chunk : chunk + 500]
        for aid, cid, start, end in db.execute(
            f'SELECT id, contribution_id, start, "end" FROM annotations WHERE contribution_id IN ({",".join("?" * len(ids))})', ids
        ).fetchall():
            if (cid, start, end) in spans:
                out.add(aid)
    return out


def build_content(
    db: Database, synthesis_id: int, *, mask: Callable[[str], str] | None = None, include_pending: bool = False
) -> Content:
    """Everything the export shows, cleaned and masked. mask defaults to the synthesis' own masker."""
    from .. import debates as debates_mod
    from .. import proposals as proposals_mod
    from ..anonymize import Masker, role_head, speaker_label
    from ..codebook import list_codes
    from ..groups import get_group, list_participants
    from ..i18n import language
    from ..sessions import attendees, get_session
    from ..synthesis import (
        POLES,
        get_synthesis,
        long_date,
        short_date,
        pole_explanation,
        pole_label,
        replacements_map,
    )

    s = get_synthesis(db, synthesis_id)
    group = get_group(db, s.group_id)
    people = list_participants(db, s.group_id)
    if mask is None:
        mask = Masker(people, replacements_map(db, synthesis_id))

    def m(text: Any) -> str:
        return mask(safe(text)).strip()

    sessions = [get_session(db, sid) for sid in s.session_ids]
    codes = {c.id: c for c in list_codes(db)}
    labels = {cid: c.label(language()) for cid, c in codes.items()}
    items, all_items = _exportable_items(db, synthesis_id, include_pending=include_pending)
    pending = sum(1 for i in all_items if i.validation == "pending")

    def quote_of(item) -> Quote:
        return Quote(
            text=m(item.quote),
            speaker=safe(item.speaker),
            date=long_date(item.session_date),
            short_date=short_date(item.session_date),
            codes=[_code_label(c, item.attributes.get(c, {}), labels) for c in item.codes],
            code_ids=list(item.codes),
        )

    poles = [
        Pole(pole, pole_label(pole), pole_explanation(pole), m(s.text(pole)), [quote_of(i) for i in items if i.pole == pole])
        for pole in POLES
    ]

    # Who took part: those present at the sessions, named as in the quotes.
    seen: dict[int, Any] = {}
    for session in sessions:
        for p in attendees(db, session.id):
            seen.setdefault(p.id, p)
    for i in items:
        if i.participant_id is not None and i.participant_id not in seen:
            seen[i.participant_id] = next((p for p in people if p.id == i.participant_id), None)
    participants = []
    for p in sorted((p for p in seen.values() if p is not None), key=lambda p: (p.position, p.id)):
        label = speaker_label(p, people)
        role = m(p.role)
        participants.append((safe(label), "" if label == role_head(p.role) else role))

    # Norm debates of these sessions; a quote shows only if its passage was validated here.
    allowed = _allowed_annotations(db, items)
    by_pseudonym = {p.pseudonym: p for p in people}
    debates = []
    session_set = set(s.session_ids)
    for row in debates_mod.list_debates(db, s.group_id):
        d = debates_mod.get_debate(db, row["id"])
        if not {x["id"] for x in d["sessions"]} & session_set:
            continue
        parts = []
        for kind, key in debates_mod.KIND_KEYS.items():
            entries = []
            for it in d[key]:
                if it["annotation_id"] is not None:
                    if it["off_record"] or it["annotation_id"] not in allowed:
                        continue
                    who = speaker_label(by_pseudonym.get(it["speaker"]), people) if it["speaker"] else ""
                    entry = f"«\u00a0{m(it['quote'])}\u00a0»" + (f" ({who})" if who else "")
                    if it["text"]:
                        entry += f" : {m(it['text'])}"
                else:
                    entry = m(it["text"])
                if kind == "valeur" and it.get("dimension"):
                    entry += f" [{debates_mod.dimension_label(it['dimension'])}]"
                if entry:
                    entries.append(entry)
            if entries:
                heading = {
                    "norme": tr("Normes antécédentes (ce qui est prévu)", "Antecedent norms (what is laid down)"),
                    "renormalisation": tr("Renormalisations (ce qui se fait réellement)", "Renormalisations (what is really done)"),
                    "valeur": tr("Valeurs en jeu", "Values at stake"),
                    "autre": tr("Autres éléments", "Other items"),
                }[kind]
                parts.append(DebatePart(heading, entries))
        if not parts and not d["choice"]:
            continue
        debates.append(
            Debate(
                title=m(d["title"]),
                status=debates_mod.status_label(d["status"]),
                sessions=[long_date(x["date"]) for x in d["sessions"] if x["id"] in session_set],
                participants=[safe(speaker_label(by_pseudonym.get(p["pseudonym"]), people)) for p in d["participants"]],
                parts=parts,
                choice=m(d["choice"]),
            )
        )

    # Proposals born in these sessions or followed up in them, split by destination.
    by_destination: dict[str, list[Proposal]] = {dest: [] for dest in proposals_mod.DESTINATIONS}
    for row in proposals_mod.list_proposals(db, group_id=s.group_id):
        p = proposals_mod.get_proposal(db, row["id"])
        if p["session_id"] not in session_set and not any(h["session_id"] in session_set for h in p["history"]):
            continue
        origins = p.get("origin_contributions") or []
        if origins and all(o["off_record"] for o in origins):
            continue  # born from words that stay in the group
        last = p["history"][-1] if p["history"] else {}
        by_destination.setdefault(p["destination"], []).append(
            Proposal(
                text=m(p["text"]),
                status=proposals_mod.status_label(p["status"]),
                date=long_date(last.get("date")),
                answer=m(p["answer"]),
                follow_up=m(last.get("note", "")),
            )
        )
    destination_titles = {
        "organisateurs": tr("À demander aux organisateurs du travail", "To request from those who organise the work"),
        "praticable": tr("Directement praticables par les participants", "Directly practicable by the participants"),
    }
    proposals = [(destination_titles.get(dest, dest), rows) for dest, rows in by_destination.items() if rows]

    # Annex: each validated passage once, under each of its codes, in codebook order.
    unique = list({i.span: i for i in items}.values())
    annex = []
    for cid, code in codes.items():
        quotes = [quote_of(i) for i in unique if cid in i.codes]
        if quotes:
            definition = code.definition_en if language() == "en" and code.definition_en else code.definition_fr
            annex.append(AnnexCode(labels[cid], safe(definition), quotes))

    dates = [x.date for x in sessions]
    return Content(
        synthesis_id=s.id,
        group_id=s.group_id,
        session_ids=list(s.session_ids),
        title=m(s.title),
        group=m(group.name),
        sector=m(group.sector),
        period=_join_dates(dates) if dates else "",
        questions=[(long_date(x.date), m(x.question)) for x in sessions if x.question],
        validated_on=long_date(s.validated_at),
        introduction=m(s.introduction),
        participants=participants,
        poles=poles,
        debates=debates,
        proposals=proposals,
        annex=annex,
        item_count=len(unique),
        pending=pending,
    )


def exported_texts(db: Database, synthesis_id: int) -> list[str]:
    """The people's and the facilitator's words that could leave (pending items included), unmasked, for the
    name scan; fixed labels and pseudonyms are left out."""
    c = build_content(db, synthesis_id, mask=lambda t: t, include_pending=True)
    texts = [c.title, c.group, c.sector, c.introduction, *(q for _, q in c.questions)]
    for pole in c.poles:
        texts += [pole.text, *(q.text for q in pole.quotes)]
    for d in c.debates:
        texts += [d.title, d.choice, *(e for part in d.parts for e in part.entries)]
    for _, proposals in c.proposals:
        texts += [x for p in proposals for x in (p.text, p.answer, p.follow_up)]
    return [t for t in dict.fromkeys(texts) if t and t.strip()]


def _sentences(text: str) -> list[str]:
    return [" ".join(p.split()).casefold() for p in re.split(r"(?<=[.!?…])\s+|\n+", text) if len(p.strip()) >= 25]


def check_no_leak(db: Database, content: Content) -> None:
    """Refuse an export whose free texts repeat a sentence said off the record or a passage the group withheld."""
    from ..synthesis import list_items

    marks = ",".join("?" * len(content.session_ids))
    forbidden = []
    for (text,) in db.execute(
        f"SELECT text FROM contributions WHERE session_id IN ({marks}) AND off_record = 1", content.session_ids
    ).fetchall():
        forbidden += _sentences(text)
    forbidden += [
        " ".join(i.quote.split()).casefold()
        for i in list_items(db, content.synthesis_id, validation="withheld")
        if len(i.quote.strip()) >= 25
    ]
    if not forbidden:
        return
    validated = " ".join(" ".join(q.text.split()).casefold() for p in content.poles for q in p.quotes)
    live = [f for f in dict.fromkeys(forbidden) if f not in validated]
    for text in content.strings():
        folded = " ".join(text.split()).casefold()
        for f in live:
            if f in folded:
                raise GrtError(
                    tr(
                        "Export refusé : le passage « {f} » est hors compte rendu ou retenu par le groupe, et il apparaît dans « {where} ». Corrigez ce texte dans l'écran Synthèse.",
                        "Export refused: the passage '{f}' is off the record or withheld by the group, and it appears in '{where}'. Fix that text in the synthesis screen.",
                        f=f[:80],
                        where=" ".join(text.split())[:60] + ("…" if len(text) > 60 else ""),
                    )
                )


# --- writing files ---------------------------------------------------------------------------


def format_for(path: str | os.PathLike, fmt: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise InvalidInput(tr("Format inconnu : {f} (docx ou md).", "Unknown format: {f} (docx or md).", f=fmt))
        return fmt
    return "md" if Path(path).suffix.lower() in (".md", ".markdown") else "docx"


def _check_target(path: Path, *, force: bool, db: Database | None = None) -> None:
    if path.is_dir():
        raise GrtError(tr("{p} est un dossier : donnez un nom de fichier.", "{p} is a folder: give a file name.", p=path))
    if not path.parent.exists():
        raise GrtError(tr("Le dossier {d} n'existe pas.", "The folder {d} does not exist.", d=path.parent))
    if path.exists() and not force:
        raise GrtError(
            tr("{p} existe déjà ; choisissez un autre nom ou ajoutez --force.", "{p} already exists; choose another name or add --force.", p=path)
        )
    if db is not None:
        from ..db import db_file

        if path.exists() and path.resolve() == db_file(db).resolve():
            raise GrtError(tr("L'export ne peut pas remplacer la base elle-même.", "The export cannot replace the database itself."))


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside the target, then move into place: a failure never leaves a half-written file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise GrtError(
                tr("Écriture impossible : {p} ({e}).", "Cannot write {p} ({e}).", p=path, e=e.strerror or e)
            ) from None
        raise


def render(content: Content, fmt: str, template: Any = None) -> bytes:
    """The file's bytes. template: a path, an opened template (grt.export.docx.open_template) or None."""
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(content).encode("utf-8")
    from .docx import render_docx

    return render_docx(content, template)


def not_validated_message(db: Database, synthesis_id: int) -> str:
    from ..synthesis import get_synthesis

    s = get_synthesis(db, synthesis_id)
    return tr(
        "La synthèse « {t} » n'est pas encore validée par le groupe : ouvrez-la dans l'écran Synthèse, faites valider "
        "ou retenir chaque extrait (ou validez tout), puis marquez-la validée avant d'exporter.",
        "The synthesis '{t}' has not been validated by the group yet: open it in the synthesis screen, have each item "
        "validated or withheld (or validate all), then mark it validated before exporting.",
        t=s.title,
    )


def export_synthesis(
    db: Database,
    synthesis_id: int,
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    template: str | os.PathLike | None = None,
    force: bool = False,
    scan: bool = True,
    nlp: Any = None,
    use_model: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Export a validated synthesis to path (docx or md) and log it.

    Returns the log entry, plus new_names: [(name, replacement)] found and masked by default during this
    export (a participant's real name shows as "vrai nom d'un participant"); pending: items left out
    because the group has not decided on them; model_missing: the French model could not be loaded, so
    only real names and "M./Mme X" were looked for. progress(message) hears of the slow steps.
    """
    from ..anonymize import real_name_of
    from ..groups import list_participants
    from ..synthesis import get_synthesis, replacements_map, scan_names

    s = get_synthesis(db, synthesis_id)
    if not s.validated:
        raise GrtError(not_validated_message(db, synthesis_id))
    target = Path(path).expanduser()
    fmt = format_for(target, fmt)
    _check_target(target, force=force, db=db)
    if fmt == "docx":
        from .docx import open_template

        template = open_template(template)  # a bad template is reported before any slow work
    model_missing = False
    if scan:
        if progress:
            progress(tr("Recherche des noms à masquer…", "Looking for names to mask…"))
        found = scan_names(db, synthesis_id, nlp=nlp, use_model=use_model)  # loads the model only if texts changed
        if nlp is None and use_model:
            from ..anonymize import model_missing as missing

            model_missing = missing()
    else:
        found = []
    people = list_participants(db, s.group_id)
    replacements = replacements_map(db, synthesis_id)
    new_names = [
        (tr("vrai nom d'un participant", "a participant's real name") if real_name_of(n, people) else n, replacements.get(n, ""))
        for n in found
    ]
    content = build_content(db, synthesis_id)
    check_no_leak(db, content)
    if progress:
        progress(tr("Mise en page ({n} extraits)…", "Laying out ({n} passages)…", n=content.item_count))
    data = render(content, fmt, template)
    write_atomic(target, data)
    entry = {
        "synthesis_id": s.id,
        "group_id": s.group_id,
        "format": fmt,
        "path": str(target.resolve()),
        "sessions": json.dumps(content.session_ids),
        "items": content.item_count,
        "sha256": hashlib.sha256(data).hexdigest(),
        "created_at": now(),
    }
    entry["id"] = db["exports"].insert(entry).last_pk
    entry["sessions"] = content.session_ids
    return {**entry, "new_names": new_names, "pending": content.pending, "model_missing": model_missing}


def list_exports(db: Database, *, group_id: int | None = None, synthesis_id: int | None = None) -> list[dict[str, Any]]:
    """The export log, newest first: date, sessions, number of items, file, SHA-256."""
    where, params = [], []
    if group_id is not None:
        where.append("group_id = ?")
        params.append(group_id)
    if synthesis_id is not None:
        where.append("synthesis_id = ?")
        params.append(synthesis_id)
    sql = "SELECT * FROM exports" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at DESC, id DESC"
    rows = []
    for r in db.query(sql, params):
        r["sessions"] = json.loads(r["sessions"] or "[]")
        r["file_name"] = Path(r["path"]).name
        rows.append(r)
    return rows

