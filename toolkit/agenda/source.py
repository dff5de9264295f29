"""Read a table of messages (xlsx / xls / csv) and map its columns to the canonical message columns."""

from __future__ import annotations

import pandas as pd

from toolkit import tables
from toolkit.agenda.errors import AgendaError
from toolkit.messages import AUTO, RESPONDENT_COLUMNS, Columns, file_where, from_frame

__all__ = ["RESPONDENT_COLUMNS", "messages_from", "read_table"]


def read_table(path) -> pd.DataFrame:
    """The first sheet of an Excel file or a CSV (see :func:`toolkit.tables.read_table`)."""
    return tables.read_table(path, error=AgendaError)


def messages_from(
    frame: pd.DataFrame,
    *,
    text_col: str,
    id_col: str,
    time_col: str,
    likes_col=None,
    dislikes_col=None,
    respondent_col=None,
    sector_col=None,
    district_col=None,
    path=None,
    where=None,
) -> pd.DataFrame:
    """Canonical messages (id, text, time, [respondent, likes, dislikes, sector, district]) from a raw table.

    ``text_col`` may name several columns joined by commas ("留言主题,留言详情"): their texts are concatenated.
    Without ``respondent_col`` the first column named like one (留言用户, 用户 …) is taken.
    Text is normalised and personal data masked here, so everything downstream shows masked text.
    ``path`` (a file) or ``where`` (any other source) names the table in messages. See :mod:`toolkit.messages`.
    """
    columns = Columns(
        text=text_col,
        id=id_col,
        time=time_col,
        respondent=respondent_col or AUTO,
        likes=likes_col,
        dislikes=dislikes_col,
        sector=sector_col,
        district=district_col,
    )
    return from_frame(
        frame,
        columns,
        where=where or (file_where(path) if path is not None else "输入表"),
        error=AgendaError,
        clean=True,
    )
