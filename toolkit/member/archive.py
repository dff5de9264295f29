"""The 履职档案 of a year: one DOCX per member, the committee workbook, two charts, the rules used.

``build_archive`` computes everything from the store (nothing is written); ``write_archive`` writes it into
one output folder, whole or not at all (``toolkit.outfolder``). Each point in the workbook's 积分明细 names
its activity (``A``/``R``/``O`` + id) and the rule applied, so any total can be traced back to records; the
rules file is copied beside the results with its SHA-256, so they can be reproduced with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.member.activity import Activities, activities
from toolkit.member.errors import MemberError
from toolkit.member.points import score
from toolkit.member.register import members
from toolkit.member.rules import Rules, load_rules

WORKBOOK = "委员履职汇总表.xlsx"
DOSSIERS = "履职档案"
RULES_COPY = "计分规则.yaml"
ARCHIVE_FILES = (WORKBOOK, DOSSIERS, f"{DOSSIERS}/*", "charts", "charts/*", RULES_COPY)
NO_STUDIO = "（未填写）"


@dataclass
class Archive:
    """One year's archive as tables; ``summary`` has one row per member (Chinese headers, as written)."""

    year: int
    as_of: dt.date
    idle_months: int
    rules: Rules
    register: pd.DataFrame  # toolkit.member.members
    activities: Activities  # the year's duties (and the unmatched names)
    points: pd.DataFrame  # toolkit.member.score of the year's duties
    summary: pd.DataFrame
    last_dates: dict[int, str]  # member_id -> date of the last duty up to as_of ("" if none)
    notes: list[str] = field(default_factory=list)

    @property
    def idle_column(self) -> str:
        return f"近{self.idle_months}个月无履职记录"


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, last[month - 1]))


def build_archive(store, year: int, *, rules=None, idle_months: int = 6, as_of=None) -> Archive:
    """The archive of ``year`` from ``store``.

    ``rules``: a ``Rules`` or a rules file path (default: the bundled example). ``as_of``: the day the
    "no duty in the last ``idle_months`` months" flag looks back from (default: the year's last day, or
    today while the year runs).
    """
    from toolkit.member.activity import parse_date

    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise MemberError("member.year_invalid", flag="--year", value=year)
    if not isinstance(idle_months, int) or isinstance(idle_months, bool) or not 1 <= idle_months <= 36:
        raise MemberError("member.months_invalid", flag="--idle-months", value=idle_months)
    rules = rules if isinstance(rules, Rules) else load_rules(rules)
    end = dt.date(year, 12, 31)
    as_of = min(end, dt.date.today()) if as_of is None else parse_date(as_of, flag="--as-of")
    register = members(store)
    if register.empty:
        raise MemberError("member.no_register", db=store.shown)
    since = _months_before(as_of, idle_months)
    every = activities(store, range(min(since.year, year), max(as_of.year, year) + 1))
    frame = every.frame
    of_year = frame[frame["date"].str[:4] == str(year)].reset_index(drop=True)
    lost = every.unmatched[every.unmatched["date"].str[:4] == str(year)].reset_index(drop=True)
    this_year = Activities(of_year, lost, every.notes)
    points = score(of_year, rules)
    upto = frame[frame["date"] <= as_of.isoformat()]
    last = upto.groupby("member_id")["date"].max().to_dict()
    last_dates = {int(m): last.get(m, "") for m in register["member_id"]}
    archive = Archive(year, as_of, idle_months, rules, register, this_year, points, pd.DataFrame(), last_dates)
    archive.summary = _summary(archive, since)
    archive.notes = list(every.notes)
    unlisted = sorted(set(of_year["kind"]) - set(rules.kinds))
    if unlisted:
        archive.notes.append("计分规则未列、不计分的履职类型：" + "、".join(unlisted))
    if len(lost):
        archive.notes.append(
            f"{lost['name'].nunique()} 个姓名未能对应名单中的委员（{len(lost)} 条记录），未计入；"
            "见“未匹配姓名”表，用 weidiaoyan member alias 或补充名单后重新生成"
        )
    return archive


def kind_order(archive: Archive) -> list[str]:
    """The kinds of the year's duties: the rules' order first, then the others by name."""
    present = set(archive.activities.frame["kind"])
    return [k for k in archive.rules.kinds if k in present] + sorted(present - set(archive.rules.kinds))


