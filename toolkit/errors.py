"""The root of every error the toolkit raises on purpose, and the one catalogue of their messages.

Each stage defines one subclass (``FormError``, ``StoreError``, ``IngestError`` …) and raises it with a
stable code from :data:`CATALOGUE` and the facts as keywords::

    raise IngestError("file.not_found", path=path)

The code is for programs and tests (``err.code``, ``err.context``; ``--json`` output); the Chinese
message is rendered from the code's :class:`Template` only when shown (``str(err)``), always in the same
order — where (file, row, column or question), which rule failed, the value, and the fix after "修改："
(pyxform's ``errors.py`` is the model). One meaning has one code and one wording, whichever stage
raises it. In a template ``{name!q}`` shows a value through :func:`quoted`; a nested error is passed as
a fact (``cause=err``) and shown through its own template (``{cause.what}``, ``{cause.fix}``). A summary
of several problems (value starting with a line break) puts its own fix first, so each line below
carries one "修改：". Facts are facts: the catalogue holds all wording.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

FIX = "修改："  # the one phrase that introduces a fix


@dataclass(frozen=True)
class Template:
    """The four parts of a message, each a ``str.format`` template over the error's context."""

    where: str  # the file, row, column, question or option the message is about
    rule: str  # which rule failed
    value: str  # the value that broke it ("" when the rule says it all: a value that is missing)
    fix: str  # what to do, shown after "修改："


# -- the catalogue, one section per stage; the keys are stable: programs and tests rely on them ----------
# shared by every stage: input files, output paths, message tables
_REOPEN = "重新从平台下载；若在 Excel 中能打开，另存为 .xlsx 后再试"
_SAVE_UTF8 = "用 Excel 或记事本打开后另存为“CSV UTF-8”"
_SHARED: dict[str, Template] = {
    "file.not_found": Template("{path}", "文件不存在", "", "检查文件名和路径（相对路径以当前目录为准）"),
    # toolkit.filesafety: files refused before any reader sees them (where: the caller's path)
    "file.no_access": Template("{path}", "无法打开", "{reason}", "检查文件权限，或把文件复制到自己的文件夹后再试"),
    "file.not_regular": Template(
        "{path}",
        "这不是普通文件，读取它会卡住或没有尽头",
        "这是{kind}",
        "给出保存在磁盘上的文件本身（答卷表格、问卷定义等）",
    ),
    "file.is_folder": Template(
        "{path}", "这是一个文件夹，不是文件", "{via}", "给出文件夹里的文件本身（答卷表格、问卷定义等）"
    ),
    "file.too_big": Template(
        "{path}", "文件过大", "{size}，上限 {limit}", "只保留需要的工作表和列，或按时间分成几个文件分别处理"
    ),
    "workbook.part_too_big": Template("{path}", "工作簿的部件异常庞大", "{part}", "在 Excel 中打开后另存为 .xlsx 再试"),
    "workbook.damaged": Template("{path}", "文件不完整或已损坏，无法打开", "{reason}", _REOPEN),
    "workbook.xls_damaged": Template("{path}", "旧版 Excel（.xls）文件不完整或已损坏，无法打开", "{reason}", _REOPEN),
    "workbook.no_directory": Template(
        "{path}", "压缩包的目录无法读取，文件不完整或已损坏，无法先检查工作表大小", "", _REOPEN
    ),
    "workbook.sheet_unlisted": Template(
        "{path} 工作表{sheet!q}", "工作簿的清单里找不到这个工作表，无法先检查它的大小", "", _REOPEN
    ),
    "workbook.sheet_unlisted_at": Template(
        "{path} 第 {position} 个工作表", "工作簿的清单里找不到这个位置的工作表，无法先检查它的大小", "", _REOPEN
    ),
    "workbook.sheet_data_missing": Template(
        "{path} 工作表{sheet!q}", "找不到这个工作表的数据，文件不完整或已损坏", "", _REOPEN
    ),
    "workbook.crc_failed": Template("{path} 工作表{sheet!q}", "数据解压校验失败，文件不完整或已损坏", "", _REOPEN),
    "workbook.no_sheet_list": Template(
        "{path}",
        "Excel 工作簿缺少或无法读取工作表清单（xl/workbook.xml 及其关系文件），无法先检查工作表大小",
        "",
        "在 Excel 中打开后另存为 .xlsx 再试",
    ),
    "workbook.encrypted": Template(
        "{path}",
        "工作表的数据无法解压（已加密或压缩方式不常见），无法先检查它的大小",
        "工作表{sheet!q}",
        "在 Excel 中打开后另存为 .xlsx（不设密码）再试",
    ),
    "workbook.too_many_parts": Template(
        "{path}",
        "Excel 工作簿的部件过多，不是正常的工作簿",
        "{count:,} 个，上限 {limit:,}",
        "在 Excel 中打开后另存为 .xlsx；若打不开，向数据来源重新索取文件",
    ),
    "workbook.too_big_unpacked": Template(
        "{path}",
        "Excel 工作簿解压后过大，超出本工具能处理的大小，也可能是“压缩炸弹”",
        "解压后共 {size}（文件本身 {packed}），上限 {limit}",
        "在 Excel 中打开后另存为 .xlsx，或只保留需要的工作表；若打不开，向数据来源重新索取文件",
    ),
    "workbook.zip_bomb": Template(
        "{path}",
        "Excel 工作簿的部件压缩比过高，多半是“压缩炸弹”或异常文件",
        "部件 {part} 从 {packed} 解压成 {size}，压缩比 {ratio:,}:1，上限 {limit}:1",
        "在 Excel 中打开后另存为 .xlsx 再试；若打不开，向数据来源重新索取文件",
    ),
    "workbook.doctype": Template(
        "{path}",
        "Excel 工作簿的部件含有 DOCTYPE 声明（正常的工作簿没有），可能借实体展开耗尽内存或读取本机文件",
        "部件 {part}",
        "在 Excel 中打开后另存为 .xlsx；若打不开，向数据来源重新索取文件",
    ),
    "sheet.too_many_odd_cells": Template(
        "{path} 工作表{sheet!q}",
        "Excel 错误值（如 #N/A）或没有计算结果的公式过多",
        "超过 {limit:,} 个这样的单元格",
        "在 Excel 中改正公式，或全选后复制、“粘贴为数值”，另存为 .xlsx 后再试",
    ),
    "sheet.beyond_excel": Template(
        "{path} 工作表{sheet!q}",
        "工作表超出 Excel 的范围，不是正常的工作表",
        "用到了第 {rows:,} 行、第 {columns:,} 列，上限 {max_rows:,} 行 × {max_columns:,} 列",
        "删除最后一个有内容的单元格之后的多余行和列（或只把数据区域复制到新工作簿），在 Excel 中另存为 .xlsx 后再试",
    ),
    "sheet.area_too_big": Template(
        "{path} 工作表{sheet!q}",
        "数据区域过大，多半是远处的 {far} 有一个误填的单元格",
        "从 {near} 到 {far}，共 {rows:,} 行 × {columns:,} 列 = {cells:,} 个单元格，上限 {limit:,} 个",
        "删除最后一个有内容的单元格之后的多余行和列（或只把数据区域复制到新工作簿），在 Excel 中另存为 .xlsx 再试",
    ),
    "sheet.dimension_lies": Template(
        "{path} 工作表{sheet!q}",
        "声明的数据范围远大于实际数据，文件不是 Excel 保存的",
        "声明 {dimension}：{rows:,} 行 × {columns:,} 列",
        "在 Excel 中打开后另存为 .xlsx（Excel 会重算数据范围）再试",
    ),
    "table.line_unsplittable": Template(
        "{path} 第 {line} 行",
        "无法按 CSV 拆分成列，不是正常的表格",
        "有 {chars:,} 个字符、{separators:,} 个分隔符",
        "确认导出的是答卷表格；用 Excel 打开后另存为 .xlsx 再试",
    ),
    "table.too_many_columns": Template(
        "{path} 第 {line} 行",
        "列数过多，不是正常的表格",
        "{columns:,} 列，上限 {limit:,} 列，与 Excel 相同",
        "确认导出的是答卷表格；分隔符不对时用 Excel 打开后另存为 .xlsx",
    ),
    # toolkit.tables: any table a command reads
    "file.type_unsupported": Template(
        "{path}", "不支持这种文件类型", "扩展名 {suffix!q}", "给出 .xlsx、.xls 或 .csv 表格；问卷库给出 .db 文件"
    ),
    "file.unreadable": Template(
        "{path}", "无法读取", "{reason}", "确认它是完整的 Excel 或 CSV 文件，或用 Excel 另存为 .xlsx 后再试"
    ),
    "file.binary": Template(
        "{path}", "不是文本表格（含二进制内容），也不是 Excel 文件", "", "确认导出格式为 CSV 或 Excel"
    ),
    "file.encoding_unknown": Template("{path}", "文字编码无法识别：不是 UTF-8，也不是 GBK/GB18030", "", _SAVE_UTF8),
    "file.encoding_utf16": Template("{path}", "以 UTF-16 开头，但后面的内容无法按 UTF-16 解码", "", _SAVE_UTF8),
    "file.encoding_partial": Template(
        "{path} 第 {line} 行",
        "这一行有无法按 {encoding} 编码解码的字节（它前面的内容都是 {encoding}）",
        "",
        "在 Excel 或记事本中改正这一行的乱码字符，另存为“CSV UTF-8”后再试",
    ),
    "column.not_times": Template(
        "{where}",
        "时间列{column!q}（--time-col）须多数是日期时间",
        "只有 {share:.0%} 的值是日期时间，例如{example!q}不是",
        "换成留言/提交时间所在的列，或去掉 --time-col",
    ),
    # a table of messages (topics, rank, brief): the columns asked for and the ids
    "column.missing": Template(
        "{where}",
        "找不到列{column!q}",
        "{option}；现有列：{present}",
        "检查列名是否写错（须与表头完全一致），或改用现有的一列",
    ),
    "id.empty": Template(
        "{where} 第 {row} 行",
        "编号列{column!q}（--id-col）为空，每条留言都需要唯一的编号",
        "",
        "补上编号，或用 --id-col 换一列",
    ),
    "form.ambiguous": Template(
        "问卷库 {location}", "有 {count} 份问卷，须指明读哪一份", "现有问卷：{forms!q}", "用 --form 指定问卷编号"
    ),
    # toolkit.outfolder: where a run writes its results (flag: the option that named the path)
    "out.is_file": Template(
        "{flag} {path}",
        "这是一个已存在的文件，不是文件夹，结果要写入一个文件夹",
        "",
        "换一个文件夹名（不存在会自动创建），例如 {flag} {example}",
    ),
    "out.is_folder": Template(
        "{flag} {path}", "这是一个文件夹，这里要给出文件名", "", "在文件夹后面加上文件名，例如 {flag} {example}"
    ),
    "out.read_only_file": Template(
        "{flag} {path}", "这个文件是只读的，不能覆盖", "", "换一个文件名，或先去掉它的只读属性"
    ),
    "out.parent_is_file": Template(
        "{flag} {path}",
        "上级路径是一个文件，不是文件夹，无法在它下面创建{what}",
        "上级路径：{parent}",
        "换一个位置，例如 {flag} {example}",
    ),
    "out.not_writable": Template(
        "{flag} {path}",
        "没有权限写入文件夹（只读）",
        "文件夹：{folder}",
        "换一个有写权限的位置（如自己的文档文件夹），或请管理员开放该文件夹的写权限",
    ),
    "out.cannot_create": Template("{flag} {path}", "无法创建文件夹", "{folder}（{reason}）", "换一个有写权限的位置"),
    "out.write_failed": Template(
        "{flag} {path}",
        "写入时出错",
        "{reason}；原有的输出没有改动，也没有留下写了一半的文件",
        "检查磁盘空间和写权限后重新运行",
    ),
    "id.repeated": Template(
        "{where} 第 {row} 行",
        "编号列{column!q}（--id-col）的值必须唯一",
        "{value!q}与第 {first} 行重复",
        "用 --id-col 换一列，或去掉重复的行",
    ),
}

