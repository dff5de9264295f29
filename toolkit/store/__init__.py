"""Store: forms, responses, batches, rejected rows, audit and curation logs in one database.

>>> from toolkit.store import open_store
>>> store = open_store("data/demo.db")        # doctest: +SKIP
"""

from toolkit.store.errors import StoreError
from toolkit.store.store import META_COLUMNS, Store, open_store

__all__ = ["META_COLUMNS", "Store", "StoreError", "open_store"]
