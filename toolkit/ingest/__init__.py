"""Ingest: read exports from 问卷星, 腾讯问卷, KoboToolbox/ODK or any table, map them to a form,
validate, quarantine what cannot be accepted, and write the rest to the store in one transaction.

>>> from toolkit.ingest import ingest
>>> report = ingest("export.xlsx", "surveys/annual_topics.yaml", "data/x.db")   # doctest: +SKIP

Quarantined rows go out to staff as a fix workbook and come back corrected:

>>> export_rejected(store, form, "reports/待修正.xlsx")                      # doctest: +SKIP
>>> resubmit_workbook(store, form, "reports/待修正.xlsx", operator="张三")    # doctest: +SKIP

In a notebook, ``IngestPanel("../data", "../surveys")`` does the same with choices and buttons (notebook 03).
"""

from toolkit.lazy import lazy_exports

# loaded on first use, so `weidiaoyan --help` does not pay for pandas and SQLAlchemy (see toolkit/lazy.py)
_EXPORTS = {
    "IngestError": "toolkit.ingest.errors",
    "RawTable": "toolkit.ingest.files",
    "read_table": "toolkit.ingest.files",
    "find_header_row": "toolkit.ingest.files",
    "export_rejected": "toolkit.ingest.fixes",
    "resubmit_workbook": "toolkit.ingest.fixes",
    "infer_form": "toolkit.ingest.infer",
    "ingest": "toolkit.ingest.pipeline",
    "read_export": "toolkit.ingest.pipeline",
    "IngestPanel": "toolkit.ingest.widget",
}
__all__ = sorted([*_EXPORTS, "resubmit"])
# fake platform exports for tests and demos moved to the sample stage (FutureWarning on use)
_MOVED = {"write_export": "toolkit.sample"}
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, moved=_MOVED)

# eager: the function shares its module's name, and a lazily loaded name would be shadowed by the
# submodule as soon as anything imports toolkit.ingest.resubmit
from toolkit.ingest.resubmit import resubmit as resubmit  # noqa: E402
