"""The Word export: python-docx over a template (grt's own, or the facilitator's .docx).

Lays out a Content (grt.export.build_content) and nothing else: what leaves was decided there.
Each quote of the poles carries its codes as a Word comment.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from importlib import resources
from pathlib import Path

from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..errors import GrtError
from ..i18n import tr
from . import Content, Quote, annex_guide, debates_guide, proposals_guide, reading_guide

# Styles a template must have (Word's own names; a French Word shows them as Titre, Titre 1, Citation...).
REQUIRED_STYLES = (
    ("Title", WD_STYLE_TYPE.PARAGRAPH),
    ("Subtitle", WD_STYLE_TYPE.PARAGRAPH),
    ("Heading 1", WD_STYLE_TYPE.PARAGRAPH),
    ("Heading 2", WD_STYLE_TYPE.PARAGRAPH),
    ("Heading 3", WD_STYLE_TYPE.PARAGRAPH),
    ("Quote", WD_STYLE_TYPE.PARAGRAPH),
    ("List Bullet", WD_STYLE_TYPE.PARAGRAPH),
    ("Table Grid", WD_STYLE_TYPE.TABLE),
)
# grt's own styles: added (from Normal) to a template that lacks them, so any template works.
OWN_STYLES = ("GRT Cover", "GRT Source", "GRT Note", "GRT Table")
COMMENT_AUTHOR = "GRT"
_MUTED = RGBColor(0x5F, 0x6B, 0x70)
_HEADER_FILL = "E4ECEE"


def default_template() -> Path:
    return Path(str(resources.files("grt").joinpath("templates/grt-synthese.docx")))


def _load(path: Path) -> Document:
    """Open a .docx (or a .dotx, read as a document); every failure becomes one clear sentence."""
    if not path.exists():
        raise GrtError(tr("Modèle introuvable : {p}.", "Template not found: {p}.", p=path))
    if path.is_dir():
        raise GrtError(tr("Le modèle {p} est un dossier, pas un fichier Word.", "The template {p} is a folder, not a Word file.", p=path))
    broken = GrtError(
        tr(
            "Le modèle {p} n'est pas un document Word lisible (.docx attendu) ; ouvrez-le dans Word et enregistrez-le au format .docx.",
            "The template {p} is not a readable Word document (.docx expected); open it in Word and save it as .docx.",
            p=path,
        )
    )
    try:
        data = path.read_bytes()
        # A Word template (.dotx) is a document with another content type: read it as a document.
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml")
        if b"wordprocessingml.template.main+xml" in types:
            data = _as_document(data)
        return Document(io.BytesIO(data))
    except PermissionError:
        raise GrtError(tr("Lecture du modèle refusée : {p}.", "Permission denied reading the template: {p}.", p=path)) from None
    except Exception:  # a user's file may be broken in any way python-docx or zipfile can meet
        raise broken from None


def _as_document(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                body = body.replace(b"wordprocessingml.template.main+xml", b"wordprocessingml.document.main+xml")
            dst.writestr(info, body)
    return out.getvalue()


def open_template(template: str | os.PathLike | None = None) -> Document:
    """The template as a python-docx Document, checked for the styles the export uses."""
    path = Path(template).expanduser() if template else default_template()
    doc = _load(path)
    styles = doc.styles
    for name, kind in REQUIRED_STYLES:
        try:
            style = styles[name]
        except KeyError:
            style = None
        if style is None or style.type != kind:
            raise GrtError(
                tr(
                    "Le modèle {p} n'a pas le style « {s} » : ajoutez-le au modèle (dans Word : Styles, puis Nouveau style) ou exportez sans --template.",
                    "The template {p} has no style '{s}': add it to the template (in Word: Styles, then New style) or export without --template.",
                    p=path,
                    s=name,
                )
            )
    for name in OWN_STYLES:
        try:
            styles[name]
        except KeyError:
            _add_own_style(doc, name)
    return doc


def _add_own_style(doc: Document, name: str) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    if name == "GRT Cover":
        style.font.bold = True
        style.font.all_caps = True
        style.paragraph_format.space_before = Pt(120)
    elif name == "GRT Table":
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
    elif name == "GRT Source":
        style.font.size = Pt(9)
        style.font.color.rgb = _MUTED
        style.paragraph_format.left_indent = Cm(1)
    else:
        style.font.italic = True
        style.font.color.rgb = _MUTED


def _paragraphs(text: str) -> list[str]:
    """A text as its paragraphs (blank lines separate them; a single newline stays a line break)."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