# forms: form definitions (YAML, XLSForm), expressions, answers checked against a form
_REGEX_FIX = "改写为不嵌套重复、各分支互不重叠的写法，例如用 ^[a-z ]+$ 代替 ^([a-z]+ ?)+$，用 ^a+$ 代替 ^(a|aa)+$"
_FORMS: dict[str, Template] = {
    # reading a form file (where: the file, and the line for YAML)
    "form.too_big": Template(
        "{path}",
        "问卷定义文件过大（200 道题的问卷也只有几十 KB）",
        "{size}，上限 {limit} MB",
        "确认选的是问卷定义（.yaml），不是答卷数据或其他文件",
    ),
    "form.file_not_found": Template(
        "{path}", "问卷定义文件不存在", "", "检查文件名和路径；问卷定义通常在 surveys/ 目录下"
    ),
    "file.not_utf8": Template("{path}", "不是 UTF-8 编码的文本文件", "", "用 UTF-8 编码另存后再试"),
    "file.not_xlsx": Template("{path}", "无法作为 .xlsx 打开", "{reason}", "用 Excel 另存为 .xlsx 后再试"),
    "yaml.syntax": Template(
        "{path} {at}", "YAML 格式错误", "{reason}", "检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否配对"
    ),
    "yaml.anchor": Template(
        "{path} 第{line}行",
        "不能使用 YAML 锚点/别名",
        "&{anchor} 或 *{anchor}",
        "把引用处的内容直接写出来；多道题共用的选项写在 choice_lists 中，题目里写 choices: 列表名",
    ),
    "yaml.too_deep": Template(
        "{path} 第{line}行", "列表和键值对嵌套过深", "上限 {limit} 层", "问卷定义只需几层缩进，检查缩进或括号"
    ),
    "yaml.bad_value": Template(
        "{path} 第{line}行",
        "看起来是数字或日期，却不是有效的数字或日期",
        "{value}",
        "文字值加上引号，数字写成正常长度，日期写成存在的日期（如 2026-05-01）",
    ),
    "yaml.duplicate_key": Template(
        "{path} 第{line}行",
        "键重复，YAML 只会保留后一个",
        "键 {key!q}，第{first}行已有同名的键",
        "删除多余的一处，或把两处内容合并",
    ),
    "form.not_a_form": Template(
        "{path}",
        "文件内容不是一个问卷定义（应以 id、title、questions 等字段开头）",
        "",
        "参照 surveys/ 中的示例问卷编写",
    ),
    "form.has_errors": Template("问卷 {path}", "有 {count} 处错误", "{details}", "逐条按下面的提示改正后再试"),
    # problems of a form definition (where: file, line, question and field)
    "form.field_missing": Template("{where}", "缺少必填字段 {key}", "", "在文件开头加入 {key}: …"),
    "form.not_one_value": Template(
        "{where}", "{key} 应为一个值", "实为{shape}", "写成 {key}: 值（文字含冒号等符号时加引号）"
    ),
    "form.choice_lists_shape": Template("{where}", "choice_lists 应为键值对", "实为{shape}", "写成 列表名: 选项列表"),
    "form.questions_shape": Template("{where}", "questions 应为题目列表", "实为{shape}", "每道题以“- id: …”开头"),
    "form.question_not_mapping": Template(
        "{where}", "题目定义不是键值对", "{raw}", "每道题写成 - id: …\\n  kind: …\\n  label: …"
    ),
    "form.field_unknown": Template("{where}", "未知字段（将被忽略）", "{key}", "删除它；可用字段：{known}"),
    "form.kind_unknown": Template("{where}", "未知题型", "{kind!q}", "题型只能是：{kinds}"),
    "form.choices_not_list": Template("{where}", "应为选项列表", "实为 {shape}", "每个选项占一行，以“- ”开头"),
    "form.choice_incomplete": Template(
        "{where}", "选项缺少 id 或 label", "第{index}个选项", "每个选项写成 {{id: 英文编号, label: 中文文字}}"
    ),
    "form.choice_id_bool": Template(
        "{where}", "选项的 id 被 YAML 读成了布尔值", "第{index}个选项：{value}", '给 id 加上引号，例如 id: "{meant}"'
    ),
    "form.choice_unreadable": Template(
        "{where}", "选项格式无法识别", "第{index}个选项：{item}", "写成 {{id: 编号, label: 文字}} 或直接写文字"
    ),
    "form.choice_list_unknown": Template(
        "{where}", "引用了不存在的选项列表", "{name!q}", "在 choice_lists 中定义它，或改用已有列表：{known}"
    ),
    "form.id_invalid": Template(
        "{where}", "问卷编号不合规", "{value!q}", "只用英文字母、数字和下划线，如 annual_topics_2026"
    ),
    "form.question_id_invalid": Template(
        "{where}",
        "题目编号不合规",
        "{value!q}",
        "编号只用英文字母、数字和下划线，且不以数字开头（如 q3、concern_1）",
    ),
    "form.question_id_repeated": Template(
        "{where}", "题目编号重复", "{value!q}（第{first}行已用过）", "给其中一道题换一个唯一的编号"
    ),
    "form.label_missing": Template("{where}", "缺少题干文字", "", "补上 label: 题干"),
    "form.choices_missing": Template(
        "{where}", "选择题没有选项", "题型 {kind}", "加上 choices: 选项列表，或引用 choice_lists 中的列表名"
    ),
    "form.choices_unused": Template(
        "{where}",
        "这种题型不使用选项（将被忽略）",
        "题型 {kind}",
        "删除 choices，或把题型改为 single/multiple/likert/ranking",
    ),
    "form.choice_placeholder": Template(
        "{where}",
        "选项的文字还是占位内容",
        "选项 {choice}：{label!q}",
        "按原问卷把它改成真实的选项文字（form infer 在导出中找不到无人选择的选项）",
    ),
    "form.choice_id_repeated": Template("{where}", "选项编号重复", "{ids}", "每个选项的 id 在本题内必须唯一"),
    "form.rows_not_likert": Template(
        "{where}", "只有量表题（likert）可以有 rows（矩阵行）", "题型 {kind}", "删除 rows，或把题型改为 likert"
    ),
    "form.row_id_repeated": Template("{where}", "矩阵行编号重复", "{ids}", "每一行的 id 必须唯一"),
    "form.other_not_choice": Template(
        "{where}", "只有单选和多选题能有“其他（请注明）”", "题型 {kind}", "只在单选或多选题上写 other: true"
    ),
    "form.other_choice_exists": Template(
        "{where}",
        "已有编号为 {other!q} 的选项，other: true 会与之合并",
        "",
        "删除该选项，由 other: true 自动生成",
    ),
    "form.other_key_taken": Template("{where}", "“其他”文字的存放编号与另一道题重名", "{key}", "给那道题换一个编号"),
    "form.count_not_applicable": Template("{where}", "{name} 只适用于多选题和排序题", "题型 {kind}", "删除 {name}"),
    "form.count_not_positive": Template("{where}", "{name} 应为正整数", "{value!q}", "写成 {name}: 3 这样的整数"),
    "form.count_over_choices": Template(
        "{where}", "{name} 不能超过选项数 {choices}", "{name}={value}", "减小数值或增加选项"
    ),
    "form.count_min_over_max": Template(
        "{where}", "至少选的项数不能多于至多选的项数", "至少 {low} 项、至多 {high} 项", "让 min_choices ≤ max_choices"
    ),
    "form.integer_not_number": Template(
        "{where}", "integer 只适用于数字题（将被忽略）", "题型 {kind}", "删除 integer，或把题型改为 number"
    ),
    "form.role_unknown": Template("{where}", "未知角色", "{role!q}", "角色只能是：{roles}"),
    "form.role_repeated": Template(
        "{where}", "每个角色只能指定给一道题", "角色 {role}（{meaning}）被多道题使用", "只在其中一道题上保留 role"
    ),
    "form.note_required": Template("{where}", "段落说明不需要作答，required 无效", "", "删除 required"),
    "form.message_without_constraint": Template(
        "{where}", "有 constraint_message 却没有 constraint", "", "补上 constraint，或删除提示文字"
    ),
    "form.renamed_from_invalid": Template("{where}", "旧编号不合规", "{value!q}", "写上一版问卷中这道题的编号"),
    "form.renamed_from_same": Template(
        "{where}", "旧编号与新编号相同，无需 renamed_from", "{value}", "删除 renamed_from"
    ),
    "form.renamed_from_taken": Template(
        "{where}",
        "旧编号仍是本问卷中另一道题的编号，旧答案无法确定归属",
        "{value}",
        "给那道题换一个编号，或删除 renamed_from",
    ),
    "form.choice_list_unused": Template(
        "{where}", "选项列表没有被任何题目使用", "", "删除它，或在题目的 choices 中引用"
    ),
    "form.expression_invalid": Template(
        "{where}", "表达式 {expression!q} 无法使用", "{cause.what}", "按表达式的写法改正：{cause.fix}"
    ),
    "form.regex_invalid": Template(
        "{where}",
        "表达式 {expression!q} 中的正则表达式 {pattern!q} 无法使用",
        "{cause.what}",
        "改正正则表达式：{cause.fix}",
    ),
    "form.reference_unknown": Template("{where}", "引用了不存在的题目", "${{{ref}}}", "改成已有题目编号之一：{known}"),
    "form.reference_row_unknown": Template(
        "{where}", "引用的题目没有这个矩阵行", "题目 {question} 的行 {row!q}", "改用可用的行：{rows!q}"
    ),
    "form.reference_note": Template(
        "{where}", "引用了段落说明，它没有答案", "{question}", "改为引用一道需要作答的题目"
    ),
    "form.relevant_self": Template(
        "{where}",
        "跳题条件引用了本题自己",
        "",
        "跳题条件只能依据前面题目的答案；本题的取值限制写在 constraint 中",
    ),
    "form.relevant_later": Template(
        "{where}", "跳题条件引用了后面的题目", "{question}", "把 {question} 移到本题之前，或改为依据前面题目的答案"
    ),
    "form.constraint_without_current": Template(
        "{where}", "取值限制没有用到本题答案“.”", "", "用“.”代表本题答案，例如 . >= 18"
    ),
    "form.selected_not_choice": Template(
        "{where}", "selected() 只能用于选择题", "题目 {question}", "selected() 只用于单选、多选、排序题"
    ),
    "form.choice_unknown": Template(
        "{where}", "引用的题目没有这个选项", "题目 {question} 的选项 {choice!q}", "选项编号应为：{labels}"
    ),
    # a form in use (where: the form and question)
    "form.question_unknown": Template("问卷 {form}", "没有这道题", "{question!q}", "检查题目编号，可用编号：{known}"),
    "form.relevant_failed": Template(
        "问卷 {form} {question}的跳题条件 relevant: {text}",
        "无法计算",
        "{cause.what}",
        "在问卷定义中改正跳题条件：{cause.fix}",
    ),
    "form.constraint_failed": Template(
        "问卷 {form} {question}的取值限制 constraint: {text}",
        "无法计算",
        "{cause.what}",
        "在问卷定义中改正取值限制：{cause.fix}",
    ),
    # XLSForm workbooks
    "xlsform.not_converted": Template(
        "{path}", "pyxform 无法转换该 XLSForm", "{reason}", "按提示改正 survey/choices 表后再试"
    ),
    "xlsform.sheet_missing": Template(
        "{path}", "XLSForm 需要 survey、choices（和可选的 settings）工作表", "缺少{sheet!q}", "补上这个工作表"
    ),
    "sheet.column_repeated": Template(
        "{path} {sheet} 表第{row}行",
        "列名不能重复，否则无法确定用哪一列",
        "{column!q}出现在 {columns} 列",
        "删除多余的一列或给它改名后再试",
    ),
    "xlsform.expression_invalid": Template(
        "{path} survey 表第{row}行（{question}）的 {field}",
        "表达式 {expression!q} 无法使用",
        "{cause.what}",
        "在 survey 表中按表达式的写法改正：{cause.fix}",
    ),
    "xlsform.not_integer": Template(
        "{path} survey 表第{row}行（{question}）的 {column}",
        "应为整数",
        "{value!q}",
        "填写一个整数（如 3），或清空该单元格",
    ),
    # expressions: skip logic and constraints (where: the expression)
    "expr.too_long": Template(
        "表达式 {expression!q}",
        "表达式过长",
        "{length:,} 个字符，上限 {limit:,}",
        "简化条件，或把它拆到几道题的条件中",
    ),
    "expr.extra": Template(
        "表达式 {expression!q}",
        "有多余的内容",
        "第 {at} 个字符处：{token!q}",
        "检查括号是否配对、运算符之间是否缺少 and/or",
    ),
    "expr.too_deep": Template(
        "表达式 {expression!q}",
        "运算连接过深",
        "上限 {limit} 层",
        "简化条件，例如多个 selected() 用 or 连接时改用 count-selected()",
    ),
    "expr.bad_char": Template(
        "表达式 {expression!q}",
        "无法识别的字符",
        "第 {at} 个字符处：{char!q}",
        "引用题目写作 ${{题目编号}}，文字用英文引号括起",
    ),
    "expr.incomplete": Template(
        "表达式 {expression!q}", "表达式不完整", "第 {at} 个字符处", "补全运算符右边的内容或闭合括号"
    ),
    "expr.expected": Template(
        "表达式 {expression!q}", "此处应为{expected!q}", "第 {at} 个字符处实为{found!q}", "检查括号和逗号"
    ),
    "expr.nesting": Template(
        "表达式 {expression!q}",
        "括号、函数或负号嵌套过深",
        "第 {at} 个字符处，上限 {limit} 层",
        "减少嵌套，去掉多余的括号",
    ),
    "expr.literal_too_long": Template(
        "表达式 {expression!q}",
        "{what}过长",
        "第 {at} 个字符处的{what}有 {length:,} 个字符，上限 {limit:,}",
        "缩短这段{what}",
    ),
    "expr.unknown_function": Template(
        "表达式 {expression!q}", "未知函数", "第 {at} 个字符处：{name!q}", "改用可用函数之一：{known}"
    ),
    "expr.arity": Template(
        "表达式 {expression!q}",
        "函数 {name}() 需要 {arity} 个参数",
        "第 {at} 个字符处实有 {count} 个",
        "按 {name}(…) 的用法补齐参数",
    ),
    "expr.unexpected": Template(
        "表达式 {expression!q}", "此处不应出现{token!q}", "第 {at} 个字符处", "检查运算符两边是否都有内容"
    ),
    # regular expressions inside expressions (where: the pattern)
    "regex.too_long": Template(
        "正则表达式 {pattern!q}", "正则表达式过长", "{length} 个字符，上限 {limit}", "缩短正则表达式"
    ),
    "regex.syntax": Template(
        "正则表达式 {pattern!q}",
        "写法有误",
        "{detail}",
        "检查括号、方括号是否配对，特殊字符 . * + ? ( ) [ ] {{ }} | \\ 作为普通字符时前面加 \\；"
        "按 Python 正则表达式的写法改正",
    ),
    "regex.unparseable": Template("正则表达式 {pattern!q}", "无法解析", "{reason}", "简化正则表达式"),
    "regex.nesting": Template("正则表达式 {pattern!q}", "括号嵌套过深", "上限 {limit} 层", "减少括号嵌套"),
    "regex.too_big": Template(
        "正则表达式 {pattern!q}",
        "重复次数相乘后过多（如 (a{{999}}){{999}}），会耗尽内存",
        "上限 {limit:,} 项",
        "减小 {{m,n}} 中的次数，或改用 + 或 *",
    ),
    "regex.timeout": Template(
        "正则表达式 {pattern!q}",
        "{seconds:g} 秒内没有算完（灾难性回溯）",
        "答案有 {length:,} 个字符",
        _REGEX_FIX,
    ),
    "regex.nested_repeat": Template(
        "正则表达式 {pattern!q}",
        "含有嵌套的重复（如 (a+)+），对某些答案会算上几小时，录入和导入随之卡住",
        "",
        _REGEX_FIX,
    ),
    "regex.backtracking": Template(
        "正则表达式 {pattern!q}",
        "对某些答案会算上几小时（灾难性回溯），录入和导入随之卡住",
        "如 {example!q} 这样的答案",
        _REGEX_FIX,
    ),
    # answers checked against their form (where: the question, numbered as in the form)
    "answer.type": Template("第{number}题（{question}）", "不是有效的答案", "{value!q}", "检查填写内容"),
    "answer.not_number": Template("第{number}题（{question}）", "不是数字", "{value!q}", "填写数字"),
    "answer.not_integer": Template("第{number}题（{question}）", "不是整数", "{value!q}", "填写整数"),
    "answer.not_date": Template("第{number}题（{question}）", "不是日期", "{value!q}", "写成 2026-05-01 这样的日期"),
    "answer.likert_shape": Template(
        "第{number}题（{question}）", "不是按行填写的量表答案", "{value!q}", "按行填写量表选项"
    ),
    "answer.irrelevant": Template(
        "第{number}题（{question}）",
        "按跳题逻辑（{relevant}）本题应跳过，却有答案",
        "{value!q}",
        "核对前面题目的答案；本题答案不计入",
    ),
    "answer.required": Template("第{number}题（{question}）", "本题必答，未填写", "", "补填{label!q}"),
    "answer.rows_missing": Template("第{number}题（{question}）", "必答矩阵题缺少以下行", "{rows}", "逐行补填"),
    "answer.choice_unknown": Template(
        "第{number}题（{question}）", "选项不在本题选项中", "{value!q}", "选项应为 {labels}"
    ),
    "answer.row_unknown": Template("第{number}题（{question}）", "没有这个矩阵行", "{row!q}", "行应为 {rows}"),
    "answer.row_choice_unknown": Template(
        "第{number}题（{question}）", "选项不在量表中", "第{row!q}行的 {value!q}", "应为 {labels}"
    ),
    "answer.choice_repeated": Template("第{number}题（{question}）", "同一选项出现了两次", "", "每个选项只选一次"),
    "answer.too_many": Template("第{number}题（{question}）", "最多选 {limit} 项", "实选 {count} 项", "减少所选项目"),
    "answer.too_few": Template("第{number}题（{question}）", "至少选 {limit} 项", "实选 {count} 项", "补选"),
    "answer.constraint": Template(
        "第{number}题（{question}）", "不满足取值限制 {constraint}", "填写的是 {value!q}", "核对原始问卷后改正"
    ),
    "answer.constraint_message": Template(
        "第{number}题（{question}）", "未通过本题的检查：{message}", "填写的是 {value!q}", "核对原始问卷后改正"
    ),
}

