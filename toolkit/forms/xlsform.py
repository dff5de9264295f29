"""XLSForm (.xlsx with survey / choices / settings sheets) for KoboToolbox and ODK, both ways.

Export maps every kind onto standard XLSForm; what XLSForm has no column for (role, the author's
own expression text, max/min choices of a ranking, shared list names) rides in extra ``wdy_*``
columns, which pyxform and Kobo ignore. Import prefers those originals only while they still
agree with the standard columns, so edits made in Excel always win.

>>> write_xlsform(form, "reports/annual_topics.xlsx")        # doctest: +SKIP
>>> read_xlsform("reports/annual_topics.xlsx") == form       # doctest: +SKIP
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from toolkit.forms.errors import FormError
from toolkit.forms.expressions import Expression, ExpressionError
from toolkit.forms.model import OTHER, OTHER_LABEL, Choice, Form, Question, other_key

SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "hint",
    "required",
    "required_message",
    "relevant",
    "constraint",
    "constraint_message",
    "appearance",
    "wdy_kind",
    "wdy_role",
    "wdy_choices",
    "wdy_min_choices",
    "wdy_max_choices",
    "wdy_relevant",
    "wdy_constraint",
    "wdy_renamed_from",
]
DESCRIPTION_NOTE = "wdy_description"
_OR_OTHER = "_or_other"
_TYPES = {"number": "integer", "date": "date", "text": "text", "concern": "text", "note": "note"}
_BEGIN, _END = ("begin_group", "begin group"), ("end_group", "end group")
_REF = re.compile(r"\$\{([A-Za-z_][\w]*)/([A-Za-z_0-9][\w]*)\}")


def _row_name(qid: str, row_id: str) -> str:
    # XLSForm names are global, so a matrix row is named after its question
    return f"{qid}_{row_id}"


def _to_xpath(text: str | None) -> str | None:
    if not text:
        return None
    xpath = Expression(text).to_xpath()
    return _REF.sub(lambda m: "${" + _row_name(m.group(1), m.group(2)) + "}", xpath)


def _count_parts(q: Question) -> list[str]:
    parts = []
    if q.kind == "multiple" and q.min_choices:
        parts.append(f"count-selected(.) >= {q.min_choices}")
    if q.kind == "multiple" and q.max_choices:
        parts.append(f"count-selected(.) <= {q.max_choices}")
    return parts


def _constraint_xpath(q: Question) -> str | None:
    own = _to_xpath(q.constraint)
    parts = ([f"({own})"] if own and _count_parts(q) else [own] if own else []) + _count_parts(q)
    return " and ".join(parts) or None


def _list_name(q: Question, form: Form) -> str:
    base = q.choice_list or q.id
    if not q.choice_list and base in form.choice_lists:
        base = f"{q.id}_choices"
    return base + _OR_OTHER if q.other else base


def _survey_rows(form: Form) -> list[dict]:
    rows: list[dict] = []
    if form.description:
        rows.append({"type": "note", "name": DESCRIPTION_NOTE, "label": form.description})
    for q in form.questions:
        base = {
            "name": q.id,
            "label": q.label,
            "hint": q.hint or None,
            "required": "yes" if q.required and not q.is_matrix else None,
            "required_message": "本题必答" if q.required and not q.is_matrix else None,
            "relevant": _to_xpath(q.relevant),
            "constraint": _constraint_xpath(q),
            "constraint_message": q.constraint_message,
            "wdy_role": q.role,
            "wdy_choices": q.choice_list,
            "wdy_min_choices": q.min_choices,
            "wdy_max_choices": q.max_choices,
            "wdy_relevant": q.relevant,
            "wdy_constraint": q.constraint,
            "wdy_renamed_from": q.renamed_from,
        }
        lst = _list_name(q, form) if q.kind in ("single", "multiple", "likert", "ranking") else None
        if q.is_matrix:
            rows.append({**base, "type": "begin_group", "appearance": "field-list", "wdy_kind": "likert"})
            for r in q.rows:
                rows.append(
                    {
                        "type": f"select_one {lst}",
                        "name": _row_name(q.id, r.id),
                        "label": r.label,
                        "required": "yes" if q.required else None,
                        "required_message": "本题必答" if q.required else None,
                        "appearance": "likert",
                    }
                )
            rows.append({"type": "end_group", "name": q.id})
            continue
        if q.kind == "single":
            rows.append({**base, "type": f"select_one {lst}"})
        elif q.kind == "likert":
            rows.append({**base, "type": f"select_one {lst}", "appearance": "likert", "wdy_kind": "likert"})
        elif q.kind == "multiple":
            rows.append({**base, "type": f"select_multiple {lst}"})
        elif q.kind == "ranking":
            rows.append({**base, "type": f"rank {lst}"})
        elif q.kind == "number":
            rows.append({**base, "type": "integer" if q.integer else "decimal"})
        elif q.kind == "concern":
            rows.append({**base, "type": "text", "appearance": "multiline"})
        else:
            rows.append({**base, "type": _TYPES[q.kind]})
        if q.other:
            rows.append(
                {
                    "type": "text",
                    "name": other_key(q.id),
                    "label": f"{q.label}：{OTHER_LABEL}",
                    "relevant": f"selected(${{{q.id}}}, '{OTHER}')",
                }
            )
    return rows


def _choice_rows(form: Form) -> list[tuple[str, str, str]]:
    lists: dict[str, list[Choice]] = dict(form.choice_lists)
    for q in form.questions:
        if q.kind in ("single", "multiple", "likert", "ranking"):
            choices = q.choices + (
                [Choice(OTHER, OTHER_LABEL)] if q.other and OTHER not in {c.id for c in q.choices} else []
            )
            lists.setdefault(_list_name(q, form), choices)
    return [(name, c.id, c.label) for name, choices in lists.items() for c in choices]


def write_xlsform(form: Form, path: str | Path) -> Path:
    """Write ``form`` as an XLSForm workbook; return the path."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from toolkit.outputs import text_cells

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(SURVEY_COLUMNS)
    for row in _survey_rows(form):
        survey.append([row.get(col) for col in SURVEY_COLUMNS])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for choice in _choice_rows(form):
        choices.append(list(choice))
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "wdy_lists"])
    settings.append([form.title, form.id, form.version, "zh", " ".join(form.choice_lists)])
    for sheet in wb.worksheets:
        text_cells(sheet)  # a label starting with "=" is text, not a formula (toolkit.outputs)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJ", (26, 22, 50, 30, 9, 10, 30, 30, 24, 12)):
        survey.column_dimensions[col].width = width
    # fixed document dates and zip timestamps: the same form gives a byte-identical file
    import zipfile

    from openpyxl.writer.excel import ExcelWriter

    from toolkit.office import freeze_core_properties, normalize_zip

    freeze_core_properties(wb.properties)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # ExcelWriter directly: Workbook.save() would stamp "modified" with the clock
    ExcelWriter(wb, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)).save()
    normalize_zip(path)
    return path


