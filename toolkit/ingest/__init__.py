"""Ingest: read exports from 问卷星, 腾讯问卷, KoboToolbox/ODK or any table, map them to a form,
validate, quarantine what cannot be accepted, and write the rest to the store in one transaction.

>>> from toolkit.ingest import ingest
>>> report = ingest("export.xlsx", "surveys/annual_topics.yaml", "data/x.db")   # doctest: +SKIP
"""

from toolkit.ingest.errors import IngestError
from toolkit.ingest.files import RawTable, read_table
from toolkit.ingest.exports import write_export
from toolkit.ingest.infer import infer_form
from toolkit.ingest.pipeline import ingest, read_export
from toolkit.ingest.resubmit import resubmit

__all__ = ["IngestError", "RawTable", "infer_form", "ingest", "read_export", "read_table", "resubmit", "write_export"]
