"""Tables of the store (SQLAlchemy Core; SQLite by default, PostgreSQL by URL).

JSON payloads are kept as UTF-8 text so the same schema works on every backend and stays
readable with any SQLite browser. Stamps the store writes (``created_at``, ``at`` …) are ISO text in UTC
with their offset, ``2026-05-01 08:30:00+00:00`` (migration 0005): they sort as the instants they name.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, UniqueConstraint

metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("id", String(64), primary_key=True),  # e.g. "0001_initial"
    Column("description", Text, nullable=False),
    Column("applied_at", String(32), nullable=False),
)

forms = Table(
    "forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("version", Integer, nullable=False),  # store revision: 1, 2, … per form_id
    Column("label", String(64), nullable=False),  # the author's version string from YAML
    Column("title", Text, nullable=False),
    Column("fingerprint", String(32), nullable=False),
    Column("definition", Text, nullable=False),  # Form.to_dict() as JSON
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("form_id", "version"),
    UniqueConstraint("form_id", "fingerprint"),
)

batches = Table(
    "batches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("source", String(32), nullable=False),  # wjx, tencent, kobo, odk, table, entry, sample
    Column("filename", Text),
    Column("file_sha256", String(64)),
    Column("operator", String(64)),
    Column("created_at", String(32), nullable=False),
    Column("n_rows", Integer, nullable=False, default=0),
    Column("n_accepted", Integer, nullable=False, default=0),
    Column("n_rejected", Integer, nullable=False, default=0),
    Column("n_duplicates", Integer, nullable=False, default=0),
    Column("report", Text),  # JSON import report
)

responses = Table(
    "responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("serial", String(64)),  # 问卷编号 of a paper form
    Column("source", String(32), nullable=False),
    Column("batch_id", Integer, ForeignKey("batches.id")),
    Column("row_number", Integer),  # row in the imported file (1 = first data row)
    Column("external_id", String(128)),  # the platform's own id (序号, _uuid, KEY …)
    Column("fingerprint", String(64)),  # idempotency key: same row imported twice -> same key
    Column("operator", String(64)),
    Column("answers", Text, nullable=False),  # JSON {question id: value}
    Column("raw", Text),  # JSON of the original row, kept as imported
    Column("flags", Text),  # JSON list of review flags, e.g. ["possible_duplicate"]
    Column("status", String(16), nullable=False, default="active"),  # active | void
    Column("submitted_at", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # 1, 2, … each save of a correction or status change; a correction of an older one is refused (0004)
    Column("revision", Integer, nullable=False, default=1, server_default="1"),
    UniqueConstraint("form_id", "fingerprint", name="uq_responses_fingerprint"),
)
Index("ix_responses_form", responses.c.form_id, responses.c.status)
Index("ix_responses_serial", responses.c.form_id, responses.c.serial)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("batch_id", Integer, ForeignKey("batches.id"), nullable=False),
    Column("row_number", Integer),
    Column("column", Text),  # column or question id that failed
    Column("rule", String(32), nullable=False),  # required, choice, type, constraint, unreadable …
    Column("value", Text),
    Column("message", Text, nullable=False),  # Chinese: where, rule, value, fix
    Column("raw", Text),  # JSON of the whole original row
    Column("status", String(16), nullable=False, default="open"),  # open | resubmitted | dismissed
    Column("response_id", Integer, ForeignKey("responses.id")),  # set when fixed and re-submitted
    Column("fingerprint", String(64)),  # ingest: same source row quarantined once (0003_ingest)
    Column("created_at", String(32), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", String(32), nullable=False),
    Column("operator", String(64)),
    Column("action", String(32), nullable=False),  # create, update, void, restore, resubmit …
    Column("entity", String(32), nullable=False),  # response, rejected_row, form …
    Column("entity_id", Integer),
    Column("before", Text),
    Column("after", Text),
    Column("reason", Text),
)

curation_log = Table(
    "curation_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("model_key", String(128), nullable=False),  # which topic run the edits belong to
    Column("seq", Integer, nullable=False),  # replay order
    Column("action", String(32), nullable=False),  # merge, split, rename, move, exclude …
    Column("params", Text, nullable=False),  # JSON
    Column("operator", String(64)),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("model_key", "seq"),
)

# Duplicate checks look new rows up here instead of decoding every stored response (migration 0006):
# one row per identity answer (问卷编号, phone, ID number: ``Form.identity_questions``) and one for the
# whole answers, each a hash, so an import into a large store reads only the responses that may match.
response_keys = Table(
    "response_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("key", String(32), nullable=False),
    Column("response_id", Integer, ForeignKey("responses.id"), nullable=False),
)
Index("ix_response_keys_lookup", response_keys.c.form_id, response_keys.c.key)
Index("ix_response_keys_response", response_keys.c.response_id)

# Operators' accounts (migration 0007): who enters and corrects, each with a salted scrypt hash of their
# password ("scrypt$n$r$p$salt$hash", parameters kept with it); a disabled account can no longer log in.
operators = Table(
    "operators",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("status", String(16), nullable=False, default="active"),  # active | disabled
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # login lockout (migration 0010): wrong passwords counted since the first of them, and the lock's end
    Column("failed_logins", Integer, nullable=False, default=0, server_default="0"),
    Column("first_failed_at", String(32)),
    Column("locked_until", String(32)),
)

# ---- entry stage (migration 0002_entry) ------------------------------------------------
entry_drafts = Table(
    "entry_drafts",
    metadata,  # the form being typed, saved on every change
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("operator", String(64), nullable=False),
    Column("mode", String(16), nullable=False),  # first | second | correct
    Column("answers", Text, nullable=False),  # JSON of the raw typed values
    Column("response_id", Integer),  # the response being corrected, if any
    Column("updated_at", String(32), nullable=False),
    UniqueConstraint("form_id", "operator", "mode", name="uq_entry_drafts"),
)

second_entries = Table(
    "second_entries",
    metadata,  # double entry: the second typing of a paper form
    Column("id", Integer, primary_key=True),
    Column("form_id", String(128), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("serial", String(64), nullable=False),
    Column("response_id", Integer, ForeignKey("responses.id"), nullable=False),  # the first entry
    Column("operator", String(64), nullable=False),
    Column("answers", Text, nullable=False),
    Column("n_fields", Integer, nullable=False),  # fields compared
    Column("n_mismatches", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
)
Index("ix_second_entries_serial", second_entries.c.form_id, second_entries.c.serial)

entry_discrepancies = Table(
    "entry_discrepancies",
    metadata,  # one field that differs between the two entries
    Column("id", Integer, primary_key=True),
    Column("second_entry_id", Integer, ForeignKey("second_entries.id"), nullable=False),
    Column("response_id", Integer, ForeignKey("responses.id"), nullable=False),
    Column("field", String(160), nullable=False),  # answer column, e.g. q3 or services/medical
    Column("first_value", Text),  # JSON
    Column("second_value", Text),  # JSON
    Column("status", String(16), nullable=False, default="open"),  # open | resolved
    Column("resolution", String(16)),  # first | second | other
    Column("resolved_value", Text),  # JSON
    Column("resolved_by", String(64)),
    Column("resolved_at", String(32)),
)

# ---- member stage (migration 0009_members): the register of committee members and their duties --------
members = Table(
    "members",
    metadata,  # one committee member (委员) of the register, imported from the office's list
    Column("id", Integer, primary_key=True),
    Column("code", String(64), unique=True),  # 委员编号; optional, tells apart members of one name
    Column("name", String(64), nullable=False),
    Column("sector", String(64), nullable=False),  # 界别
    Column("studio", Text),  # 所在镇街/委员工作室
    Column("title", Text),  # 职务
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("ix_members_name", members.c.name)

member_aliases = Table(
    "member_aliases",
    metadata,  # another way records write a member's name ("陈委员"), resolved by staff to one member
    Column("id", Integer, primary_key=True),
    Column("alias", String(64), nullable=False, unique=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    Column("created_at", String(32), nullable=False),
)

member_activities = Table(
    "member_activities",
    metadata,  # a duty entered by staff (接待日, 协商会, 视察 …); duties found in records are derived, not copied
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("date", String(10), nullable=False),  # YYYY-MM-DD
    Column("note", Text),
    Column("recorder", String(64)),  # who entered it
    Column("status", String(16), nullable=False, default="active"),  # active | void
    Column("created_at", String(32), nullable=False),
)

member_activity_members = Table(
    "member_activity_members",
    metadata,  # the members who took part in one entered duty
    Column("id", Integer, primary_key=True),
    Column("activity_id", Integer, ForeignKey("member_activities.id"), nullable=False),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    UniqueConstraint("activity_id", "member_id", name="uq_member_activity_members"),
)

# ---- opinion stage (migration 0008_opinion): 社情民意信息, 协商选题 and 协商意见, their tracking -----------
# An item is a 社情民意信息 (kind "report") or a 协商意见 (kind "proposal", of an opinion_topics row); both
# are tracked by the same steps (起草 → 报送 → 采用 → 批示 → 交办 → 答复 → 反馈 → 办结, 问效 checks). The
# evidence behind it is kept as message ids (stable: 留言编号 or response_id) with a masked copy of each
# letter, and the issue id and label of the ranking run it came from (issue ids are per run).
opinion_topics = Table(
    "opinion_topics",
    metadata,  # a year's chosen 协商选题, from a candidate of a ranking run, and its 协商会
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("issue_ids", Text, nullable=False),  # JSON list of the run's topic_id
    Column("issue_label", Text),
    Column("message_ids", Text, nullable=False),  # JSON list
    Column("source", Text),  # the rank --out folder, as given
    Column("source_rank", Integer),
    Column("source_settings", Text),  # JSON: the run's input, seed, columns (to redo it)
    Column("meeting_date", String(10)),  # 协商会 (YYYY-MM-DD)
    Column("meeting_note", Text),
    Column("operator", String(64)),
    Column("created_at", String(32), nullable=False),
)

opinion_items = Table(
    "opinion_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # report (社情民意信息) | proposal (协商意见)
    Column("topic_id", Integer, ForeignKey("opinion_topics.id")),  # a proposal's 协商选题
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),  # JSON {"situation", "problems", "suggestions"} as drafted
    Column("chars", Integer, nullable=False, default=0),  # 字数 of the body
    Column("member", Text),  # 反映人 (several joined with 、)
    Column("unit", Text),  # 报送单位
    Column("department", Text),  # 承办单位 meant for a proposal (the 交办 step names the real one)
    Column("issue_ids", Text, nullable=False),  # JSON list of the run's topic_id
    Column("issue_label", Text),
    Column("message_ids", Text, nullable=False),  # JSON list
    Column("source", Text),  # the rank --out folder, as given
    Column("source_rank", Integer),
    Column("source_settings", Text),  # JSON
    Column("document", Text),  # the DOCX written
    Column("operator", String(64)),
    Column("created_at", String(32), nullable=False),
)
Index("ix_opinion_items_topic", opinion_items.c.topic_id)

opinion_steps = Table(
    "opinion_steps",
    metadata,  # one tracking step of an item; seq orders them (a second writer of the same seq is refused)
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("opinion_items.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("state", String(16), nullable=False),  # 起草 报送 采用 批示 交办 答复 反馈 办结 问效
    Column("date", String(10), nullable=False),  # when it happened (YYYY-MM-DD)
    Column("actor", Text),  # --by: 单位或领导
    Column("note", Text),
    Column("deadline", String(10)),  # 交办: 办理期限; 答复 and after: next 问效 check
    Column("answer", String(1)),  # 答复: A 已解决 / B 列入计划 / C 留作参考
    Column("operator", String(64)),
    Column("recorded_at", String(32), nullable=False),
    UniqueConstraint("item_id", "seq", name="uq_opinion_steps_seq"),
)

opinion_evidence = Table(
    "opinion_evidence",
    metadata,  # the residents' letters behind an item or a topic (masked copies; message_id is the link)
    Column("id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("opinion_items.id")),
    Column("topic_id", Integer, ForeignKey("opinion_topics.id")),
    Column("message_id", String(128), nullable=False),
    Column("issue_id", Integer),
    Column("text", Text),
    Column("time", String(32)),
    Column("sector", Text),
    Column("district", Text),
)
Index("ix_opinion_evidence_item", opinion_evidence.c.item_id)
Index("ix_opinion_evidence_topic", opinion_evidence.c.topic_id)
Index("ix_opinion_evidence_message", opinion_evidence.c.message_id)
