"""Store: forms, responses, batches, rejected rows, audit and curation logs in one database.

>>> from toolkit.store import open_store
>>> store = open_store("data/demo.db")        # doctest: +SKIP
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "META_COLUMNS": "toolkit.store.store",
    "Store": "toolkit.store.store",
    "open_store": "toolkit.store.store",
    # for stages that keep their own tables in the store (entry's drafts and second entries)
    "dumps": "toolkit.store.store",
    "is_lock_error": "toolkit.store.store",
    "now": "toolkit.store.store",
    "schema": "toolkit.store.schema",
    "StoreBusy": "toolkit.store.errors",
    "StoreConflict": "toolkit.store.errors",
    "SerialTaken": "toolkit.store.errors",
    "StaleEdit": "toolkit.store.errors",
    "display": "toolkit.store.store",
    "local_midnight": "toolkit.store.store",
    "lock": "toolkit.store.store",
    # for commands of other stages that open a store: --db-env, hints without the password
    "add_db_arguments": "toolkit.store.location",
    "add_db_env": "toolkit.store.location",
    "db_hint": "toolkit.store.location",
    "StoreError": "toolkit.store.errors",
    # operators' accounts (the user commands and the entry page's login)
    "add_operator": "toolkit.store.accounts",
    "check_login": "toolkit.store.accounts",
    "check_new_password": "toolkit.store.accounts",
    "clean_name": "toolkit.store.accounts",
    "disable_operator": "toolkit.store.accounts",
    "has_operators": "toolkit.store.accounts",
    "list_operators": "toolkit.store.accounts",
    "require_account": "toolkit.store.accounts",
    "set_password": "toolkit.store.accounts",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