def xlsform_to_xml(path: str | Path) -> tuple[str, list[str]]:
    """Convert with pyxform (ODK Validate, which needs Java, is not run); return (XForm XML, warnings)."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    try:
        result = convert(str(path), warnings=warnings, validate=False)
    except PyXFormError as err:
        raise FormError("xlsform.not_converted", path=path, reason=err) from None
    return result.xform, warnings


# ---- import -----------------------------------------------------------------------------------------
def _sheet_records(wb, name: str, path) -> list[dict]:
    if name not in wb.sheetnames:
        raise FormError("xlsform.sheet_missing", path=path, sheet=name)
    rows = list(wb[name].iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    twice = sorted({h for h in header if h and header.count(h) > 1}, key=header.index)
    if twice:  # a record keyed by header would keep only the last of them, silently
        from toolkit.filesafety import column_letters

        cols = "、".join(column_letters(j + 1) for j, h in enumerate(header) if h == twice[0])
        raise FormError("sheet.column_repeated", path=path, sheet=name, row=1, column=twice[0], columns=cols)
    out = []
    for i, values in enumerate(rows[1:], start=2):
        rec = {h: v for h, v in zip(header, values) if h and v is not None and str(v).strip() != ""}
        if rec:
            rec["__row__"] = i
            out.append(rec)
    return out


def _label(rec: dict) -> str:
    for key, value in rec.items():
        if key == "label" or key.startswith("label::"):
            return str(value).strip()
    return ""


def _from_xpath(text, matrix_rows: dict[str, str]) -> str | None:
    if text is None:
        return None
    text = str(text).strip()
    for flat, ref in matrix_rows.items():
        text = text.replace("${" + flat + "}", "${" + ref + "}")
    return text


def _expression(rec: dict, field: str, q: Question, matrix_rows: dict[str, str], path) -> str | None:
    """The author's original text while it still matches the XLSForm column; else the XLSForm text (edited in Excel)."""
    column = str(rec[field]).strip() if rec.get(field) is not None else None
    original = rec.get(f"wdy_{field}")
    if original is not None:
        try:
            regenerated = (
                _to_xpath(str(original))
                if field == "relevant"
                else _constraint_xpath(replace(q, constraint=str(original)))
            )
        except ExpressionError:
            regenerated = None
        if regenerated == column:
            return str(original)
    elif field == "constraint" and column is not None and column == _constraint_xpath(replace(q, constraint=None)):
        return None  # only the count-selected() rule we generate from min/max choices
    text = _from_xpath(column, matrix_rows)
    if text:
        try:
            Expression(text)
        except ExpressionError as err:
            raise FormError(
                "xlsform.expression_invalid",
                path=path,
                row=rec["__row__"],
                question=q.id,
                field=field,
                expression=text,
                cause=err,
            ) from None
    return text or None


