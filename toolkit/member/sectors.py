"""The committee's list of 界别 (sectors) a member's 界别 must be one of.

By default the bundled list (``sectors.txt``: the choices of the bundled 走访记录表's 界别 question); a
committee with other 界别 gives its own list: a text file, one 界别 a line, or a form YAML whose
``role: sector`` question lists them.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.member.errors import MemberError

BUNDLED = Path(__file__).with_name("sectors.txt")


def read_sectors(path=None) -> list[str]:
    """The 界别 of the list at ``path`` (default: the bundled list), in its order."""
    path = Path(path) if path is not None else BUNDLED
    if not path.is_file():
        raise MemberError("file.not_found", path=path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from toolkit.forms import load_form

        question = load_form(path).by_role("sector")
        names = [c.label for c in question.choices] if question is not None else []
    else:
        from toolkit.filesafety import read_input
        from toolkit.tables import decode_text

        text = decode_text(read_input(path, limit=1 << 20))[0]
        names = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    names = list(dict.fromkeys(names))
    if not names:
        raise MemberError("member.sectors_empty", path=path)
    return names