# ingest: platform exports, column mapping, fixes and resubmissions
_INFER_TEXT_FIX = (
    "在问卷星“下载答卷数据”中再选“按选项文本”导出一份，"
    "运行 weidiaoyan form infer 按文本导出.xls --by-code {name} -o surveys/问卷.yaml"
)
_EXCEL_FIX = "在原表改正公式（或复制后“粘贴为数值”）后重新导入，或在待修正表中填写正确答案"
_INGEST: dict[str, Template] = {
    # reading an export (where: the file)
    "file.empty": Template("{path}", "文件是空的（0 行数据）", "", "从平台重新导出答卷数据"),
    "file.not_table": Template(
        "{path}",
        "内容是压缩包，不是 Excel 工作簿，也不是答卷表格",
        "",
        "给出平台导出的答卷表格：在平台上选择“导出为 Excel”或“CSV”后重新下载",
    ),
    "file.word_not_table": Template(
        "{path}",
        "内容是 Word 文档，不是答卷表格（只是扩展名像 Excel）",
        "",
        "从平台重新导出答卷表格；只有文档时，把其中的表格复制到 Excel，另存为 .xlsx 后导入",
    ),
    "file.ppt_not_table": Template(
        "{path}",
        "内容是 PPT 演示文稿，不是答卷表格（只是扩展名像 Excel）",
        "",
        "从平台重新导出答卷表格（在平台上选择“导出为 Excel”或“CSV”）",
    ),
    "file.web_page": Template(
        "{path}",
        "内容是网页或 XML 文件，不是答卷表格",
        "",
        "在平台上选择“导出为 Excel”或“CSV”后重新下载，不要从网页另存",
    ),
    "ingest.type_unsupported": Template(
        "{path}",
        "只能导入平台导出的答卷表格：.xlsx、.xls 或 .csv",
        "扩展名 {suffix!q}",
        "在平台上选择“导出为 Excel”或“CSV”后重新下载",
    ),
    "ingest.document_not_table": Template(
        "{path}",
        "Word、PDF、PPT 等文档不能直接导入，只能导入平台导出的答卷表格：.xlsx、.xls 或 .csv",
        "扩展名 {suffix!q}",
        "从平台重新导出答卷表格；只有文档时，把其中的表格复制到 Excel，另存为 .xlsx 后导入",
    ),
    "ingest.header_row_invalid": Template(
        "{path}", "--header-row 应为从 1 数起的正整数", "{value!q}", "写表头所在的行号，如 --header-row 2"
    ),
    "ingest.header_row_empty": Template(
        "{path}",
        "--header-row 指向的行是空行或超出了表格范围",
        "第 {row} 行",
        "写表头所在的行号（在 Excel 左侧看行号）",
    ),
    "ingest.no_header": Template("{path}", "没有表头行", "", "导出时保留第一行的题目标题"),
    "sheet.missing": Template(
        "{path}",
        "没有这个工作表",
        "{sheet}；文件中的工作表有：{names}",
        "--sheet 改用其中之一（名字要完全一致），或去掉 --sheet 读取第一个有数据的表",
    ),
    "sheet.empty": Template("{path}", "工作表是空的", "", "确认导出的是答卷数据而不是空模板"),
    "csv.malformed": Template(
        "{path}",
        "CSV 格式错误",
        "{reason}",
        "检查该行是否多了或少了分隔符、引号是否成对；或用 Excel 另存为 .xlsx",
    ),
    "ingest.source_unknown": Template("--source", "未知的数据来源", "{name!q}", "--source 取值为 {known}"),
    # the export and the form
    "ingest.args_swapped": Template(
        "weidiaoyan ingest",
        "导出文件和问卷定义的位置颠倒了",
        "--form 是 {form}，输入文件是 {path}",
        "weidiaoyan ingest {path_name} --form {form_name}（导出文件在前，--form 后面跟问卷定义）",
    ),
    "ingest.form_not_yaml": Template(
        "--form {form}",
        "--form 应是问卷定义文件：.yaml，如 surveys/annual_topics.yaml",
        "扩展名 {ext!q}",
        "weidiaoyan ingest 导出文件 --form 问卷.yaml；还没有问卷定义时，先用 weidiaoyan form infer 导出文件 -o "
        "surveys/问卷.yaml 生成草稿",
    ),
    "ingest.input_is_form": Template(
        "{path}",
        "输入文件应是平台导出的 .xlsx/.xls/.csv，不是问卷定义",
        "扩展名 {ext!q}",
        "weidiaoyan ingest 导出文件 --form 问卷.yaml",
    ),
    "ingest.no_match": Template(
        "{path}",
        "表头与问卷“{title}”（{form}）的题目对不上，可能是另一份问卷的导出",
        "按{reader}格式读取，{matched}/{total} 题能对应，表头如：{sample}",
        "换用对应的问卷定义（--form）；若来源识别错了，用 --source 指定；或用 weidiaoyan form infer 从这个文件"
        "生成问卷草稿",
    ),
    "ingest.busy": Template(
        "{path}",
        "同一文件正由另一个程序（或另一位同事）导入，或刚刚导入完成；本次没有写入任何数据，也不会重复写入",
        "",
        "用 weidiaoyan db info 查看数据库；需要时重新运行本命令，已导入的行会被自动跳过",
    ),
    "ingest.unparseable": Template(
        "{path}",
        "内容无法按{source}格式解析，数据库未作任何改动",
        "{reason}",
        "确认文件是平台原样导出的答卷数据；仍不行请用 --source table 按普通表格导入，或把文件交给维护人员排查",
    ),
    "ingest.report_not_saved": Template(
        "--report {path}",
        "导入报告未能保存；数据已入库：导入批次 {batch}，接收 {accepted} 行，隔离 {rejected} 行，无需重新导入",
        "{reason}",
        "检查 --report 的位置、写权限和磁盘空间；要重做报告时重新导入，已导入的行会被跳过",
    ),
    "ingest.report_not_saved_no_rows": Template(
        "--report {path}",
        "导入报告未能保存；文件中没有新的答卷，数据库未作任何改动",
        "{reason}",
        "检查 --report 的位置、写权限和磁盘空间后重新运行",
    ),
    "db.not_found": Template(
        "数据库 {db}", "不存在", "", "--db 给出导入时用的数据库文件（weidiaoyan db info --db 文件 可查看内容）"
    ),
    "answer.excel_error": Template(
        "“{header}”列",
        "答案无法读出：单元格是 Excel 错误值，公式出错",
        "Excel 错误值 {value}",
        _EXCEL_FIX,
    ),
    "answer.formula_unsaved": Template(
        "“{header}”列", "答案无法读出：单元格是公式，但文件里没有保存计算结果", "", _EXCEL_FIX
    ),
    # form infer
    "infer.no_questions": Template(
        "{path}", "没有找到题目列", "表头如 {header}", "确认这是答卷数据导出，且第一行是题目标题"
    ),
    "infer.by_code_swapped": Template(
        "文件 {name}",
        "这是问卷星“按选项序号”导出，{other} 才是“按选项文本”导出，两者位置颠倒了",
        "",
        "weidiaoyan form infer {other} --by-code {name} -o surveys/问卷.yaml",
    ),
    "infer.both_by_code": Template(
        "文件 {name} 和 {other}",
        "都是问卷星“按选项序号”导出，看不出选项文字",
        "单选题只有选项序号 1、2、3…，多选题拆成“第N题(选项)”列",
        _INFER_TEXT_FIX,
    ),
    "infer.by_code_only": Template(
        "文件 {name}",
        "这是问卷星“按选项序号”导出，只凭它推断，单选题会被当成数字题、选项没有文字",
        "单选题只有选项序号（1、2、3…），多选题拆成“第N题(选项)”列",
        _INFER_TEXT_FIX + "（按序号的文件放在 --by-code 后面，用来确定选项顺序）",
    ),
    # quarantined rows: the fix workbook and resubmission
    "ingest.batch_unknown": Template(
        "问卷“{title}”（{form}）", "没有这个导入批次", "{batch}", "--batch 取 {known} 之一，或去掉 --batch 导出全部批次"
    ),
    "fixes.file_not_found": Template(
        "{path}", "待修正表文件不存在", "", "给出 weidiaoyan rejected export 生成的待修正表（检查文件名和路径）"
    ),
    "fixes.not_xlsx": Template(
        "{path}",
        "无法作为 .xlsx 打开",
        "{reason}",
        "用 Excel 另存为 .xlsx 后再试，或重新运行 weidiaoyan rejected export",
    ),
    "fixes.sheets_missing": Template(
        "{path}",
        "不是待修正表",
        "须有工作表 {sheets!q}",
        "用 weidiaoyan rejected export 生成的文件，不要删除或改名工作表",
    ),
    "fixes.odd_cells": Template(
        "{path} “{sheet}”表",
        "有单元格读不出答案，未作任何改动",
        "{cells}",
        "在这些单元格直接填写答案（不要用公式），保存后重新运行 rejected resubmit",
    ),
    "fixes.operator_missing": Template(
        "rejected resubmit", "重新提交需要操作人", "", "加上 --operator 姓名（记入审计日志）"
    ),
    "fixes.wrong_form": Template(
        "{path}",
        "待修正表属于另一份问卷",
        "这是问卷 {found!q} 的待修正表，--form 指定的是 {form!q}",
        "换用对应的问卷定义",
    ),
    "fixes.columns_missing": Template(
        "{path} “{sheet}”表",
        "缺少列",
        "{columns}（共 {count} 列）",
        "不要删除或改名表头；问卷改过的话，重新运行 weidiaoyan rejected export",
    ),
    "fixes.row_unknown": Template(
        "{path} “{sheet}”表第{row}行",
        "不是问卷 {form} 的隔离行",
        "批次 {batch!q}、{row_column} {number!q}",
        "不要改动批次和{row_column}两列；多余的行整行删除",
    ),
    "fixes.row_repeated": Template(
        "{path} “{sheet}”表第{row}行", "同一隔离行出现了两次", "批次 {batch} {row_column} {number}", "只保留一行"
    ),
    "ingest.row_not_pending": Template(
        "导入批次 {batch} 第{row}条数据", "没有待处理的隔离行", "", "用 store.rejected() 查看隔离行的批次号和行号"
    ),
    "ingest.still_invalid": Template(
        "导入批次 {batch} 第{row}条数据", "修改后仍不符合问卷", "{details}", "按各题的提示改正答案后再提交"
    ),
}