def _int(value, rec: dict, column: str, path) -> int | None:
    from toolkit.numbers import to_int

    if value is None:
        return None
    number = to_int(value if isinstance(value, (int, float)) else str(value))
    if number is None:
        raise FormError(
            "xlsform.not_integer", path=path, row=rec["__row__"], question=rec.get("name"), column=column, value=value
        )
    return number


def read_xlsform(path: str | Path) -> Form:
    """Read an XLSForm workbook back into a Form (ours round-trip exactly; others map as closely as possible)."""
    import io

    from openpyxl import load_workbook

    from toolkit.filesafety import UnsafeFile, check_workbook, read_input

    path = Path(path)
    if not path.exists():
        raise FormError("file.not_found", path=path)
    try:
        blob = read_input(path)  # a regular file of bounded size; a zip that would not explode
        book = check_workbook(blob)
        for name in ("survey", "choices", "settings"):  # the sheets read below
            book.scan(name)
    except UnsafeFile as bad:
        raise FormError.from_error(bad, path=path) from None
    try:
        wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    except Exception as err:  # not a zip/xlsx
        raise FormError("file.not_xlsx", path=path, reason=err) from None
    survey = _sheet_records(wb, "survey", path)
    lists: dict[str, list[Choice]] = {}
    for rec in _sheet_records(wb, "choices", path):
        name = str(rec.get("list_name") or rec.get("list name") or "").strip()
        if name and rec.get("name") is not None:
            lists.setdefault(name, []).append(Choice(str(rec["name"]).strip(), _label(rec)))
    settings = (_sheet_records(wb, "settings", path) if "settings" in wb.sheetnames else []) or [{}]
    meta = settings[0]
    wb.close()
    form = Form(
        id=str(meta.get("form_id") or path.stem),
        title=str(meta.get("form_title") or path.stem),
        version=str(meta.get("version") or "1"),
    )
    shared_names = str(meta.get("wdy_lists") or "").split()
    matrix_rows = _matrix_rows(survey)
    uses: dict[str, int] = {}
    for rec in survey:
        parts = str(rec.get("type", "")).split()
        if len(parts) >= 2 and parts[0] in ("select_one", "select_multiple", "rank"):
            uses[parts[1]] = uses.get(parts[1], 0) + 1
    group: Question | None = None
    questions: list[Question] = []
    list_of: dict[str, str] = {}  # question id -> XLSForm list name
    for rec in survey:
        kind_parts = str(rec.get("type", "")).strip().split()
        xtype = kind_parts[0] if kind_parts else ""
        name = str(rec.get("name") or "").strip()
        if xtype in _BEGIN:
            if _is_matrix_group(survey, rec):
                group = _question(rec, "likert", name, path)
                questions.append(group)
            continue
        if xtype in _END:
            group = None
            continue
        if group is not None:
            group.rows.append(
                Choice(name[len(group.id) + 1 :] if name.startswith(group.id + "_") else name, _label(rec))
            )
            group.required = group.required or _yes(rec.get("required"))
            list_of[group.id] = kind_parts[1]
            continue
        if name == DESCRIPTION_NOTE and xtype == "note":
            form.description = _label(rec)
            continue
        if (
            xtype == "text"
            and questions
            and name == other_key(questions[-1].id)
            and questions[-1].kind in ("single", "multiple")
        ):
            questions[-1].other = True
            continue
        kind = _kind(xtype, rec)
        if kind is None:
            continue  # calculate, start, end, geopoint …: no counterpart in our model
        q = _question(rec, kind, name, path)
        q.integer = xtype == "integer"
        if kind in ("single", "multiple", "likert", "ranking"):
            list_of[q.id] = kind_parts[1] if len(kind_parts) > 1 else ""
        questions.append(q)
    for q, rec in zip(questions, _question_records(survey, questions)):
        if q.id in list_of:
            _attach_choices(form, q, list_of[q.id], lists, shared_names, uses, rec)
        q.relevant = _expression(rec, "relevant", q, matrix_rows, path)
        q.constraint = _expression(rec, "constraint", q, matrix_rows, path)
    form.questions = questions
    for name in shared_names:  # keep the author's list order (it is part of the form's fingerprint)
        if name not in form.choice_lists and name in lists:
            form.choice_lists[name] = list(lists[name])
    form.choice_lists = {n: form.choice_lists[n] for n in sorted(form.choice_lists, key=_order(shared_names, lists))}
    return form