class _Writer:
    def __init__(self, doc: Document):
        self.doc = doc
        self.body = doc._body
        s = doc.styles
        self.st = {n: s[n] for n, _ in REQUIRED_STYLES}
        self.st.update({n: s[n] for n in OWN_STYLES})
        # Style ids set straight in the XML: python-docx's style setter rescans every style each time,
        # which made a 500-quote export take seconds. The default paragraph style needs no id.
        default = s.default(WD_STYLE_TYPE.PARAGRAPH)
        self.ids = {n: st.style_id for n, st in self.st.items() if st.type == WD_STYLE_TYPE.PARAGRAPH}
        try:
            self.ids["Normal"] = None if default is None or default.name == "Normal" else s["Normal"].style_id
        except KeyError:
            self.ids["Normal"] = None
        # A quote stays on the page of its source line (grt's template says so in the style; others may not).
        self.quote_keeps = bool(self.st["Quote"].paragraph_format.keep_with_next)

    def styled(self, para, style: str):
        style_id = self.ids[style]
        if style_id:
            para._p.style = style_id
        return para

    def p(self, text: str = "", style: str = "Normal"):
        return self.styled(self.body.add_paragraph(text), style)

    def heading(self, text: str, level: int) -> None:
        self.p(text, f"Heading {level}")

    def texts(self, text: str, style: str = "Normal") -> None:
        for para in _paragraphs(text):
            self.p(para, style)

    def labelled(self, label: str, text: str, style: str = "Normal"):
        para = self.p("", style)
        para.add_run(label).bold = True
        para.add_run(text)
        return para

    def page_break(self) -> None:
        self.p().add_run().add_break(WD_BREAK.PAGE)

    def quote(self, q: Quote) -> None:
        para = self.p("", "Quote")
        if not self.quote_keeps:
            para.paragraph_format.keep_with_next = True
        run = para.add_run(f"«\u00a0{q.text}\u00a0»")
        self.doc.add_comment(run, text=q.comment(), author=COMMENT_AUTHOR, initials=COMMENT_AUTHOR)
        source = self.p("", "GRT Source")
        source.add_run(q.speaker).bold = True
        source.add_run(f" · {tr('séance du', 'session of')} {q.date}")
        if q.codes:
            source.add_run(" · ")
            source.add_run(", ".join(q.codes)).italic = True

    def table(self, headers: list[str], rows: list[list[str]], widths_cm: list[float]) -> None:
        table = self.body.add_table(rows=1, cols=len(headers), width=Cm(sum(widths_cm)))
        table.style = self.st["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for i, w in enumerate(widths_cm):
            table.columns[i].width = Cm(w)
        head = table.rows[0]
        # The header row repeats on each printed page.
        _row_props(head, header=True)
        for cell, text, w in zip(head.cells, headers, widths_cm):
            cell.width = Cm(w)
            para = self.styled(cell.paragraphs[0], "GRT Table")
            para.add_run(text).bold = True
            shade = OxmlElement("w:shd")
            shade.set(qn("w:val"), "clear")
            shade.set(qn("w:color"), "auto")
            shade.set(qn("w:fill"), _HEADER_FILL)
            cell._tc.get_or_add_tcPr().append(shade)
        for values in rows:
            row = table.add_row()
            _row_props(row)
            for cell, text, w in zip(row.cells, values, widths_cm):
                cell.width = Cm(w)
                self.styled(cell.paragraphs[0], "GRT Table").add_run(text)
        self.p("")


def _row_props(row, header: bool = False) -> None:
    """A row never breaks across two pages; the header row repeats on each page."""
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit",) + (("w:tblHeader",) if header else ()):
        e = OxmlElement(tag)
        e.set(qn("w:val"), "true")
        trpr.append(e)


def render_docx(content: Content, template: Any = None) -> bytes:
    """The Word file's bytes. template: a path, a Document from open_template (used up), or None for grt's own."""
    doc = template if isinstance(template, DocumentObject) else open_template(template)
    w = _Writer(doc)

    # Cover page.
    w.p(tr("Groupe de Rencontres du Travail", "Groupe de Rencontres du Travail"), "GRT Cover")
    w.p(content.title, "Title")
    w.p(content.group, "Subtitle")
    if content.sector:
        w.labelled(tr("Secteur : ", "Sector: "), content.sector)
    if content.period:
        w.p(content.period)
    if content.questions:
        label = tr("Question de travail", "Question") if len(content.questions) == 1 else tr("Questions de travail", "Questions")
        w.p("").add_run(label).bold = True
        for date, question in content.questions:
            w.p(f"«\u00a0{question}\u00a0»" if len(content.questions) == 1 else f"{date} : «\u00a0{question}\u00a0»", "List Bullet")
    if content.validated_on:
        w.p(tr("Synthèse validée par le groupe le {d}.", "Synthesis validated by the group on {d}.", d=content.validated_on), "GRT Note")
    w.p(
        tr(
            "Document anonyme : les participants y sont désignés par un pseudonyme ou par leur métier.",
            "Anonymous document: participants are named by a pseudonym or by their job.",
        ),
        "GRT Note",
    )
    w.page_break()

    # How to read it, introduction, participants.
    w.heading(tr("Comment lire ce document", "How to read this document"), 1)
    w.p(reading_guide())
    for pole in content.poles:
        para = w.p("", "List Bullet")
        para.add_run(pole.label).bold = True
        para.add_run(tr(" : ", ": ") + pole.explanation[:1].lower() + pole.explanation[1:])
    if content.introduction:
        w.heading(tr("Introduction", "Introduction"), 1)
        w.texts(content.introduction)
    if content.participants:
        w.heading(tr("Participants", "Participants"), 1)
        w.table(
            [tr("Participant", "Participant"), tr("Métier", "Job")],
            [[label, role] for label, role in content.participants],
            [5.0, 11.2],
        )

    # The three poles.
    for pole in content.poles:
        w.heading(pole.label, 1)
        w.p(pole.explanation, "GRT Note")
        w.texts(pole.text)
        if pole.quotes:
            w.heading(tr("Paroles du groupe", "The group's words"), 3)
            for q in pole.quotes:
                w.quote(q)
        elif not pole.text:
            w.p(tr("Rien n'a été retenu dans ce pôle pour cette synthèse.", "Nothing was kept in this pole for this synthesis."), "GRT Note")

    # Norm debates.
    if content.debates:
        w.heading(tr("Débats de normes", "Norm debates"), 1)
        w.p(debates_guide(), "GRT Note")
        for d in content.debates:
            w.heading(d.title, 2)
            meta = [tr("statut : {s}", "status: {s}", s=d.status)]
            if d.sessions:
                meta.append(tr("séance(s) : {d}", "session(s): {d}", d=", ".join(d.sessions)))
            if d.participants:
                meta.append(tr("avec : {p}", "with: {p}", p=", ".join(d.participants)))
            w.p(" · ".join(meta), "GRT Note")
            for part in d.parts:
                w.p("").add_run(part.heading).bold = True
                for entry in part.entries:
                    w.p(entry, "List Bullet")
            w.labelled(tr("Arbitrage : ", "Choice made: "), d.choice or tr("non tranché à ce jour.", "not settled yet."))

    # Proposals, by destination.
    if content.proposals:
        w.heading(tr("Propositions pour faire autrement", "Proposals to do otherwise"), 1)
        w.p(proposals_guide(), "GRT Note")
        for heading, proposals in content.proposals:
            w.heading(heading, 2)
            rows = []
            for p in proposals:
                status = p.status + (f"\n{p.date}" if p.date else "")
                follow = "\n".join(x for x in (p.answer, p.follow_up if p.follow_up != p.answer else "") if x)
                rows.append([p.text, status, follow or "—"])
            w.table(
                [tr("Proposition", "Proposal"), tr("Statut", "Status"), tr("Réponse et suites", "Answer and follow-up")],
                rows,
                [7.0, 3.0, 6.2],
            )

    # Annex of coded quotes.
    if content.annex:
        w.page_break()
        w.heading(tr("Annexe : extraits codés", "Annex: coded passages"), 1)
        w.p(annex_guide(), "GRT Note")
        for code in content.annex:
            w.heading(f"{code.label} ({len(code.quotes)})", 3)
            if code.definition:
                w.p(code.definition, "GRT Note").paragraph_format.keep_with_next = True
            if len(content.session_ids) > 1:
                w.table(
                    [tr("Extrait", "Passage"), tr("Qui", "Who"), tr("Séance", "Session")],
                    [[f"«\u00a0{q.text}\u00a0»", q.speaker, q.short_date] for q in code.quotes],
                    [11.2, 2.8, 2.2],
                )
            else:
                w.table(
                    [tr("Extrait", "Passage"), tr("Qui", "Who")],
                    [[f"«\u00a0{q.text}\u00a0»", q.speaker] for q in code.quotes],
                    [13.2, 3.0],
                )

    props = doc.core_properties
    props.title = content.title
    props.subject = content.group
    props.author = "grt"
    props.last_modified_by = "grt"
    props.comments = ""
    props.created = props.modified = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