# entry: double entry sessions and their discrepancies
_BUSY = "数据库正忙（可能正在导入数据，或另一台电脑正在保存）或暂时无法写入"
_ENTRY: dict[str, Template] = {
    "entry.page_server_missing": Template(
        "录入页面",
        "需要 Voilà 和 ipykernel，当前环境没有安装",
        "",
        "运行 make entry（会自动安装），或 pip install 'weidiaoyan[notebooks]' 后再试",
    ),
    "entry.operator_missing": Template(
        "录入员", "未填写录入员姓名（每份答卷都会记下录入员和时间）", "", "在“录入员”一栏写上您的名字"
    ),
    "entry.mode_unknown": Template(
        "录入方式", "只能是 first（第一遍）或 second（第二遍）", "{mode!q}", "选择 first 或 second"
    ),
    "entry.busy_start": Template(
        "录入页面", f"{_BUSY}，暂时无法开始录入", "数据库回复：{detail}", "稍等几秒再点“开始录入”"
    ),
    "entry.busy_draft": Template(
        "录入页面", f"{_BUSY}，暂时读不到草稿", "数据库回复：{detail}", "稍等几秒再点“开始录入”"
    ),
    "entry.busy_save": Template(
        "答卷", f"{_BUSY}，答卷未保存，已录内容保留为草稿", "数据库回复：{detail}", "稍等几秒再点“保存”"
    ),
    "entry.busy_void": Template(
        "答卷 #{response_id}", _BUSY + "，答卷未作废", "数据库回复：{detail}", "稍等几秒再点“作废”"
    ),
    "entry.busy_restore": Template(
        "答卷 #{response_id}", _BUSY + "，答卷未恢复", "数据库回复：{detail}", "稍等几秒再点“恢复”"
    ),
    "entry.busy_resolve": Template("双录不一致记录", f"{_BUSY}，未裁定", "数据库回复：{detail}", "稍等几秒再点“裁定”"),
    "entry.has_problems": Template(
        "", "有 {count} 处需要改正，答卷未保存（已录内容保留）", "{details}", "按各题的提示改正后再保存"
    ),
    "entry.serial_taken": Template(
        "问卷编号 {serial}",
        "已录入过（一个问卷编号只能有一份有效答卷）",
        "答卷 #{response_id}，录入员 {operator}",
        "核对编号；若是双人录入的第二遍，请切换到“第二遍录入”",
    ),
    "entry.wrong_form": Template(
        "答卷 #{response_id}", "属于另一份问卷", "问卷 {found}，不是 {form}", "打开问卷 {found} 的录入页面再修改"
    ),
    "entry.void_reason_missing": Template(
        "作废答卷", "需要写明原因（如“重复录入”“编号错误”）", "", "在“原因”一栏填写后再点作废"
    ),
    "entry.no_serial_question": Template(
        "问卷 {form}",
        "没有“问卷编号”题（role: serial），无法双人录入核对",
        "",
        "在问卷中加一道 kind: text、role: serial 的题目，并把编号印在纸质问卷上",
    ),
    "entry.no_first_entry": Template(
        "问卷编号 {serial!q}",
        "还没有第一遍录入（或已作废）",
        "",
        "核对纸质问卷上的编号；若确未录入，先做第一遍录入",
    ),
    "entry.serial_repeated": Template(
        "问卷编号 {serial!q}", "有多份有效答卷", "{count} 份：{ids}", "先作废重复录入的那份，再做第二遍录入"
    ),
    "entry.serial_missing": Template("第二遍录入", "必须填写{label!q}（{question}）", "", "照纸质问卷右上角的编号填写"),
    "entry.same_operator": Template(
        "问卷编号 {serial}", "双录核对要求换一位录入员", "第一遍是 {operator} 录入的", "由另一位录入员做第二遍录入"
    ),
    "entry.resolution_unknown": Template(
        "裁定",
        "只能是 first（采用第一遍）、second（采用第二遍）或 other（另填正确值）",
        "{choice!q}",
        "选择 first、second 或 other",
    ),
    "entry.discrepancy_unknown": Template(
        "双录不一致记录 {discrepancy}", "没有这条记录", "", "从 discrepancies() 列表中选择编号"
    ),
    "entry.discrepancy_resolved": Template(
        "不一致记录 {discrepancy}（{field}）", "已裁定过", "裁定人 {by}", "无需再裁定；要改答案请修改这份答卷"
    ),
    "entry.resolution_invalid": Template("裁定的值", "不合规", "{details}", "按提示另填正确的值"),
    # accounts (issue 13): the entry page's login and serving it to the office network
    "entry.login_failed": Template(
        "登录",
        "姓名或密码不对（或账号已停用），未登录",
        "",
        "核对姓名和密码（注意大小写和输入法）后再点“登录”；忘记密码请管理员运行 weidiaoyan user passwd 姓名",
    ),
    "entry.operator_not_account": Template(
        "录入员 {name!q}",
        "不是本数据库可登录的录入员账号（数据库建了账号后，只能以账号录入）",
        "",
        "在录入页面用账号登录；新人先由管理员运行 weidiaoyan user add 姓名",
    ),
    "entry.lan_needs_accounts": Template(
        "数据库 {db}",
        "还没有录入员账号，不能向局域网开放录入页面（否则办公网上任何人都能以任意名字录入）",
        "",
        "先为每位录入员建账号：weidiaoyan user add 姓名 {hint}，再加 --lan 启动；只在本机录入则去掉 --lan",
    ),
}

