"""The year report of the opinion stage: the 报送登记表 and what it adds up to.

An item belongs to the year of its 报送 (not yet submitted: of its 起草). ``year_report`` returns the frames
(for the deck and the report later); ``write_year_report`` writes them as one workbook (numbers, no formulas,
masked) and two charts in the house style: the funnel 报送 → 采用 → 批示 → 办结, and reports by theme.

界别 come from the member register (the member stage's ``members`` table) when it holds the 反映人;
a name it does not hold is counted as “未登记”. Themes are the issue labels the items were drafted from.

>>> from toolkit.opinion import year_report, write_year_report
>>> report = year_report(store, 2026)                               # doctest: +SKIP
>>> report.summary                                                    # doctest: +SKIP
>>> write_year_report(report, "reports/社情民意/2026")              # doctest: +SKIP
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from toolkit.opinion import records
from toolkit.opinion.activities import _members
from toolkit.opinion.errors import OpinionError
from toolkit.opinion.states import ANSWERS, FOLLOW_UP, STATES

FUNNEL = ("报送", "采用", "批示", "办结")
NO_THEME = "未关联议题"
NO_SECTOR = "未登记"
NOT_YET = "（未报送）"

REGISTER_COLUMNS = [
    "编号",
    "类别",
    "标题",
    "反映人",
    "界别",
    "报送单位",
    "议题",
    *STATES,
    "批示领导",
    "承办单位",
    "办理期限",
    "答复类别",
    "最近问效",
    "当前状态",
    "报送至答复（天）",
    "是否逾期",
    "逾期原因",
    "依据留言（条）",
]


@dataclass
class YearReport:
    """A year's 社情民意信息 and 协商意见: the register and every table and number the report shows."""

    year: int
    today: str
    register: pd.DataFrame  # REGISTER_COLUMNS, one row per item, in id order
    by_state: pd.DataFrame  # 状态, 条数 (every state, in order)
    funnel: pd.DataFrame  # 环节, 条数, 占报送(%)
    by_member: pd.DataFrame  # 反映人, 界别, 撰写, 报送, 采用, 批示, 办结
    by_sector: pd.DataFrame  # 界别, 篇数, 采用, 批示
    by_theme: pd.DataFrame  # 议题, 篇数, 报送, 采用, 批示, 办结, 采用或批示
    overdue: pd.DataFrame  # 编号, 标题, 当前状态, 承办单位, 办理期限, 逾期原因
    submitted: int = 0
    adopted: int = 0
    instructed: int = 0  # items with at least one 批示
    instructions: int = 0  # 批示 steps (several leaders count each)
    closed: int = 0
    days: list[int] = field(default_factory=list)  # 报送 to 答复, per answered item
    notes: list[str] = field(default_factory=list)

    @property
    def adoption_rate(self) -> float | None:
        """采用率: adopted of submitted, in per cent (None before anything is submitted)."""
        return round(100 * self.adopted / self.submitted, 1) if self.submitted else None

    @property
    def median_days(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    @property
    def max_days(self) -> int | None:
        return max(self.days) if self.days else None

    @property
    def summary(self) -> pd.DataFrame:
        """项目, 数值: the year's headline numbers."""
        rate = "—" if self.adoption_rate is None else f"{self.adoption_rate:.1f}%"
        rows = [
            ("年度", str(self.year)),
            ("登记（条）", str(len(self.register))),
            ("报送（条）", str(self.submitted)),
            ("采用（条）", str(self.adopted)),
            ("采用率", rate),
            ("获批示（条）", str(self.instructed)),
            ("批示（次）", str(self.instructions)),
            ("办结（条）", str(self.closed)),
            ("报送至答复（天，中位数）", "—" if self.median_days is None else f"{self.median_days:g}"),
            ("报送至答复（天，最长）", "—" if self.max_days is None else str(self.max_days)),
            ("逾期（条）", str(len(self.overdue))),
            ("统计日期", self.today),
        ]
        return pd.DataFrame(rows, columns=["项目", "数值"])

    def to_dict(self) -> dict:
        def rows(frame):
            return frame.astype(object).where(frame.notna(), None).to_dict("records")

        return {
            "year": self.year,
            "today": self.today,
            "items": len(self.register),
            "submitted": self.submitted,
            "adopted": self.adopted,
            "adoption_rate": self.adoption_rate,
            "instructed": self.instructed,
            "instructions": self.instructions,
            "closed": self.closed,
            "days_to_answer": {"median": self.median_days, "max": self.max_days, "n": len(self.days)},
            "by_state": dict(zip(self.by_state["状态"], self.by_state["条数"].astype(int))),
            "funnel": rows(self.funnel),
            "by_member": rows(self.by_member),
            "by_sector": rows(self.by_sector),
            "by_theme": rows(self.by_theme),
            "overdue": rows(self.overdue),
            "notes": self.notes,
        }


def year_report(store, year, *, today_is: str | None = None) -> YearReport:
    """The year report of ``year`` (items 报送 that year, or drafted that year and not yet submitted);
    overdue as of ``today_is`` (default today)."""
    from toolkit.opinion.register import _year
    from toolkit.opinion.states import parse_date

    year = _year(year)
    today_is = parse_date(today_is, "--today") if today_is else records.today()
    listed = records.items_frame(store, today_is=today_is).set_index("id", drop=False)
    steps = records.steps_frame(store)
    by_item = {int(k): g.to_dict("records") for k, g in steps.groupby("item_id", sort=True)}
    sectors = _sectors(store)
    rows = []
    for item_id in listed.index:
        own = by_item.get(int(item_id), [])
        first = _first_dates(own)
        dated = first.get("报送") or first.get("起草") or ""
        if not dated.startswith(f"{year:04d}-"):
            continue
        rows.append(_register_row(listed.loc[item_id], own, first, sectors))
    register = pd.DataFrame(rows, columns=[*REGISTER_COLUMNS, "_members", "_instructions"])
    report = YearReport(
        year=year,
        today=today_is,
        register=register[REGISTER_COLUMNS].reset_index(drop=True),
        by_state=_by_state(register),
        funnel=_funnel(register),
        by_member=_by_member(register, sectors),
        by_sector=_by_sector(register, sectors),
        by_theme=_by_theme(register),
        overdue=_overdue(register),
        submitted=int(register["报送"].astype(bool).sum()),
        adopted=int(register["采用"].astype(bool).sum()),
        instructed=int(register["批示"].astype(bool).sum()),
        instructions=int(register["_instructions"].sum()),
        closed=int(register["办结"].astype(bool).sum()),
        days=[int(d) for d in register["报送至答复（天）"] if d != ""],
    )
    if not sectors:
        report.notes.append("委员名单为空（weidiaoyan member import），界别按“未登记”计")
    report.notes.append(
        "每条按报送日期计入年度，尚未报送的按起草日期；“获批示”计条数，“批示”计次数（几位领导各算一次）"
    )
    report.notes.append("采用率 = 采用条数 ÷ 报送条数；报送至答复为自然日")
    return report


def _first_dates(steps: list[dict]) -> dict[str, str]:
    first: dict[str, str] = {}
    for step in steps:
        first.setdefault(step["state"], step["date"])
    return first


def _register_row(row, steps: list[dict], first: dict[str, str], sectors: dict[str, str]) -> dict:
    members = _members(row["member"]) if row["kind"] == "report" else []
    assigned = [s for s in steps if s["state"] == "交办"]
    instructions = [s for s in steps if s["state"] == "批示"]
    checks = [s["date"] for s in steps if s["state"] == FOLLOW_UP]
    days = ""
    if first.get("报送") and first.get("答复"):
        days = (pd.Timestamp(first["答复"]) - pd.Timestamp(first["报送"])).days
    answer = row["answer"] if isinstance(row["answer"], str) else ""
    return {
        "编号": row["name"],
        "类别": records.KINDS.get(row["kind"], row["kind"]),
        "标题": row["title"],
        "反映人": "、".join(members),
        "界别": "、".join(dict.fromkeys(sectors.get(m, NO_SECTOR) for m in members)),
        "报送单位": _text(row["unit"]),
        "议题": _text(row["issue_label"]) or NO_THEME,
        **{state: first.get(state, "") for state in STATES},
        "批示领导": "、".join(s["actor"] for s in instructions if s["actor"]),
        "承办单位": _text(assigned[-1]["actor"] if assigned else None) or _text(row["department"]),
        "办理期限": _text(row["deadline"]),
        "答复类别": f"{answer} {ANSWERS[answer]}" if answer in ANSWERS else "",
        "最近问效": checks[-1] if checks else "",
        "当前状态": _text(row["state"]),
        "报送至答复（天）": days,
        "是否逾期": "是" if row["overdue"] else "",
        "逾期原因": _text(row["overdue_reason"]),
        "依据留言（条）": int(row["n_messages"]),
        "_members": members,
        "_instructions": len(instructions),
    }


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _sectors(store) -> dict[str, str]:
    """名字 -> 界别 from the member register (names held by several members are left out: ambiguous)."""
    from toolkit.store import schema

    t = schema.members
    with store.engine.connect() as c:
        rows = c.execute(select(t.c.name, t.c.sector)).all()
    seen: dict[str, set] = {}
    for name, sector in rows:
        seen.setdefault(str(name), set()).add(str(sector or "") or NO_SECTOR)
    return {name: next(iter(s)) for name, s in seen.items() if len(s) == 1}


def _reached(register: pd.DataFrame, state: str) -> pd.Series:
    return register[state].astype(bool)


def _by_state(register: pd.DataFrame) -> pd.DataFrame:
    counts = register["当前状态"].value_counts()
    return pd.DataFrame({"状态": list(STATES), "条数": [int(counts.get(s, 0)) for s in STATES]})


def _funnel(register: pd.DataFrame) -> pd.DataFrame:
    base = int(_reached(register, "报送").sum())
    counts = [int((_reached(register, s) & _reached(register, "报送")).sum()) for s in FUNNEL]
    share = [round(100 * n / base, 1) if base else None for n in counts]
    return pd.DataFrame({"环节": list(FUNNEL), "条数": counts, "占报送(%)": share})


def _steps_of(frame: pd.DataFrame) -> dict[str, int]:
    return {
        "报送": int(_reached(frame, "报送").sum()),
        "采用": int(_reached(frame, "采用").sum()),
        "批示": int(_reached(frame, "批示").sum()),
        "办结": int(_reached(frame, "办结").sum()),
    }


def _by_member(register: pd.DataFrame, sectors: dict[str, str]) -> pd.DataFrame:
    columns = ["反映人", "界别", "撰写", "报送", "采用", "批示", "办结"]
    exploded = register.explode("_members").dropna(subset=["_members"]) if len(register) else register
    rows = []
    for member, own in exploded.groupby("_members", sort=False):
        rows.append({"反映人": member, "界别": sectors.get(member, NO_SECTOR), "撰写": len(own), **_steps_of(own)})
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["撰写", "反映人"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _by_sector(register: pd.DataFrame, sectors: dict[str, str]) -> pd.DataFrame:
    """One count per report and 界别 (two co-authors of one 界别: the report once)."""
    columns = ["界别", "篇数", "采用", "批示"]
    reports = register[register["_members"].map(bool).astype(bool)].copy()
    if reports.empty:
        return pd.DataFrame(columns=columns)
    reports["_sector"] = reports["_members"].map(lambda ms: list(dict.fromkeys(sectors.get(m, NO_SECTOR) for m in ms)))
    exploded = reports.explode("_sector")
    rows = []
    for sector, own in exploded.groupby("_sector", sort=False):
        steps = _steps_of(own)
        rows.append({"界别": sector, "篇数": len(own), "采用": steps["采用"], "批示": steps["批示"]})
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["篇数", "界别"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _by_theme(register: pd.DataFrame) -> pd.DataFrame:
    columns = ["议题", "篇数", "报送", "采用", "批示", "办结", "采用或批示"]
    rows = [
        {
            "议题": theme,
            "篇数": len(own),
            **_steps_of(own),
            "采用或批示": int((_reached(own, "采用") | _reached(own, "批示")).sum()),
        }
        for theme, own in register.groupby("议题", sort=False)
    ]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["篇数", "议题"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def _overdue(register: pd.DataFrame) -> pd.DataFrame:
    columns = ["编号", "标题", "当前状态", "承办单位", "办理期限", "逾期原因"]
    return register.loc[register["是否逾期"] == "是", columns].reset_index(drop=True)


# ---- the files ---------------------------------------------------------------------------------------------
def workbook_sheets(report: YearReport) -> dict[str, pd.DataFrame]:
    notes = pd.DataFrame([("说明", n) for n in report.notes], columns=["项目", "数值"])
    days = (
        pd.DataFrame({"报送至答复（天）": report.days}) if report.days else pd.DataFrame(columns=["报送至答复（天）"])
    )
    return {
        "报送登记表": report.register,
        "汇总": pd.concat([report.summary, notes], ignore_index=True),
        "按状态": report.by_state,
        "办理环节": report.funnel,
        "按委员": report.by_member,
        "按界别": report.by_sector,
        "按议题": report.by_theme,
        "逾期清单": report.overdue,
        "办理天数": days,
    }


def write_year_report(report: YearReport, out) -> dict[str, Path]:
    """``out/社情民意年度报告_<year>.xlsx`` and the two charts (``out/charts/``, PNG/SVG/PDF/CSV each);
    returns name -> path. The workbook appears whole or not at all."""
    from toolkit.office import write_xlsx
    from toolkit.opinion.yearly_charts import funnel_chart, theme_chart
    from toolkit.outfolder import check_out_dir, output_file

    out = check_out_dir(out, error=OpinionError)
    book = out / f"社情民意年度报告_{report.year}.xlsx"
    with output_file(book, error=OpinionError, flag="--out") as tmp:
        write_xlsx(workbook_sheets(report), tmp, widths={"标题": 40, "逾期原因": 30}, keep=["编号"])
    written = {"workbook": book}
    funnel = funnel_chart(report, path_stem=out / "charts" / "01_办理环节")
    theme = theme_chart(report, path_stem=out / "charts" / "02_按议题")
    written |= {f"chart:funnel:{k}": p for k, p in funnel.paths.items()}
    written |= {f"chart:theme:{k}": p for k, p in theme.paths.items()}
    return written
