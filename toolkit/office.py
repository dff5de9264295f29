"""Reproducible Office files shared by every stage that writes them (forms' XLSForm and paper
questionnaire, ingest reports, briefing deck and report).

Office files (xlsx, docx, pptx) are zip archives stamped with the time of writing; these helpers
freeze those stamps so equal content gives equal bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zipfile
from pathlib import Path

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# openpyxl stamps dcterms:modified with the time of saving, whatever the workbook says
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def freeze_core_properties(props) -> None:
    """Set created/modified/printed of a python-docx / python-pptx / openpyxl document to a fixed date."""
    naive = FIXED_TIME.replace(tzinfo=None)
    for name in ("created", "modified", "last_printed"):
        if hasattr(props, name):
            with contextlib.suppress(TypeError, ValueError):
                setattr(props, name, naive)
    if hasattr(props, "revision"):
        props.revision = 1


def normalize_zip(path) -> Path:
    """Rewrite the archive at ``path`` with fixed entry timestamps and order, so equal content = equal bytes."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:  # keep the order: [Content_Types].xml must stay first for some readers
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    tmp.replace(path)
    return path