# store: the database (codes added by the store's owner)
_STORE: dict[str, Template] = {
    # a database server (PostgreSQL) that cannot be reached or refuses: {db} never shows a password
    "store.server_auth": Template(
        "数据库 {db}",
        "用户名或密码不对，数据库服务器拒绝登录",
        "服务器回复：{detail}",
        "核对地址中的用户名；密码用环境变量 PGPASSWORD、~/.pgpass 文件或 --db-env 提供（见 README“共用数据库”），不要写在命令行上",
    ),
    "store.server_no_database": Template(
        "数据库 {db}",
        "服务器上没有这个数据库",
        "服务器回复：{detail}",
        "核对地址最后的数据库名；新数据库请管理员先建好（createdb），再运行 weidiaoyan db init",
    ),
    "store.server_unreachable": Template(
        "数据库 {db}",
        "连不上数据库服务器（服务器未启动、地址或端口不对，或网络不通），本次没有写入任何数据",
        "服务器回复：{detail}",
        "核对地址中的主机名和端口，确认服务器已启动、本机网络能访问它；仍不行请联系数据库管理员",
    ),
    "store.server_tls": Template(
        "数据库 {db}",
        "加密连接（TLS）没有建立",
        "服务器回复：{detail}",
        "核对地址中的 sslmode（如 ?sslmode=require 或 verify-full）和服务器证书设置",
    ),
    "store.server_error": Template(
        "数据库 {db}",
        "数据库服务器出错，未完成的写入已撤销",
        "服务器回复：{detail}",
        "稍后重新运行；若一直如此，把这条消息交给数据库管理员",
    ),
    "store.no_driver": Template(
        "数据库 {db}",
        "本机没有安装这种数据库的驱动",
        "缺少 {module}",
        "PostgreSQL 请安装 pip install 'weidiaoyan[postgres]'（make 会自动安装）；或改用一个 .db 文件",
    ),
    "store.bad_url": Template(
        "数据库 {db}",
        "地址写法不对",
        "{detail}",
        "PostgreSQL 写作 postgresql+psycopg://用户名@主机/数据库名；默认用一个 .db 文件即可",
    ),
    "store.no_db_env": Template(
        "--db-env {var}",
        "这个环境变量没有设置（或为空），它应当存放数据库地址",
        "",
        "先设置它，如 export {var}='postgresql+psycopg://用户名@主机/数据库名'（密码用 PGPASSWORD 或 ~/.pgpass），或改用 --db",
    ),
    "store.serial_taken": Template(
        "问卷 {form_id} 的问卷编号 {serial!q}",
        "已录入过（一个问卷编号只能有一份有效答卷，另一位录入员刚刚同时保存了它），本次答卷没有保存",
        "已有答卷 #{response_id}（录入员 {operator}）",
        "核对纸质问卷上的编号；若是双人录入的第二遍，请切换到“第二遍录入”",
    ),
    "store.stale_edit": Template(
        "答卷 #{response_id}",
        "您打开它之后，它已被别人修改并保存（您改的是第 {mine} 版，数据库里已是第 {theirs} 版，{when} 保存），"
        "为免覆盖别人的修改，本次修改没有保存",
        "两边不同的题：{differences}",
        "重新载入这份答卷，核对别人的修改后再改",
    ),
    "store.migrate_failed": Template(
        "数据库 {db}", "无法建立或升级数据库的表", "{detail}", "确认文件未被其他程序占用且有写权限"
    ),
    "store.migrate_failed_server": Template(
        "数据库 {db}",
        "无法在服务器上建立或升级数据库的表",
        "{detail}",
        "确认账号有建表权限（CREATE），或请管理员运行 weidiaoyan db upgrade",
    ),
    # weidiaoyan db backup / restore
    "store.backup_tool_missing": Template(
        "",
        "备份或恢复 PostgreSQL 数据库需要 {tool}，本机没有找到",
        "",
        "安装 PostgreSQL 客户端（Debian/Ubuntu：apt-get install postgresql-client），版本不低于服务器",
    ),
    "store.backup_failed": Template(
        "数据库 {db}",
        "{tool} 没有完成，备份或恢复未生效（恢复在一个事务中进行，失败时目标数据库保持原样）",
        "{tool} 的回复：{detail}",
        "按回复检查连接和权限（备份需读取全部表，恢复需建表权限）；{tool} 的版本不能低于服务器",
    ),
    "store.backup_kind": Template(
        "{path}",
        "备份文件的种类与目标数据库不符",
        "文件是{kind}，目标 {db} 需要{want}",
        "用同一种数据库的备份恢复（SQLite 备份恢复到 .db 文件，PostgreSQL 备份恢复到 PostgreSQL 数据库）",
    ),
    "store.restore_not_empty": Template(
        "数据库 {db}",
        "目标数据库已有本工具的数据，恢复会整个覆盖它，因此没有恢复",
        "",
        "恢复到一个新的空数据库（新 .db 文件名，或 createdb 新建的库）；确需覆盖时加 --replace",
    ),
    # the database file or server while writing: every write is one transaction, rolled back on the way out
    "store.busy": Template(
        "数据库 {db}",
        "正被另一个程序写入，等了 {seconds:g} 秒仍未释放（可能有人正在导入、录入或整理数据）。本次没有写入任何数据",
        "",
        "稍等片刻后重新运行；若一直如此，关闭其他正在使用该数据库的程序（录入页面、Jupyter 笔记本等）",
    ),
    "store.read_only": Template(
        "数据库 {db}",
        "数据库文件是只读的（或它所在的文件夹不可写）。未完成的写入已撤销，数据库保持原样",
        "",
        "给数据库文件及其文件夹写权限，或把它复制到可写的位置后用 --db 指定",
    ),
    "store.disk_error": Template(
        "数据库 {db}",
        "读写磁盘时出错。未完成的写入已撤销，数据库保持原样",
        "",
        "检查磁盘或网络盘的连接与剩余空间后重新运行",
    ),
    "store.disk_full": Template(
        "数据库 {db}", "磁盘已满，写不下。未完成的写入已撤销，数据库保持原样", "", "清理磁盘空间后重新运行"
    ),
    "store.cannot_open": Template(
        "数据库 {db}",
        "无法打开数据库文件。未完成的写入已撤销，数据库保持原样",
        "",
        "检查 --db 的路径是否存在、是否有读写权限",
    ),
    "store.duplicate_row": Template(
        "数据库 {db}",
        "已有相同的记录：同一份数据已经写入过，可能是另一个程序（或另一位同事）刚刚同时写入。本次的改动已全部撤销，没有重复写入",
        "",
        "重新运行一次，已写入的答卷会被自动跳过",
    ),
    "store.not_found": Template(
        "{path}",
        "数据库文件不存在",
        "",
        "检查路径和文件名（相对路径以当前目录为准）；新建数据库用 weidiaoyan db init，或直接导入、录入答卷",
    ),
    "store.not_sqlite": Template(
        "{path}",
        "不是 SQLite 数据库文件",
        "",
        "换一个文件名（如 data/调研.db），不要把 Excel/CSV 文件当作数据库；共用数据库写作 postgresql+psycopg://…",
    ),
    "store.no_form": Template(
        "数据库 {db}",
        "没有问卷 {form_id!q}{version_text}",
        "",
        "先导入或保存该问卷（weidiaoyan ingest … --form 问卷.yaml）",
    ),
    "store.no_response": Template("答卷 #{response_id}", "数据库中没有这份答卷", "", "检查答卷编号（response_id）"),
    "store.bad_status": Template(
        "答卷状态", "只能是 active（有效）或 void（作废）", "收到 {status!q}", "改用 active 或 void"
    ),
    # operators' accounts (issue 13): weidiaoyan user add | list | disable | passwd
    "store.operator_name_invalid": Template(
        "录入员姓名",
        "不能为空，最长 64 个字，不能含控制字符",
        "收到 {name!q}",
        "写录入员的真实姓名，如 张三",
    ),
    "store.operator_exists": Template(
        "录入员账号 {name!q}", "已经存在", "", "换一个名字；要改密码用 weidiaoyan user passwd {name}"
    ),
    "store.operator_unknown": Template(
        "录入员账号 {name!q}", "数据库中没有这个账号", "", "用 weidiaoyan user list 查看已有账号，或用 user add 新建"
    ),
    "store.operator_locked": Template(
        "录入员账号 {name!q}",
        "密码连续输错次数太多，账号已锁定至 {until}（本机时间），未登录",
        "",
        "到时再用正确的密码登录；忘记密码请管理员运行 weidiaoyan user passwd {name}（同时解除锁定）",
    ),
    "store.operator_not_account": Template(
        "操作人 {name!q}",
        "不是本数据库可登录的录入员账号（数据库建了账号后，记下的每个操作人都必须是账号）",
        "",
        "--operator 写账号的姓名（weidiaoyan user list 查看）；新人先由管理员运行 weidiaoyan user add 姓名",
    ),
    "store.password_short": Template(
        "密码", "至少要 {minimum} 个字符", "只有 {length} 个", "换一个更长的密码（可用一句好记的话）"
    ),
    "store.password_mismatch": Template("密码", "两次输入的不一致，未保存", "", "重新运行命令，两次输入同一个密码"),
    "store.password_no_input": Template(
        "密码",
        "没有读到输入（不在终端里运行，或输入已结束），未保存",
        "",
        "在终端里运行并按提示输入，或用 --password-env VAR",
    ),
    "store.password_env_missing": Template(
        "环境变量 {var}",
        "没有设置或为空，读不到密码",
        "",
        "先设置该变量再运行，或去掉 --password-env，按提示输入密码",
    ),
}

