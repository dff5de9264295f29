"""The entry page's login: when the store has operators' accounts, a name and password come first.

The check runs in the page's kernel (the password never leaves the office machine serving the page,
and its hash never reaches the browser); once logged in, the form is entered under the account's name,
fixed for the session. A refused login waits ``accounts.LOGIN_DELAY`` seconds before answering; after
``accounts.MAX_FAILURES`` wrong passwords the account is locked for a while and the panel says until when.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as w

from toolkit.entry.errors import EntryError
from toolkit.forms import Form
from toolkit.store import Store

if TYPE_CHECKING:
    from toolkit.entry.widgets import EntryForm


class LoginPanel:
    """Name + password; on success shows ``EntryForm(form, store, operator=name, account=True)`` in its place."""

    def __init__(self, form: Form, store: Store):
        self.form, self.store = form, store
        self.entry: EntryForm | None = None  # once logged in
        self.name = w.Text(placeholder="您的姓名", description="录入员", layout=w.Layout(width="260px"))
        self.name.add_class("wdy-login-name")
        self.password = w.Password(placeholder="密码", description="密码", layout=w.Layout(width="260px"))
        self.password.add_class("wdy-login-password")
        self.button = w.Button(description="登录", button_style="primary")
        self.button.add_class("wdy-login")
        self.button.on_click(lambda _: self.login())
        self.status = w.HTML("")
        self.status.add_class("wdy-login-status")
        title = w.HTML(
            f"<h3 style='margin:4px 0'>{html.escape(form.title)}</h3><small>请用管理员为您建的账号登录后录入。</small>"
        )
        self.widget = w.VBox([title, self.name, self.password, self.button, self.status])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def login(self) -> bool:
        """Check the typed name and password; on success replace the panel by the entry form."""
        from toolkit.entry.widgets import EntryForm
        from toolkit.store import StoreError, check_login

        if self.entry is not None:
            return True
        self.button.disabled = True
        self.status.value = "正在核对……"
        refusal: Exception | None = None
        try:
            name = check_login(self.store, self.name.value, self.password.value)
        except StoreError as exc:
            if exc.code != "store.operator_locked":
                raise
            name, refusal = None, exc  # the account is locked: say so, and until when
        finally:
            self.password.value = ""  # never kept in the widget's state
            self.button.disabled = False
        if name is None:
            message = html.escape(str(refusal or EntryError("entry.login_failed")))
            self.status.value = f"<p style='color:#c62828'>{message}</p>"
            return False
        self.entry = EntryForm(self.form, self.store, operator=name, account=True)
        self.widget.children = [self.entry.widget]
        return True
