"""Members (委员): the register, their duties from records, points by rules, and each one's 履职档案.

Public names
------------
import_members(store, path, sectors=None, operator=None) -> ImportResult
                   check a 委员名单 (xlsx/csv: 姓名, 界别, 所在镇街/委员工作室, 职务, optional 委员编号) whole,
                   then add and update its members in one audited transaction; nothing is written on error.
read_member_list(path, sectors=None)  the checked rows of a list, without writing.
members(store)     the register: member_id, code, name, sector, studio, title.
read_sectors(path=None)  a 界别 list (default: the bundled one, the 走访记录表's 界别 choices).
set_alias / remove_alias / aliases   other ways records write a member's name ("陈委员").
record_activity(store, kind=, date=, members=[…], note=None, operator=None) -> id
                   a duty entered by staff (STAFF_KINDS: 接待日, 协商会, 视察, 走访, 调研, 其他); void_activity.
activities(store, years) -> Activities
                   every duty of those years: entered ones, responses of forms with a role member/collector
                   question, and 社情民意信息 steps when toolkit.opinion is installed; unmatched names apart.
load_rules(path=None) -> Rules       a checked rules YAML (default: rules_example.yaml).
score(frame, rules) -> points table  one row per (activity, member) with the points and the rule applied.
build_archive(store, year, …) -> Archive;  write_archive(archive, out) -> {name: Path}
                   the 履职档案 DOCX per member, the committee workbook, two charts.
activity_widget(store, operator=None)  a JupyterLab panel entering duties with record_activity.
MemberError        the stage's error.
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "ACTIVITY_COLUMNS": "toolkit.member.activity",
    "Activities": "toolkit.member.activity",
    "STAFF_KINDS": "toolkit.member.activity",
    "activities": "toolkit.member.activity",
    "parse_date": "toolkit.member.activity",
    "record_activity": "toolkit.member.activity",
    "void_activity": "toolkit.member.activity",
    "Archive": "toolkit.member.archive",
    "build_archive": "toolkit.member.archive",
    "write_archive": "toolkit.member.archive",
    "MemberError": "toolkit.member.errors",
    "Register": "toolkit.member.names",
    "aliases": "toolkit.member.names",
    "remove_alias": "toolkit.member.names",
    "set_alias": "toolkit.member.names",
    "POINT_COLUMNS": "toolkit.member.points",
    "score": "toolkit.member.points",
    "ImportResult": "toolkit.member.register",
    "import_members": "toolkit.member.register",
    "members": "toolkit.member.register",
    "read_member_list": "toolkit.member.register",
    "Rules": "toolkit.member.rules",
    "load_rules": "toolkit.member.rules",
    "read_sectors": "toolkit.member.sectors",
    "activity_widget": "toolkit.member.widget",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