# topics: topic models, curation steps, routing
_TOPICS: dict[str, Template] = {
    "param.invalid": Template(
        "{estimator} 的参数 {name}",
        "应为{allowed}",
        "实为 {value}",
        "改为符合要求的值，例如默认值 {name}={default}",
    ),
    "topics.filter_stream": Template(
        "--filter 与 --stream",
        "不能同时使用：分块读取时无法先按条件筛选",
        "",
        "去掉 --stream（筛选后的答卷一般不多），或去掉 --filter",
    ),
    "topics.not_fitted": Template("议题模型", "模型尚未训练", "", "先调用 fit(texts)，再对新文本调用 transform"),
    "topics.empty_input": Template("输入", "没有任何文本可供聚类", "", "检查输入文件的文本列是否有内容"),
    "topics.ids_mismatch": Template(
        "ids", "数量须与文本数量一致", "ids {count} 个，文本 {n} 条", "为每条文本提供一个编号"
    ),
    "topics.themes_invalid": Template("--themes {value}", "主题数应为正整数或 auto", "", "改为例如 --themes 7"),
    "routing.not_fitted": Template("分流模型", "模型尚未训练", "", "先用带分类标签的历史记录调用 fit()"),
    "routing.labels_missing": Template(
        "分类标签",
        "没有给出分类标签，分流模型要从带分类的历史记录学习",
        "",
        "传入每条文本的分类，如 fit(texts, labels)",
    ),
    "routing.labels_mismatch": Template(
        "分类标签",
        "数量须与文本数量一致",
        "文本 {texts} 条，分类标签 {labels} 条",
        "确认文本列和分类列来自同一张表的同一批行",
    ),
    "routing.labels_empty": Template(
        "分类标签", "不能为空", "{count} 条为空：第 {rows} 条{more}", "去掉未分类的历史记录或补上分类后再训练"
    ),
    "routing.one_label": Template("分类标签", "少于 2 种，无法训练分流模型", "{only}", "提供带有多个类别的历史记录"),
    "routing.no_vocabulary": Template(
        "历史记录",
        "太少或太短，提取不到在多条记录中重复出现的词语",
        "{count} 条",
        "提供更多带分类的历史记录",
    ),
    "routing.class_too_small": Template(
        "分类「{label}」", "只有 1 条记录，无法分层抽出测试集", "", "合并或去掉过小的类别后再评估"
    ),
    "curation.not_fitted": Template("议题整理", "模型尚未训练", "", "先 fit，再做合并、拆分、改名等整理"),
    "curation.step_unknown": Template("整理步骤“{action}”", "不存在", "", "改用可用的步骤：{known}"),
    "curation.param_missing": Template(
        "整理步骤“{action}”", "缺少参数", "{param}；已给参数：{params}", "补上缺少的参数"
    ),
    "curation.topic_unknown": Template("议题编号 {topic}", "不存在", "现有 0–{last}", "检查 topics.csv 中的 topic_id"),
    "curation.ids_unknown": Template("文本编号 {ids!q}", "不在本次数据中", "", "检查 assignments.csv 的 id 列"),
    "curation.theme_unknown": Template("主题编号 {theme}", "不存在", "", "检查 themes.csv 中的 theme_id"),
    "curation.split_too_small": Template(
        "议题 {topic}", "文本太少，无法拆分", "只有 {count} 条文本，要拆成 {n} 个", "减小拆分数 n，或先合并更多文本"
    ),
}

# agenda: ranking candidates
_AGENDA: dict[str, Template] = {
    "agenda.weights_syntax": Template(
        "--weights", "每一段应为 因素=权重", "{part!q}", "写成 volume=0.4,intensity=0.3 这样的形式"
    ),
    "agenda.level_unknown": Template(
        "选题打分 参数 level",
        '只能是 "issue"（议题）或 "theme"（主题）',
        "{level!q}",
        '用 level="issue" 或 level="theme"',
    ),
    "agenda.factor_unknown": Template("选题打分", "未知的因素", "{name!q}", "改用可用的因素：{known}"),
    "agenda.weight_invalid": Template(
        "选题打分 因素 {name}", "权重须为非负数，0 表示不计入", "{value!q}", "写成 {name}=0.3 这样的非负数"
    ),
    "agenda.weights_zero": Template(
        "选题打分", "所有因素的权重都为 0 或缺少数据", "", "至少给一个有数据的因素设正权重（如 volume=1）"
    ),
    "agenda.messages_columns": Template(
        "选题打分的参数 messages",
        "缺少列{column!q}，留言表须有 id、text、time 三列",
        "现有列：{present}",
        "先用 toolkit.agenda.messages_from 把原始列映射为 id、text、time",
    ),
    "agenda.assignments_columns": Template(
        "选题打分的参数 assignments",
        "缺少列{column!q}，归类结果须有 id 和议题编号列",
        "现有列：{present}",
        "传入 TopicModel.fit 之后的 assignments_",
    ),
    "agenda.no_common_ids": Template(
        "选题打分", "留言与归类结果没有共同的 id", "", "确认两者来自同一份数据（id 列一致）"
    ),
    "agenda.no_issues": Template("选题打分", "除“未归类”外没有任何议题", "", "检查文本列是否选对，或减少主题数"),
}

# brief: charts, decks, reports
_BRIEF: dict[str, Template] = {
    "brief.no_responses": Template(
        "问卷 {form}（{title}）",
        "在数据库中还没有答卷，无法生成简报",
        "",
        "先录入或导入答卷（weidiaoyan ingest …），再运行 weidiaoyan brief",
    ),
    "brief.filter_matches_none": Template(
        "筛选条件（{filter}）",
        "没有答卷符合，无法生成简报",
        "共 {count:,} 份答卷，符合 0 份",
        "检查选项编号和条件（“and”要求同时满足，可改为“or”），或去掉 --filter",
    ),
    # a filter (``--filter``) of any command: it chooses responses, so it needs a store of them
    "filter.needs_store": Template(
        "{path}",
        "筛选条件只能用于问卷库（.db 文件或数据库地址）：表格文件没有问卷定义，条件中的题目编号无从对照",
        "{filter}",
        "把表格导入问卷库（weidiaoyan ingest）后对问卷库筛选，或在 Excel 中先筛好再导出",
    ),
    "brief.no_concern_question": Template(
        "问卷 {form}",
        "没有“意见建议（concern）”题，无法归并议题和排序选题",
        "",
        "在问卷中加入一道 kind: concern 的开放题",
    ),
    "font.missing_glyphs": Template(
        "图表 {chart}",
        "有文字无法用中文字体显示（会出现方框）",
        "{problems}",
        "安装中文字体，或设置环境变量 {env} 指向中文字体文件",
    ),
    "font.not_found": Template(
        "图表字体",
        "找不到能显示中文的字体（系统字体与 mplfonts 自带字体均不可用）",
        "",
        "重新安装依赖（pip install -e .），或设置环境变量 {env} 为一个中文字体文件的路径（如 NotoSansCJKsc-Regular.otf）",
    ),
}

# sample: the sample data generator
_SAMPLE: dict[str, Template] = {
    "sample.csv_missing": Template(
        "weidiaoyan sample",
        "未给出 --form 时只生成意见文本，需要 --csv 指定输出文件",
        "",
        "加上 --csv data/concerns.csv，或用 --form surveys/annual_topics.yaml 生成答卷",
    ),
    "sample.platform_unknown": Template(
        "导出格式", "未知的导出格式", "{platform!q}", "取 wjx、tencent、kobo、odk 或 table"
    ),
    "sample.not_a_form": Template(
        "generate_responses",
        "第一个参数应为问卷（Form）",
        "实为 {kind}",
        "先用 toolkit.load_form('surveys/….yaml') 读入问卷",
    ),
    "sample.count_invalid": Template(
        "generate_responses", "份数 n 应为 0 到 {limit:,} 之间的整数", "n={n!q}", "给出范围内的整数，如 n=100"
    ),
    "sample.rows_invalid": Template(
        "generate_concerns", "行数 n 应为 0 到 {limit:,} 之间的整数", "n={n!q}", "给出范围内的整数，如 n=1000"
    ),
    "sample.seed_invalid": Template(
        "{where}", "随机种子 seed 应为 0 或正整数", "seed={seed!q}", "写成 seed=0 这样的整数"
    ),
    "sample.dates_invalid": Template(
        "generate_concerns", "日期无法识别", "start={start!q}，end={end!q}", "写成 2025-01-01 这样的日期"
    ),
    "sample.span_short": Template(
        "generate_concerns", "时间范围太短，end 至少比 start 晚 30 天", "{start} 至 {end}", "把 end 推后或把 start 提前"
    ),
    "sample.constraints_unmet": Template(
        "generate_responses",
        "无法为问卷 {form} 生成符合约束的答卷",
        "已尝试 {tried} 份；问题：{last}",
        "检查该题的取值限制是否过严",
    ),
    "demo.form_missing": Template("surveys/{name}.yaml", "找不到示例问卷", "", "在项目根目录下运行本命令"),
}