def _summary(archive: Archive, since: dt.date) -> pd.DataFrame:
    reg = archive.register.set_index("member_id")
    kinds = kind_order(archive)
    by_kind = archive.points.pivot_table(index="member_id", columns="kind", values="points", aggfunc="sum")
    counts = archive.activities.frame.groupby("member_id")["activity_id"].nunique()
    rows = []
    for member_id, m in reg.iterrows():
        last = archive.last_dates[member_id]
        row = {
            "序号": member_id,
            "委员编号": m["code"] or "",
            "姓名": m["name"],
            "界别": m["sector"],
            "所在镇街/委员工作室": m["studio"] or NO_STUDIO,
            "职务": m["title"] or "",
            "履职次数": int(counts.get(member_id, 0)),
        }
        for kind in kinds:
            value = by_kind.at[member_id, kind] if member_id in by_kind.index and kind in by_kind.columns else 0.0
            row[f"{kind}（分）"] = 0.0 if pd.isna(value) else float(value)
        row["总积分"] = float(sum(row[f"{k}（分）"] for k in kinds))
        row["最近履职日期"] = last
        row[archive.idle_column] = "是" if not last or last <= since.isoformat() else ""
        rows.append(row)
    return pd.DataFrame(rows)


def _groups(summary: pd.DataFrame, by: str, idle: str) -> pd.DataFrame:
    point_cols = [c for c in summary.columns if c.endswith("（分）")]
    grouped = summary.groupby(by, sort=True)
    table = grouped[["履职次数", *point_cols, "总积分"]].sum()
    table.insert(0, "委员人数", grouped.size())
    table["人均积分"] = (table["总积分"] / table["委员人数"]).round(2)
    table[f"{idle}人数"] = grouped[idle].apply(lambda s: int((s == "是").sum()))
    return table.reset_index()


def _safe_name(text: str) -> str:
    """``text`` as one file name: no separators or characters Windows refuses, never ``.`` or ``..``."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(text)).strip("_.") or "委员"


def dossier_name(code: str, member_id: int, name: str) -> str:
    """The DOCX of one member inside the 履职档案 folder: ``W-03_王芳.docx``, ``001_陈明.docx`` without a code.
    The code and name come from the office's list: both are made safe, so none can name a file elsewhere."""
    return f"{_safe_name(code) if code else f'{member_id:03d}'}_{_safe_name(name)}.docx"


def write_archive(archive: Archive, out) -> dict[str, Path]:
    """Write the archive into the folder ``out`` (replaced whole at the end); the paths written."""
    from toolkit.office import write_xlsx
    from toolkit.outfolder import output_folder, relocate

    with output_folder(out, error=MemberError, names=ARCHIVE_FILES) as stage:
        paths = {"workbook": write_xlsx(_sheets(archive), stage / WORKBOOK, keep=("记录编号",))}
        rules_copy = stage / RULES_COPY
        rules_copy.write_text(archive.rules.text, encoding="utf-8")
        paths["rules"] = rules_copy
        paths.update(_charts(archive, stage / "charts"))
        for member_id, path in _dossiers(archive, stage / DOSSIERS).items():
            paths[f"dossier:{member_id}"] = path
    return relocate(paths, stage, out)


def _sheets(archive: Archive) -> dict[str, pd.DataFrame]:
    reg = archive.register.set_index("member_id")
    idle = archive.idle_column
    summary = archive.summary
    names = reg["name"]
    points = archive.points.assign(
        委员编号=archive.points["member_id"].map(reg["code"]).fillna(""), 姓名=archive.points["member_id"].map(names)
    )
    points = points.rename(
        columns={
            "activity_id": "记录编号",
            "date": "日期",
            "kind": "类型",
            "source": "来源",
            "base": "分值",
            "multiplier": "倍数",
            "points": "积分",
            "rule": "计分说明",
        }
    )[["委员编号", "姓名", "记录编号", "日期", "类型", "来源", "分值", "倍数", "积分", "计分说明"]]
    acts = archive.activities.frame
    duties = pd.DataFrame(
        {
            "记录编号": acts["activity_id"],
            "日期": acts["date"],
            "类型": acts["kind"],
            "委员": acts["member_id"].map(names),
            "记录人": acts["recorder"],
            "来源": acts["source"],
            "群众诉求": acts["concerns"].map(lambda cs: "\n".join(cs)),
            "备注": acts["note"],
        }
    )
    lost = archive.activities.unmatched.rename(
        columns={
            "name": "记录中的姓名",
            "reason": "原因",
            "activity_id": "记录编号",
            "kind": "类型",
            "date": "日期",
            "source": "来源",
        }
    )
    about = pd.DataFrame(
        {
            "项目": ["年度", "统计截至", "计分规则", "计分规则 SHA-256", "长期未履职", "说明"],
            "内容": [
                str(archive.year),
                archive.as_of.isoformat(),
                archive.rules.name,
                archive.rules.sha256,
                f"截至 {archive.as_of.isoformat()} 的 {archive.idle_months} 个月内没有履职记录的委员标为“是”",
                "；".join(archive.notes) or "无",
            ],
        }
    )
    return {
        "委员履职汇总": summary,
        "按界别": _groups(summary, "界别", idle),
        "按工作室": _groups(summary, "所在镇街/委员工作室", idle),
        "积分明细": points,
        "履职活动": duties,
        "未匹配姓名": lost,
        "说明": about,
    }


