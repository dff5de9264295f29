"""Personal-data masking: recall on planted variants, what gets masked on real letters, and speed.

    .venv/bin/python benchmarks/pii.py [--per-kind 40] [--seed 0] [--show 40]

1. Planted corpus: ``--per-kind`` synthetic items of each kind (valid ID check digits, Luhn-valid cards,
   random mobiles and landlines), each written in one of several ways (spaces, dashes, dots, —, full-width
   digits, +86 / 0086, lowercase or full-width plate letters …) and embedded in a Chinese sentence. An item
   counts as found when the sentence comes back with exactly that item replaced by its placeholder; a leak
   is any run of 4+ of its digits still in the output. Prints recall per kind and overall (target ≥ 0.98).
   Random 8-digit local numbers that read as dates (20190512) or year ranges are kept on purpose when no
   phone word precedes them (see toolkit/text/pii.py; one local sentence has none), so they count as misses.
2. Real letters: the teddy2020c messages in ../shared/data/external/teddy2020c/ (read in place when
   present, never copied). The publisher replaced most real numbers with 0000-00000000, so a mask there is
   either a number it left in (office phones, plates) or a false positive (dates, amounts, 留言编号 …).
   Prints masks per 1,000 letters per kind, how many have no contact word (电话, 座机, 车牌 …) just before
   them (likely false positives), and those and a sample of the rest, in context, to judge by eye.
3. Speed: median of 3 runs of ``mask_pii`` on the letters joined into one text and on 1 MB adversarial
   strings (long digit runs, digit groups, e-mail-like and plate-like repetitions).
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.append(str(Path(__file__).parent))
import topics_data  # noqa: E402

from toolkit.text.pii import MASKS, find_pii, mask_pii  # noqa: E402

FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})  # ASCII → full-width
SEPS = [" ", "-", ".", " - ", "—", "－", "·", "\u3000", "--"]
PROVINCE_CODES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
]
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643, written out here, not taken from the toolkit
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
SENTENCES = {
    "mobile": ["我的电话是{}，请尽快回复。", "联系人：王先生 {}", "有事打{}（微信同号）", "手机{}。2019年反映过3次"],
    "landline": ["小区物业座机{}，一直没人接。", "请拨打{}咨询", "办公室电话：{}，周一至周五", "传真{}。"],
    "local": ["物业电话{}，没人接", "座机{}。", "请打{}找李主任", "值班室 {} 24小时"],
    "id_number": ["本人身份证号{}，情况属实。", "身份证：{}", "户主（身份证 {} ）已去世", "证件号码{}。"],
    "id15": ["老身份证号{}，已过期。", "身份证：{}", "原证号 {} 还能用吗"],
    "bank_card": ["补贴打到卡号{}，至今未到账。", "银行卡：{}", "收款账号 {} 户名张三"],
    "email": ["邮箱{}，盼回复。", "请发至 {} 谢谢", "联系邮箱：{}。"],
    "plate": ["车牌{}的车长期占用消防通道。", "{}每天停在楼道口", "举报车辆（{}）乱停"],
}


def _digits(rng, n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def _group(value, sizes, sep):
    out, pos = [], 0
    for size in sizes:
        out.append(value[pos : pos + size])
        pos += size
    return sep.join(out + ([value[pos:]] if pos < len(value) else []))


def _mobile(rng, k):
    d = rng.choice(["13", "14", "15", "16", "17", "18", "19"]) + _digits(rng, 9)
    sep = SEPS[k % len(SEPS)]
    forms = [
        d,
        _group(d, (3, 4), sep),
        "+86 " + d,
        "0086-" + _group(d, (3, 4), " "),
        "+86" + d,
        d.translate(FULL),
        _group(d, (3, 4), sep).translate(FULL),
        "+86 " + _group(d, (3, 4), sep),
        _group(d, (4, 4), sep),
        "(+86)" + d,
        "＋８６ " + _group(d, (3, 4), "－").translate(FULL),
    ]
    return forms[k % len(forms)]


def _landline(rng, k):
    area = rng.choice(["010", "020", "021", "025", "0731", "0755", "0571", "0898", "0743"])
    local = _digits(rng, 8 if len(area) == 3 or k % 3 else 7, "23456789")
    sep = SEPS[k % len(SEPS)]
    forms = [
        area + local,
        area + sep + local,
        area + sep + _group(local, (len(local) - 4,), sep),
        f"({area}){local}",
        f"（{area}）{local}",
        (area + "-" + local).translate(FULL),
        area + "-" + local + "转" + _digits(rng, 3),
        "+86 " + area[1:] + " " + local,
        area + " - " + local,
        "０" + (area[1:] + "—" + local).translate(FULL),
    ]
    return forms[k % len(forms)]


def _local(rng, k):
    d = _digits(rng, 8, "23456789")
    forms = [d, d, d.translate(FULL), _group(d, (4,), " "), _group(d, (4,), "-")]
    return forms[k % len(forms)]


def _id18(rng):
    year = rng.randrange(1940, 2006)
    body = (
        rng.choice(PROVINCE_CODES)
        + _digits(rng, 4)
        + f"{year}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        + _digits(rng, 3)
    )
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def _id_number(rng, k):
    d = _id18(rng)
    while k % 4 == 1 and not d.endswith("X"):  # a quarter end in X
        d = _id18(rng)
    sep = SEPS[k % len(SEPS)]
    forms = [
        d,
        d.lower(),
        _group(d, (6, 8), " "),
        _group(d, (6, 4, 4), sep),
        _group(d, (4, 4, 4, 4), " "),
        d.translate(FULL),
        _group(d, (6, 8), "-").translate(FULL),
        _group(d, (3, 3, 4, 4, 3), " "),
    ]
    return forms[k % len(forms)]


def _id15(rng, k):
    d = (
        rng.choice(PROVINCE_CODES) + _digits(rng, 4) + f"{rng.randrange(30, 100)}{rng.randrange(1, 13):02d}"
        f"{rng.randrange(1, 29):02d}" + _digits(rng, 3)
    )
    forms = [d, _group(d, (6, 6), " "), d.translate(FULL), _group(d, (6, 6), "-")]
    return forms[k % len(forms)]


def _bank_card(rng, k):
    n = (16, 17, 18, 19)[k % 4]
    body = rng.choice(["622202", "622848", "621700", "436742", "524047", "955880"]) + _digits(rng, n - 7)
    total = 0
    for i, c in enumerate(reversed(body)):  # Luhn check digit: double every second digit from the right
        v = int(c) * (2 if i % 2 == 0 else 1)
        total += v - 9 if v > 9 else v
    d = body + str(-total % 10)
    sep = SEPS[k % len(SEPS)]
    forms = [
        d,
        _group(d, (4, 4, 4, 4), " "),
        _group(d, (4, 4, 4, 4), "-"),
        d.translate(FULL),
        _group(d, (4, 4, 4, 4), sep),
    ]
    return forms[k % len(forms)]


def _email(rng, k):
    user = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(3, 9)))
    user += rng.choice(["", ".li", "_2019", str(rng.randrange(100, 99999))])
    if k % 5 == 4:
        user = _digits(rng, rng.randrange(6, 11), "123456789")  # QQ mail: 12345678@qq.com
    domain = rng.choice(["qq.com", "163.com", "126.com", "example.cn", "hn.gov.cn", "sina.com.cn"])
    forms = [f"{user}@{domain}", f"{user}＠{domain}", f"{user}@{domain}".translate(FULL), f"{user.upper()}@{domain}"]
    return forms[k % len(forms)]


def _plate(rng, k):
    head = rng.choice(PLATE_PROVINCES) + rng.choice(PLATE_LETTERS)
    tail = [rng.choice("0123456789") for _ in range(5)]
    for pos in rng.sample(range(5), rng.randrange(3)):  # the serial has at most 2 letters
        tail[pos] = rng.choice(PLATE_LETTERS)
    tail = "".join(tail)
    if k % 4 == 3:  # new-energy plate: D/F then 5 digits, or 5 digits then D/F
        tail = rng.choice("DF") + _digits(rng, 5) if k % 8 == 3 else _digits(rng, 5) + rng.choice("DF")
    forms = [
        head + tail,
        head.lower() + tail,
        head + " " + tail,
        head + "·" + tail,
        head[0] + head[1:].translate(FULL) + tail,
        (head + tail).lower(),
    ]
    return forms[k % len(forms)]


CONTACT = re.compile(r"电话|座机|手机|联系|拨|打|号码|热线|车|牌|邮箱|卡号|账号|身份证|证号")
MAKERS = {
    "mobile": _mobile,
    "landline": _landline,
    "local": _local,
    "id_number": _id_number,
    "id15": _id15,
    "bank_card": _bank_card,
    "email": _email,
    "plate": _plate,
}
MASK_OF = {"local": "landline", "id15": "id_number"}


def planted(per_kind: int, seed: int):
    """``(group, value, sentence, placeholder)`` per planted item; ``group`` is the kind or variant family."""
    rng = random.Random(seed)
    for group, make in MAKERS.items():
        sentences = SENTENCES[group]
        for k in range(per_kind):
            value = make(rng, k)
            sentence = sentences[k % len(sentences)]
            yield group, value, sentence, MASKS[MASK_OF.get(group, group)]


def recall(per_kind: int, seed: int) -> None:
    found, total, leaks, misses = Counter(), Counter(), Counter(), []
    fold = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
    for group, value, sentence, placeholder in planted(per_kind, seed):
        total[group] += 1
        text = sentence.format(value)
        masked = mask_pii(text)
        if masked == sentence.format(placeholder):
            found[group] += 1
        else:
            misses.append((group, text, masked))
        # A leak: 4+ of the item's digits in a row still in what replaced it (the sentence's own text aside).
        head, tail = sentence.split("{}")
        middle = (
            masked[len(head) : len(masked) - len(tail)] if masked.startswith(head) and masked.endswith(tail) else masked
        )
        digits = re.sub(r"\D", "", value.translate(fold))
        if any(len(run) >= 4 and run in digits for run in re.findall(r"\d+", middle.translate(fold))):
            leaks[group] += 1
    n = sum(total.values())
    print(f"1. Planted corpus: {n} variants (seed {seed}); found = exactly the item replaced by its placeholder")
    for group in MAKERS:
        print(
            f"   {group:<10} {found[group]:>4}/{total[group]:<4} recall {found[group] / total[group]:.3f}   "
            f"leaks {leaks[group]}"
        )
    print(
        f"   overall    {sum(found.values()):>4}/{n:<4} recall {sum(found.values()) / n:.3f}   "
        f"leaks {sum(leaks.values())} (target recall >= 0.98)"
    )
    for group, text, masked in misses[:20]:
        print(f"   miss [{group}] {text!r} -> {masked!r}")


def real_letters(show: int) -> list[str]:
    if not topics_data.available():
        print("2. Real letters: ../shared/data/external/teddy2020c not found, skipped")
        return []
    import pandas as pd

    details = (
        pd.read_excel(topics_data.ROOT / "Syucryingstar_NLP_tipdm_90f5471/全部数据/附件4.xlsx", engine="calamine")[
            "留言详情"
        ]
        .astype(str)
        .str.strip()
    )
    texts = list(
        dict.fromkeys(
            topics_data.load_labelled()["text"].tolist()
            + topics_data.load_unlabelled()["text"].tolist()
            + details.tolist()
        )
    )
    counts, likely_fp, hits, letters_hit, letters_fp = Counter(), Counter(), [], 0, 0
    for t in texts:
        spans = find_pii(t)
        letters_hit += bool(spans)
        fp_here = False
        for s, e, kind in spans:
            counts[kind] += 1
            before = t[max(0, s - 12) : s]
            real = bool(CONTACT.search(before))
            if not real:
                likely_fp[kind] += 1
                fp_here = True
            hits.append((real, kind, before, t[s:e], t[e : e + 8]))
        letters_fp += fp_here
    n = len(texts)
    print(
        f"\n2. Real letters: {n} unique teddy2020c messages (附件2 pieces, 附件3, 附件4); the publisher replaced "
        "most real numbers, so a mask is either a number it left in or a false positive"
    )
    print(
        f"   letters with any mask: {letters_hit} ({1000 * letters_hit / n:.1f} per 1,000); masks: "
        f"{sum(counts.values())} ({1000 * sum(counts.values()) / n:.1f} per 1,000 letters)"
    )
    print(
        "   likely false positive = no contact word (电话/座机/手机/联系/拨/打/号码/车牌/邮箱/卡号/身份证 …) in the "
        "12 characters before it;"
    )
    print(
        f"   likely false positives: {sum(likely_fp.values())} in {letters_fp} letters "
        f"({1000 * sum(likely_fp.values()) / n:.2f} masks, {1000 * letters_fp / n:.2f} letters per 1,000)"
    )
    print(f"   {'kind':<10} {'masks':>5} {'per 1,000':>9}  {'likely FP':>9} {'per 1,000':>9}")
    for kind in MASKS:
        print(
            f"   {kind:<10} {counts[kind]:>5} {1000 * counts[kind] / n:>9.2f}  {likely_fp[kind]:>9} "
            f"{1000 * likely_fp[kind] / n:>9.2f}"
        )
    fps = [h for h in hits if not h[0]]
    rest = [h for h in hits if h[0]]
    sample = fps[:show] + random.Random(0).sample(rest, min(len(rest), max(0, show - len(fps))))
    print(
        f"   masked spans (context …[masked]…): {min(len(fps), show)} of {len(fps)} likely false positives, "
        f"then {len(sample) - min(len(fps), show)} of {len(rest)} with a contact word:"
    )
    for real, kind, before, span, after in sample:
        print(f"     {'contact' if real else 'FP?':<7} {kind:<9} …{before}[{span}]{after}…".replace("\n", " "))
    return texts


def _median_time(fn, repeat=3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(texts: list[str], seed: int) -> None:
    print("\n3. Speed (median of 3 runs of mask_pii on one string)")
    if texts:
        big = "\n".join(texts)
        t = _median_time(lambda: mask_pii(big))
        print(f"   real letters joined: {len(big) / 1e6:.1f} M chars in {t:.2f} s ({len(big) / 1e6 / t:.1f} M chars/s)")
    size = 1_000_000
    rng = random.Random(seed)
    adversarial = {
        "one digit run": "1" * size,
        "3-digit groups '123 '": "123 " * (size // 4),
        "1-digit groups '1-'": "1-" * (size // 2),
        "digits and dots": "".join(rng.choice("0123456789.") for _ in range(size)),
        "mobiles back to back": "13812345678 " * (size // 12),
        "letters, no @": "a" * size,
        "e-mail-like 'a.'": "a." * (size // 2),
        "many @ 'a@a.'": "a@a." * (size // 4),
        "plate-like '湘A'": "湘A" * (size // 2),
        "full-width digits": "１２３ " * (size // 4),
    }
    for name, text in adversarial.items():
        t = _median_time(lambda text=text: mask_pii(text))
        print(f"   {name:<24} {len(text) / 1e6:.1f} M chars in {t:.2f} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-kind", type=int, default=40, help="planted items per kind (8 kinds)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=40, help="how many masked spans from the real letters to print")
    args = ap.parse_args()
    recall(args.per_kind, args.seed)
    letters = real_letters(args.show)
    speed(letters, args.seed)