# member: the register of committee members, their duties, points and 履职档案
_RULES_FIX = "参照 toolkit/member/rules_example.yaml 的写法"
_MEMBER: dict[str, Template] = {
    "member.list_has_errors": Template(
        "委员名单 {path}", "有 {count} 处问题，未导入任何委员", "{details}", "逐条按下面的提示改正名单后重新导入"
    ),
    "member.list_column_missing": Template(
        "委员名单 {path}",
        "缺少必需的列{column!q}",
        "现有列：{present!q}",
        "在表头加上这一列（也可写作：{aliases}）",
    ),
    "member.list_empty": Template(
        "委员名单 {path}", "名单中没有任何委员", "", "在表头下面逐行填写委员的姓名、界别、所在镇街/委员工作室、职务"
    ),
    "member.name_empty": Template(
        "第 {row} 行“{column}”列", "姓名不能为空", "", "填写委员姓名；这一行不是委员时删除它"
    ),
    "member.name_repeated": Template(
        "第 {row} 行“{column}”列",
        "与第 {first} 行同名，又没有委员编号，无法区分是不是同一人",
        "{name!q}",
        "同名的两位委员各填一个委员编号；重复填写的行删除其中一行",
    ),
    "member.code_repeated": Template(
        "第 {row} 行“{column}”列", "委员编号与第 {first} 行重复", "{value!q}", "每位委员的编号应各不相同"
    ),
    "member.too_long": Template(
        "{where}", "超过 {limit} 个字", "{value!q}（{length} 个字）", "写得短一些：只写姓名、编号或界别本身"
    ),
    "member.sector_empty": Template("第 {row} 行“{column}”列", "界别不能为空", "", "填写委员所在界别，如{example!q}"),
    "member.sector_unknown": Template(
        "第 {row} 行“{column}”列",
        "不在界别名单中",
        "{sector!q}",
        "改为界别名单中的一项（{known}）；本会界别不同时用 --sectors 给出本会的界别名单",
    ),
    "member.sectors_empty": Template(
        "界别名单 {path}", "没有任何界别", "", "每行写一个界别名称，如“中共”“民革”“经济界”"
    ),
    "member.no_register": Template(
        "数据库 {db}", "还没有委员名单", "", "先运行 weidiaoyan member import 名单.xlsx --db …"
    ),
    "member.unknown": Template(
        "委员{name!q}", "不在委员名单中", "", "用 weidiaoyan member list 查看名单中的姓名和编号，或先把这位委员加入名单"
    ),
    "member.ambiguous": Template(
        "委员{name!q}",
        "名单中有 {count} 位同名委员",
        "委员编号：{codes!q}",
        "写委员编号代替姓名，如 {example}",
    ),
    "member.no_members": Template("{flag}", "没有给出委员", "", "写一位或几位委员的姓名（或委员编号），用逗号分隔"),
    "member.kind_unknown": Template("{flag}", "不是工作人员可录入的履职类型", "{kind!q}", "改用其中一种：{known}"),
    "member.date_invalid": Template("{flag}", "日期无法识别", "{value!q}", "写成 2026-04-12 这样的日期"),
    "member.date_future": Template(
        "{flag}", "日期晚于今天，只记录已经做过的履职", "{date}，今天 {today}", "核对日期；计划中的活动做完后再记录"
    ),
    "member.year_invalid": Template(
        "{flag}", "年份应为 2000 到 2100 之间的整数", "{value!q}", "写成 {flag} 2026 这样的年份"
    ),
    "member.months_invalid": Template("{flag}", "月数应为 1 到 36 之间的整数", "{value!q}", "写成 {flag} 6 这样的整数"),
    "member.alias_invalid": Template(
        "别称{alias!q}",
        "别称不能为空，也不能与名单中另一位委员的姓名相同",
        "",
        "别称写记录里出现的写法，如“陈委员”",
    ),
    "member.alias_taken": Template(
        "别称{alias!q}",
        "已经指向另一位委员",
        "{other}",
        "确认是哪位委员；若要改指，先运行 weidiaoyan member alias {alias} --remove",
    ),
    "member.activity_unknown": Template(
        "履职记录 A{activity}", "不存在或已作废", "", "用 weidiaoyan member activities 查看记录编号"
    ),
    "member.rules_has_errors": Template(
        "计分规则 {path}", "有 {count} 处问题", "{details}", "逐条按下面的提示改正后再试"
    ),
    "member.rules_unreadable": Template(
        "计分规则 {path}", "不是有效的 YAML", "{reason}", "检查缩进、冒号和引号；" + _RULES_FIX
    ),
    "member.rules_shape": Template("{place}", "应为键值对", "实为{shape}", _RULES_FIX),
    "member.rules_key_unknown": Template("{place}", "未知的设置", "{key!q}", "可用的设置：{known}"),
    "member.rules_no_kinds": Template(
        "{place}", "没有任何履职类型的分值", "", "在 kinds 下为每种履职类型写 points（分值）；" + _RULES_FIX
    ),
    "member.rules_points": Template("{place}", "分值应为 0 或正数", "{value!q}", "写成 points: 2 这样的数"),
    "member.rules_cap": Template("{place}", "上限应为正数", "{value!q}", "写成 cap: 20 这样的数；不设上限时删去这一行"),
    "member.rules_multiplier": Template(
        "{place}", "倍数应为正数", "{value!q}", "写成 multiplier: 2 这样的数；不加倍时删去这一行"
    ),
    "member.rules_period": Template(
        "{place}",
        "上限的周期只能是 year（年）、quarter（季度）或 month（月）",
        "{value!q}",
        "改为 year、quarter 或 month",
    ),
}

# opinion: 社情民意信息 drafts, 协商选题 and 协商意见, their tracking
_TRACK_FIX = "用 weidiaoyan opinion show 编号 --db 数据库 查看已登记的步骤"
_OPINION: dict[str, Template] = {
    "opinion.item_unknown": Template(
        "编号 {item}", "数据库里没有这条社情民意信息或协商意见", "", "用 weidiaoyan opinion list --db 数据库 查看编号"
    ),
    "opinion.topic_unknown": Template(
        "协商选题 {topic}", "数据库里没有这个协商选题", "", "用 weidiaoyan opinion topic list --db 数据库 查看编号"
    ),
    "opinion.state_unknown": Template("{flag}", "不是跟踪状态", "{state!q}", "改用其中之一：{known}"),
    "opinion.step_skipped": Template(
        "{item}",
        "跳过了必经的步骤{missing!q}",
        "当前为{current!q}，要登记{state!q}",
        "先登记{missing!q}；现在可以登记：{allowed}",
    ),
    "opinion.step_backwards": Template(
        "{item}", "状态只能向前，{state!q}已经登记过或在当前状态之前", "当前为{current!q}", "现在可以登记：{allowed}"
    ),
    "opinion.follow_up_early": Template(
        "{item}", "跟踪问效只能在答复之后登记", "当前为{current!q}", "先登记答复；现在可以登记：{allowed}"
    ),
    "opinion.date_invalid": Template("{flag}", "日期无法识别", "{value!q}", "写成 2026-05-08 这样的日期"),
    "opinion.date_before": Template(
        "{item}",
        "日期早于上一步，各步骤应按时间先后登记",
        "{state} {date}，上一步{previous} {previous_date}",
        "核对日期；上一步登记错了时，" + _TRACK_FIX,
    ),
    "opinion.date_future": Template(
        "{flag}", "日期晚于今天，只登记已经发生的步骤", "{date}，今天 {today}", "核对日期，写成今天或以前的日期"
    ),
    "opinion.deadline_before": Template(
        "--deadline", "期限早于这一步的日期", "期限 {deadline}，日期 {date}", "把期限写成这一步之后的日期"
    ),
    "opinion.deadline_not_here": Template(
        "--deadline",
        "只有交办（办理期限）和答复之后的步骤（下次跟踪问效日期）带期限",
        "步骤{state!q}",
        "去掉 --deadline，或在交办时再给出期限",
    ),
    "opinion.answer_missing": Template(
        "{item}",
        "登记答复时要给出答复类别",
        "",
        "加上 --answer A、B 或 C：A 已解决，B 列入计划，C 留作参考",
    ),
    "opinion.answer_invalid": Template(
        "--answer", "答复类别只能是 A、B、C", "{answer!q}", "写 A 已解决、B 列入计划或 C 留作参考"
    ),
    "opinion.answer_not_here": Template(
        "--answer", "只有答复这一步带答复类别", "步骤{state!q}", "去掉 --answer，或改为 --to 答复"
    ),
    "opinion.rank_dir_invalid": Template(
        "{path}",
        "不是 weidiaoyan rank --out 写出的结果文件夹",
        "缺少 {missing}",
        "给出 rank 的 --out 文件夹，或先运行 weidiaoyan rank 输入 … --out 该文件夹",
    ),
    "opinion.rank_unknown": Template(
        "{path}", "没有这个名次的选题候选", "第 {rank} 名，共 {count} 个候选", "改用 1 到 {count} 之间的名次"
    ),
    "opinion.rank_no_messages": Template(
        "{path} 第 {rank} 名（问题ID {issue}）",
        "留言明细表里没有这个候选的留言，明细表只列出热度前几名",
        "",
        "用 weidiaoyan rank … --top {rank} 重新排序后再起草",
    ),
    "opinion.source_missing": Template(
        "weidiaoyan opinion draft",
        "既没有给出 rank 结果文件夹和 --rank 名次，也没有 --blank",
        "",
        "写成 opinion draft 结果文件夹 --rank 1 …，或 opinion draft --blank --title 标题 …",
    ),
    "opinion.title_missing": Template(
        "{where}", "缺少标题", "", "加上 --title，如 --title 关于加强老旧小区加装电梯的建议"
    ),
    "opinion.draft_exists": Template(
        "{path}",
        "已有同名的稿子（可能是委员改写过的），不覆盖",
        "数据库 {db} 的新稿编号是 {id}",
        "换一个 --out 文件夹，或把已有的文件移走后再起草",
    ),
    "opinion.year_invalid": Template("--year", "年度应为四位数的年份", "{year!q}", "写成 --year 2026 这样的年份"),
}