def _charts(archive: Archive, folder: Path) -> dict[str, Path]:
    from toolkit.member.charts import monthly_chart, sector_points_chart

    kinds = kind_order(archive)
    by_sector = archive.summary.groupby("界别")[[f"{k}（分）" for k in kinds]].sum()
    by_sector.columns = kinds
    by_sector.index.name = "界别"
    if by_sector.empty or not kinds:
        by_sector = pd.DataFrame({"积分": 0.0}, index=pd.Index(sorted(set(archive.summary["界别"])), name="界别"))
    total = float(archive.points["points"].sum())
    title = _sector_title(by_sector.sum(axis=1), archive.year) if total else f"{archive.year}年尚无计分的履职活动"
    subtitle = f"{archive.year}年｜委员 {len(archive.register)} 人，积分合计 {total:g}｜计分规则：{archive.rules.name}"
    sector = sector_points_chart(by_sector, title=title, subtitle=subtitle, path_stem=folder / "01_界别积分")
    acts = archive.activities.frame.drop_duplicates("activity_id")
    per_month = acts["date"].str[5:7].astype(int).value_counts() if len(acts) else pd.Series(dtype=int)
    busiest = per_month[per_month == per_month.max()] if len(per_month) else per_month
    if len(busiest) == 1:
        title = f"{int(busiest.index[0])}月的履职活动最多"
    else:
        title = f"{archive.year}年有记录的履职活动 {len(acts)} 次" if len(acts) else f"{archive.year}年尚无履职活动记录"
    subtitle = f"{archive.year}年｜履职活动 {len(acts)} 次（几位委员同去算一次）"
    month = monthly_chart(per_month, title=title, subtitle=subtitle, path_stem=folder / "02_每月履职")
    return {f"chart:sector:{k}": p for k, p in sector.paths.items()} | {
        f"chart:month:{k}": p for k, p in month.paths.items()
    }


def _sector_title(totals: pd.Series, year: int) -> str:
    """The sector chart's finding: the 界别 with most points, or those that share the most (a tie names them all)."""
    top = totals[totals == totals.max()]
    if len(top) == 1:
        return f"{top.index[0]}委员积分最多"
    if len(top) <= 3:
        return f"{'、'.join(map(str, top.index))}委员积分并列最多"
    return f"{year}年 {len(top)} 个界别委员积分并列最多"


def _dossiers(archive: Archive, folder: Path) -> dict[int, Path]:
    from toolkit.member.dossier import write_dossier

    acts, points = archive.activities.frame, archive.points
    header = f"{archive.year}年度｜统计截至 {archive.as_of.isoformat()}｜计分规则：{archive.rules.name}"
    footer = (
        "每项履职活动都可凭“来源”查到原始记录（A：工作人员录入，R：答卷，O：社情民意信息）；"
        f"计分规则 {Path(archive.rules.path).name}（SHA-256 {archive.rules.sha256[:12]}…），"
        f"与 {WORKBOOK} 的“积分明细”逐条对应。"
    )
    written = {}
    for row in archive.summary.to_dict("records"):
        member_id = int(row["序号"])
        mine = points[points["member_id"] == member_id]
        who = {label: row[label] for label in ("姓名", "委员编号", "界别", "所在镇街/委员工作室", "职务")}
        kinds = mine.groupby("kind", sort=False).agg(次数=("activity_id", "nunique"), 积分=("points", "sum"))
        kinds = kinds.reset_index().rename(columns={"kind": "类型"})
        kinds["积分"] = kinds["积分"].map(lambda x: f"{x:g}")
        own = acts[acts["member_id"] == member_id].merge(
            mine[["activity_id", "kind", "points", "rule"]], on=["activity_id", "kind"], how="left"
        )
        duties = pd.DataFrame(
            {
                "日期": own["date"],
                "类型": own["kind"],
                "编号": own["activity_id"],
                "来源": own["source"],
                "记录人": own["recorder"],
                "积分": own["points"].map(lambda x: f"{x:g}"),
                "计分说明": own["rule"],
            }
        )
        concerns = [(r.date, r.source, text) for r in own.itertuples() for text in r.concerns]
        summary = (
            f"{archive.year}年有记录的履职活动 {row['履职次数']} 次，积分 {row['总积分']:g} 分；"
            f"最近一次履职：{row['最近履职日期'] or '无记录'}。"
        )
        idle = ""
        if row[archive.idle_column]:
            idle = f"提示：截至 {archive.as_of.isoformat()}，近 {archive.idle_months} 个月没有履职记录。"
        name = dossier_name(row["委员编号"], member_id, row["姓名"])
        if any(p.name == name for p in written.values()):  # two codes alike once made safe ("W/1", "W_1")
            name = f"{member_id:03d}_{name}"
        written[member_id] = write_dossier(
            folder / name,
            member=who,
            header=header,
            summary=summary,
            idle=idle,
            kinds=kinds,
            duties=duties,
            concerns=concerns,
            footer=footer,
        )
    return written
