"""KoboToolbox and ODK Central CSV exports of XLSForm surveys.

Kobo: ``;``-separated, group paths joined by ``/``, select_multiple as space-separated choice names
plus ``q/option`` 1/0 columns, meta ``_id, _uuid, _submission_time …``. ODK Central: group paths
joined by ``-``, meta ``SubmissionDate, KEY, ReviewState …``. Headers are question names, so they
match form question ids directly; cells are choice names.

A Likert matrix exported by ``toolkit.forms.xlsform`` is a field-list group named after the question
holding one select_one per row named ``<question>_<row>``; the platforms write one column per row,
``services/services_medical`` (Kobo), ``services-services_medical`` (ODK), bare ``services_medical``
when group names are left out, or ``题干/行标签`` when Kobo exports labels. ``for_form`` gathers those
columns back into the matrix question.
"""

from __future__ import annotations

import re

from toolkit.forms import Form, Question
from toolkit.ingest.files import RawTable
from toolkit.ingest.normalize import key
from toolkit.ingest.readers import decode as d
from toolkit.ingest.readers.base import Layout, Reader, SourceColumn, SourceQuestion


def _flags_only(values) -> bool:
    seen = {str(v).strip() for v in set(values) if v is not None}
    return bool(seen) and seen <= {"0", "1", "True", "False"}


class _XlsformReader(Reader):
    sep = "/"
    meta_map: dict[str, str] = {}
    meta_extra: set[str] = set()

    def _is_extra(self, header: str) -> bool:
        last = header.split(self.sep)[-1]
        return (
            key(header) in self.meta_extra
            or key(last) in self.meta_extra
            or header.startswith("_")
            or header.startswith("meta" + self.sep)
            or header.startswith("formhub" + self.sep)
        )

    def layout(self, table: RawTable) -> Layout:
        lay = Layout(mode="XLSForm")
        headers = table.header
        known = set(headers)
        by_header: dict[str, SourceQuestion] = {}
        for i, header in enumerate(headers):
            k = key(header)
            if k in self.meta_map and self.meta_map[k] not in lay.meta:
                lay.meta[self.meta_map[k]] = i
                continue
            if self._is_extra(header):
                lay.meta_extra.append(i)
                continue
            parent = header.rsplit("/", 1)[0] if "/" in header else None
            if parent in known and parent in by_header:  # Kobo's q/option 1/0 column
                by_header[parent].columns.append(SourceColumn(i, header, "option", header.rsplit("/", 1)[1]))
                continue
            if parent and parent not in known and _flags_only(table.data[i]):
                # q/option 1/0 columns exported without the q column itself
                sq = by_header.get(parent)
                if sq is None:
                    sq = by_header[parent] = SourceQuestion(None, parent.split(self.sep)[-1].split("/")[-1])
                    lay.questions.append(sq)
                sq.columns.append(SourceColumn(i, header, "option", header.rsplit("/", 1)[1]))
                continue
            if header.endswith("_other") and header[:-6] in by_header:  # "other, please specify" text
                by_header[header[:-6]].columns.append(SourceColumn(i, header, "other"))
                continue
            name = header.split(self.sep)[-1] if self.sep in header else header
            sq = SourceQuestion(None, name)
            sq.columns.append(SourceColumn(i, header, "main"))
            by_header[header] = sq
            lay.questions.append(sq)
        return lay

    def for_form(self, layout: Layout, form: Form) -> Layout:
        # the row naming of toolkit/forms/xlsform.py (_row_name): XLSForm names are global
        pairs = [(q, r) for q in form.answer_questions() if q.is_matrix for r in q.rows]
        if not pairs:
            return layout
        rows = {f"{q.id}_{r.id}": (q, r.id) for q, r in pairs}
        labelled = {key(f"{q.label}{self.sep}{r.label}"): (q, r.id) for q, r in pairs}  # Kobo "题干/行标签" headers
        split = re.compile("[/" + re.escape(self.sep) + "]")
        matrices: dict[str, SourceQuestion] = {}
        kept: list[SourceQuestion] = []
        for sq in layout.questions:
            rest = []
            for col in sq.columns:
                hit = rows.get(split.split(col.header)[-1]) or next(
                    (v for k, v in labelled.items() if key(col.header).endswith(k)), None
                )
                if hit is None:
                    rest.append(col)
                    continue
                q, row_id = hit
                if q.id not in matrices:
                    matrices[q.id] = SourceQuestion(None, q.id, tag="matrix")
                    kept.append(matrices[q.id])
                matrices[q.id].columns.append(SourceColumn(col.index, col.header, "row", row_id))
            if rest:
                sq.columns = rest
                kept.append(sq)
        layout.questions = kept
        return layout

    def decode(self, table: RawTable, layout: Layout, sq: SourceQuestion, q: Question) -> dict[str, list]:
        data = table.data
        if q.is_matrix and sq.parts("row"):
            return d.matrix_columns(data, sq.parts("row"), q, coded=False)
        if not sq.parts("main"):
            return d.option_columns(data, sq.parts("option"), q, chosen=lambda v: str(v).strip() in ("1", "True"))
        values = data[sq.columns[0].index]
        if q.kind in ("multiple", "ranking"):
            out = d.list_column(values, q, " ")
        elif q.kind in ("single", "likert") and not q.is_matrix:
            out = d.choice_column(values, q, coded=False)
        else:
            out = d.plain_column(values, q)
        others = sq.parts("other")
        if others and q.other:
            out[f"{q.id}_other"] = [None if d.blank(v, codes=False) else v for v in data[others[0].index]]
        return out


class KoboReader(_XlsformReader):
    name = "kobo"
    label = "KoboToolbox"
    sep = "/"
    # _submitted_by / SubmitterName are the enumerator's account, not the respondent
    meta_map = {"_uuid": "external_id", "_submission_time": "submitted_at", "start": "started_at"}
    meta_extra = {
        "_id",
        "_submitted_by",
        "end",
        "today",
        "deviceid",
        "__version__",
        "_version_",
        "_index",
        "_status",
        "_notes",
        "_tags",
        "_validation_status",
        "_geolocation",
        "_attachments",
        "instanceid",
    }

    def score(self, table: RawTable) -> float:
        keys = {key(h) for h in table.header}
        return min(1.0, sum(k in keys for k in ("_uuid", "_submission_time", "_id", "_index")) / 2)


class OdkReader(_XlsformReader):
    name = "odk"
    label = "ODK Central"
    sep = "-"
    meta_map = {"key": "external_id", "submissiondate": "submitted_at", "start": "started_at"}
    meta_extra = {
        "reviewstate",
        "submitterid",
        "submittername",
        "attachmentspresent",
        "attachmentsexpected",
        "status",
        "deviceid",
        "edits",
        "formversion",
        "end",
        "today",
        "instanceid",
        "meta-instanceid",
    }

    def score(self, table: RawTable) -> float:
        keys = {key(h) for h in table.header}
        return min(1.0, sum(k in keys for k in ("submissiondate", "key", "reviewstate", "submitterid")) / 2)