def _order(shared: list[str], lists: dict):
    names = list(lists)
    return lambda n: shared.index(n) if n in shared else len(shared) + (names.index(n) if n in names else 0)


def _matrix_rows(survey: list[dict]) -> dict[str, str]:
    """{XLSForm name of a matrix row: our ``q/row`` reference}."""
    out, current = {}, None
    for rec in survey:
        xtype = str(rec.get("type", "")).split()[0] if rec.get("type") else ""
        if xtype in _BEGIN:
            current = str(rec.get("name")) if _is_matrix_group(survey, rec) else None
        elif xtype in _END:
            current = None
        elif current and rec.get("name"):
            name = str(rec["name"])
            row = name[len(current) + 1 :] if name.startswith(current + "_") else name
            out[name] = f"{current}/{row}"
    return out


def _yes(value) -> bool:
    return str(value or "").strip().lower() in ("yes", "true", "true()")


def _is_matrix_group(survey: list[dict], begin: dict) -> bool:
    """Ours (marked likert), or a field-list group holding only select_one questions of one list."""
    if begin.get("wdy_kind") == "likert":
        return True
    if "field-list" not in str(begin.get("appearance", "")):
        return False
    start = survey.index(begin) + 1
    types = []
    for rec in survey[start:]:
        t = str(rec.get("type", "")).strip()
        if t.startswith("end"):
            break
        types.append(t)
    return bool(types) and len(set(types)) == 1 and types[0].startswith("select_one ")


def _question_records(survey: list[dict], questions: list[Question]) -> list[dict]:
    by_name = {
        str(rec.get("name")): rec
        for rec in survey
        if rec.get("name") and not str(rec.get("type", "")).startswith("end")
    }
    return [by_name[q.id] for q in questions]


def _kind(xtype: str, rec: dict) -> str | None:
    appearance = str(rec.get("appearance", ""))
    if rec.get("wdy_kind"):
        return str(rec["wdy_kind"])
    if xtype == "select_one":
        return "likert" if "likert" in appearance else "single"
    return {
        "select_multiple": "multiple",
        "rank": "ranking",
        "integer": "number",
        "decimal": "number",
        "date": "date",
        "note": "note",
        "text": "concern" if "multiline" in appearance else "text",
    }.get(xtype)


def _question(rec: dict, kind: str, name: str, path) -> Question:
    return Question(
        id=name,
        kind=kind,
        label=_label(rec),
        hint=str(rec.get("hint") or ""),
        required=_yes(rec.get("required")),
        role=rec.get("wdy_role"),
        min_choices=_int(rec.get("wdy_min_choices"), rec, "wdy_min_choices", path),
        max_choices=_int(rec.get("wdy_max_choices"), rec, "wdy_max_choices", path),
        constraint_message=rec.get("constraint_message"),
        renamed_from=str(rec["wdy_renamed_from"]) if rec.get("wdy_renamed_from") else None,
    )


def _attach_choices(form: Form, q: Question, lst: str, lists: dict, shared: list[str], uses: dict, rec: dict) -> None:
    choices = list(lists.get(lst, []))
    if q.other:
        choices = [c for c in choices if c.id != OTHER]
    shared_name = rec.get("wdy_choices")
    if shared_name is None and not shared:  # a foreign XLSForm: a list used twice is a shared list
        shared_name = lst if uses.get(lst, 0) > 1 else None
    if shared_name:
        shared_name = str(shared_name)
        q.choice_list = shared_name
        form.choice_lists.setdefault(shared_name, list(lists.get(shared_name, choices)))
        q.choices = list(form.choice_lists[shared_name])
    else:
        q.choices = choices
