"""One reader per export flavour behind one interface (``Reader``); ``detect`` picks one for ``--source auto``."""

from __future__ import annotations

from toolkit.ingest.errors import IngestError
from toolkit.ingest.files import RawTable
from toolkit.ingest.readers.base import Layout, Reader, SourceColumn, SourceQuestion
from toolkit.ingest.readers.table import TableReader
from toolkit.ingest.readers.tencent import TencentReader
from toolkit.ingest.readers.wjx import WjxReader
from toolkit.ingest.readers.xlsform import KoboReader, OdkReader

READERS: dict[str, Reader] = {
    r.name: r for r in (WjxReader(), TencentReader(), KoboReader(), OdkReader(), TableReader())
}
SOURCES = ("auto", *READERS)


def get_reader(name: str, table: RawTable | None = None) -> Reader:
    """The reader called ``name``; with ``auto``, the one that recognises ``table`` best (else ``table``)."""
    if name == "auto":
        if table is None:
            raise ValueError("auto needs a table")
        scores = {r.name: r.score(table) for r in READERS.values() if r.name != "table"}
        best = max(scores, key=scores.get)
        return READERS[best] if scores[best] >= 0.5 else READERS["table"]
    if name not in READERS:
        raise IngestError("ingest.source_unknown", name=name, known="、".join(SOURCES))
    return READERS[name]


__all__ = ["Layout", "READERS", "Reader", "SOURCES", "SourceColumn", "SourceQuestion", "get_reader"]