# analysis: cross-tabs, filters, weights, data-quality flags
_TARGETS = "{path} 题目 {question}"
_ANALYSIS: dict[str, Template] = {
    "analysis.filter_invalid": Template("筛选条件 {filter!q}", "无法使用", "{cause.what}", "改正筛选条件：{cause.fix}"),
    "analysis.filter_unknown_question": Template(
        "筛选条件 {filter!q}", "引用了问卷中没有的题目", "{question!q}", "改用问卷中的题目编号：{known}"
    ),
    "analysis.filter_label_not_id": Template(
        "筛选条件 {filter!q}",
        "题目 {question} 的选项要写选项编号，不是选项文字",
        "{label!q}",
        "把 '{label}' 改为 '{choice}'",
    ),
    "analysis.filter_choice_unknown": Template(
        "筛选条件 {filter!q}", "题目 {question} 没有这个选项", "{value!q}", "改用该题的选项编号：{known}"
    ),
    "analysis.filter_date_invalid": Template(
        "筛选条件 {filter!q}",
        "{question} 是日期，比较的值应是日期",
        "{value!q}",
        "写成 '2026-06-01'（或 2026/6/1、2026年6月1日）这样的日期",
    ),
    "analysis.filter_date_month": Template(
        "筛选条件 {filter!q}", "月份 {month} 不存在", "{value!q}", "月份写 1–12，如 '2026-06-01'"
    ),
    "analysis.filter_date_day": Template(
        "筛选条件 {filter!q}", "{year}年{month}月没有{day}日", "{value!q}", "写成这个月里存在的日期，如 '2026-06-01'"
    ),
    "analysis.matrix_row_needed": Template(
        "题目 {question}",
        "是矩阵量表，交叉分析要指定其中一行",
        "可用：{rows}",
        "写成 {example} 这样的“题目编号/行编号”",
    ),
    "analysis.not_a_matrix": Template(
        "{column!q}", "题目 {question} 不是矩阵量表，不能用“/行编号”", "", "只写题目编号 {question}"
    ),
    "analysis.not_tabulable": Template(
        "问卷 {form} 题目 {question}（{label}）",
        "是{kind}，不能做交叉分析",
        "",
        "改用单选、多选、量表、排序、数字、日期题，或镇街、界别、社区等角色题",
    ),
    "analysis.too_many_texts": Template(
        "题目 {question}",
        "填写的内容种类太多，不宜做交叉分析",
        "{count:,} 种，上限 {limit}",
        "改用单选题（如镇街），或先把答案归并为少数几类",
    ),
    "analysis.same_question": Template(
        "交叉分析 {question}", "行和列是同一道题", "", "为 --rows 和 --cols 选两道不同的题"
    ),
    "analysis.no_responses": Template(
        "问卷 {form}", "数据库中还没有答卷，无法分析", "", "先录入或导入答卷（weidiaoyan ingest …）"
    ),
    "analysis.filter_matches_none": Template(
        "筛选条件 {filter!q}",
        "没有答卷符合",
        "共 {count:,} 份答卷，符合 0 份",
        "检查选项编号和条件（“and”要求同时满足，可改为“or”），或去掉筛选条件",
    ),
    "analysis.no_common_answers": Template(
        "交叉分析 {rows} × {cols}",
        "没有答卷同时回答了这两道题",
        "共 {count:,} 份答卷",
        "检查题目编号；有跳题逻辑的题只对部分人显示，换一道都回答了的题",
    ),
    "analysis.weights_encoding": Template("{path}", "加权目标文件不是 UTF-8 编码", "", "用记事本另存为“UTF-8”编码"),
    "analysis.weights_yaml": Template(
        "{path} 第{line}行", "加权目标文件不是有效的 YAML", "{reason}", "对照示例检查冒号、缩进（用空格，不用制表符）"
    ),
    "analysis.weights_shape": Template(
        "{path}",
        "加权目标应写成 targets 下“题目编号: {{选项: 占比}}”",
        "",
        "参照工具自带的示例文件 {example} 改写",
    ),
    "analysis.weights_question_unknown": Template(
        _TARGETS, "问卷中没有这道题，不能作为加权变量", "", "改用问卷中的单选题编号：{known}"
    ),
    "analysis.weights_question_kind": Template(
        _TARGETS + "（{label}）", "不是单选题，不能作为加权变量", "", "改用镇街、性别、年龄段等单选题加权"
    ),
    "analysis.weights_category_unknown": Template(
        _TARGETS, "没有这个选项", "{category!q}", "写选项编号或选项文字，可用：{known}"
    ),
    "analysis.weights_share_invalid": Template(
        _TARGETS + " 选项 {category}", "占比应为 0 到 1 之间的数", "{value!q}", "写成 0.25 这样的小数（25% 写 0.25）"
    ),
    "analysis.weights_sum": Template(
        _TARGETS, "各选项占比合计应为 1", "合计 {total}", "核对各项占比；百分数请除以 100"
    ),
    "analysis.weights_no_respondents": Template(
        "{path}", "没有答卷回答了全部加权题目，无法加权", "加权题目：{questions}", "减少加权变量，或检查题目编号"
    ),
    "analysis.weights_category_missing": Template(
        _TARGETS,
        "样本中有人选了这些选项，加权目标却没有给出占比",
        "{categories}，共 {count} 份答卷",
        "补上这些选项的总体占比（合计仍为 1）",
    ),
    "analysis.weights_empty_cell": Template(
        _TARGETS + " 选项 {category}",
        "目标占比大于 0，但样本中没有人选这一项，无法加权",
        "目标占比 {share}",
        "把这一项与相近的选项合并（占比相加），或不用这道题加权",
    ),
    # compare-waves: 问效 by re-survey (a baseline wave against a follow-up wave)
    "analysis.wave_filter_missing": Template(
        "{flag}",
        "缺少这一轮的条件，前后对比要分别给出基线和跟踪两轮的条件",
        "",
        "写成 {flag} \"${{submitted_at}} < '2026-06-01'\" 这样的条件（按提交时间或轮次题分轮）",
    ),
    "analysis.wave_empty": Template(
        "{flag} {filter!q}",
        "这一轮没有符合条件的答卷",
        "共 {count:,} 份答卷，符合 0 份",
        "核对条件，如按提交时间分轮：\"${{submitted_at}} < '2026-06-01'\"",
    ),
    "analysis.waves_overlap": Template(
        "--baseline 与 --followup",
        "两轮的条件选中了同样的答卷，基线和跟踪两轮应互不重叠",
        "{count:,} 份答卷两轮都符合",
        "改正条件使两轮不重叠，如一个写 < '2026-06-01'，另一个写 >= '2026-06-01'",
    ),
    "analysis.waves_not_comparable": Template(
        "题目 {question}（{label}）",
        "是{kind}，不能做前后对比",
        "",
        "改用单选题、量表题（矩阵量表写“题目编号/行编号”）或数字题；多选题、排序题给出 --option 选项编号",
    ),
    "analysis.waves_option_unknown": Template(
        "--option", "不是题目 {question} 的选项", "{option!q}", "改用该题的选项编号：{known}"
    ),
    "analysis.waves_option_number": Template(
        "--option", "数字题比较的是平均数，不按选项", "{option!q}", "去掉 --option"
    ),
    "analysis.waves_by_invalid": Template(
        "--by {by}", "分组题应是单选题（如镇街），且不是要比较的那道题", "{reason}", "换一道单选题，如 --by district"
    ),
}

_SECTIONS = (_SHARED, _FORMS, _INGEST, _ENTRY, _STORE, _TOPICS, _AGENDA, _BRIEF, _SAMPLE, _MEMBER, _OPINION, _ANALYSIS)
CATALOGUE: dict[str, Template] = {code: t for section in _SECTIONS for code, t in section.items()}


class _Formatter(string.Formatter):
    # a wrong fact type ("{n:,}" given a text) raises here: the catalogue tests render every code
    def convert_field(self, value, conversion):
        return quoted(value) if conversion == "q" else super().convert_field(value, conversion)


_FORMAT = _Formatter()


def context_keys(code: str) -> set[str]:
    """The context names the template of ``code`` uses: a raise site must give each of them."""
    t = CATALOGUE[code]
    return {
        name.split(".")[0].split("[")[0]
        for part in (t.where, t.rule, t.value, t.fix)
        for _, name, _, _ in _FORMAT.parse(part)
        if name
    }


def render_parts(code: str, context: dict[str, Any]) -> tuple[str, str, str, str]:
    """The four parts of the message of ``code`` with ``context`` filled in."""
    t = CATALOGUE[code]
    where, rule, value, fix = (_FORMAT.vformat(p, (), context) for p in (t.where, t.rule, t.value, t.fix))
    return where, rule, value, fix


def stated(rule: str, value: str) -> str:
    """The rule with the value that broke it: "rule（value）"; "rule：value" when the value has brackets
    of its own (never nested brackets) or is lines below it."""
    if not value:
        return rule
    bracketed = "（" in value or "）" in value or rule.endswith("）")
    return f"{rule}：{value}" if value.startswith("\n") or bracketed else f"{rule}（{value}）"


def render(code: str, **context: Any) -> str:
    """The Chinese message: "where：rule（value）。修改：fix。" (empty parts left out)."""
    return _joined(*render_parts(code, context))


def _joined(where: str, rule: str, value: str, fix: str) -> str:
    head = f"{where}：" if where else ""
    if value.startswith("\n"):  # a summary of problems, one a line, each with its own fix: its fix comes first
        return f"{head}{rule.rstrip('。')}。{FIX}{fix.rstrip('。')}：{value}"
    return f"{head}{stated(rule, value).rstrip('。')}。{FIX}{fix.rstrip('。')}。"


class Coded:
    """Something shown by a catalogue ``code`` and the facts its template names, rendered when read: the
    one place where code + facts become text for errors, form problems and answer problems."""

    code: str
    context: dict[str, Any]

    def facts(self) -> dict[str, Any]:
        """The context the template is rendered with (a subclass adds what it holds itself)."""
        return self.context

    def parts(self) -> tuple[str, str, str, str]:
        return render_parts(self.code, self.facts())

    @property
    def what(self) -> str:
        """The rule and value, without where and fix: for a message that names its own place."""
        _, rule, value, _ = self.parts()
        return stated(rule, value)

    @property
    def fix(self) -> str:
        return self.parts()[3]

    @property
    def message(self) -> str:
        """The whole message: where → rule → value → fix."""
        return _joined(*self.parts())

    @property
    def detail(self) -> str:
        """The message without its where, for a place that shows it already (the question's own box on a page)."""
        return _joined("", *self.parts()[1:])


class ToolkitError(Coded, Exception):
    """Base class of all toolkit errors; the CLI prints ``str(err)`` and exits non-zero.

    ``code`` is a key of :data:`CATALOGUE`, ``context`` the facts its template names; ``problems`` the
    individual problems behind an error that sums them up (a form with several errors). A code missing
    from the catalogue is a programming error (``KeyError``), never shown as free text.
    """

    exit_code = 1
    defaults: dict[str, Any] = {}  # facts a lower layer's error lacks until its caller adds them (the file)

    def __init__(self, code: str, *, problems: list | None = None, **context: Any):
        if code not in CATALOGUE:
            raise KeyError(f"{code!r} is not a code of toolkit.errors.CATALOGUE")
        super().__init__(code)
        self.code, self.context = code, context
        self.problems = list(problems or [])

    @classmethod
    def from_error(cls, err: ToolkitError, **context: Any):
        """This class's error with ``err``'s code and context (plus ``context``): a lower layer's refusal
        (an unsafe file, a broken expression) raised as the calling stage's error, worded the same."""
        return cls(err.code, problems=err.problems, **{**err.context, **context})

    def facts(self) -> dict[str, Any]:
        return {**self.defaults, **self.context}

    def __str__(self) -> str:
        try:
            return self.message
        except (KeyError, IndexError, AttributeError, ValueError, TypeError):
            # a fact missing or of the wrong type: still say what is known, never crash the CLI
            # (tests/test_error_catalogue.py checks every raise site gives its facts)
            return f"{self.code}：{quoted(self.context)}"

    def __reduce__(self):  # keep code and context across processes (pickling rebuilds from args)
        return (_rebuild, (type(self), self.code, self.context, self.problems))


def _rebuild(cls, code, context, problems):
    return cls(code, problems=problems, **context)


# Characters a message must name: shown as themselves they are invisible or look like a plain space.
_NAMED = {
    "\u3000": "全角空格",
    "\xa0": "不换行空格",
    "\t": "制表符",
    "\n": "换行",
    "\r": "回车",
    "\u200b": "零宽空格",
    "\ufeff": "BOM",
    "\u2028": "换行",
    "\u2029": "换段",
}


def quoted(value) -> str:
    """A value as a message shows it: text in “”, invisible characters named (“〔全角空格〕”) instead of
    repr's ``'\\u3000'`` escapes; lists joined with 、; numbers as written."""
    if isinstance(value, (list, tuple, set)):
        return "、".join(quoted(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "；".join(f"{k}：{quoted(v)}" for k, v in value.items()) or "（空）"
    if value is None:
        return "（空）"
    if not isinstance(value, str):
        return str(value)
    out = "".join(
        f"〔{_NAMED[ch]}〕" if ch in _NAMED else ch if ch.isprintable() else f"〔U+{ord(ch):04X}〕" for ch in value
    )
    return f"“{out}”"
