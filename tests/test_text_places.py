"""Place extraction is boundary-aware: verbs, years and neighbouring suffixes stay out of names."""

import pytest

from toolkit.text import cut, extract_places, prepare_many
from toolkit.text.tokenize import learn_place_names


@pytest.mark.parametrize(
    "text, expected",
    [
        # Verbs and function words before a coded place.
        ("通知里不准B市加油站打折", ["B市"]),
        ("请上级督促C2区尽快整改", ["C2区"]),
        ("我要投诉D5县的一家工厂", ["D5县"]),
        # A year before a place.
        ("2021年B市出台了新规定", ["B市"]),
        # HMM glues a code's admin suffix onto the next name: "D5|县青桐|街道".
        ("我是D5县青桐街道的居民", ["D5县", "青桐街道"]),
        # Two admin suffixes glued together ("县市") name nothing on their own.
        ("我们是D5县市下面的村民", []),
        # "之" joins a name; a lone character before a suffix is no name ("城小区").
        ("梦想之城小区门口垃圾成堆", ["梦想之城小区"]),
        # Estate names ending in 苑 / 园 / 湾, also compounded.
        ("投诉锦桐苑物业乱收费", ["锦桐苑"]),
        ("家住翠景园青荷苑的业主反映", ["翠景园青荷苑"]),
        ("家住银杉湾小区的业主", ["银杉湾小区"]),
        # A coded area ends at its suffix, and the name after it is a place of its own ("A|市梅|溪湖" before).
        ("建议A市梅溪湖公园增设厕所", ["A市", "梅溪湖公园"]),
        ("K2区上岭桥镇双坪村修路", ["K2区", "上岭桥镇", "双坪村"]),
        # "X之城" without 小区 is an estate too.
        ("投诉万科魅力之城一楼商户油烟", ["万科魅力之城"]),
        # Ordinary words before the suffix name a kind of place; the name before them belongs to it.
        ("航空职业技术学院乱收费", ["航空职业技术学院"]),
    ],
)
def test_place_boundaries(text, expected):
    assert extract_places(cut(text)) == expected


def test_common_words_with_estate_suffixes_are_not_places():
    assert extract_places(cut("学校校园里喇叭太吵，他进城打工去了")) == []


def test_dictionary_names_keep_their_first_character():
    # 和 / 与 open names too: only out-of-dictionary glue ("在丽发") loses it.
    assert extract_places(cut("和平社区居民反映在丽发新城小区停车难")) == ["和平社区", "丽发新城小区"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我每天看着马路上的车", []),  # a verb is no name ("看着马路")
        ("要求恢复保利广场的绿化", ["保利广场"]),
        ("三个小区共用一个出口", []),  # numerals, quantifiers
        ("附近小学放学时很堵", []),  # localities
        ("整个小区都停水了", []),
        ("居民区旁边建搅拌站", []),  # a common noun alone is no place
        ("东六路晚上很吵", ["东六路"]),  # a proper noun alone is
        ("建设路的路灯坏了", ["建设路"]),  # verbal nouns and adjectives still name places
        ("幸福里社区日间照料中心", ["幸福里社区"]),
    ],
)
def test_dictionary_tags_keep_function_words_out_of_names(text, expected):
    assert extract_places(cut(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "民办幼儿园收费太高",
        "配套幼儿园迟迟不开",
        "村里的硬化道路坏了",
        "我们的成绩名列全省前茅",
        "水电线路老化",
        "成立了领导小组",
        "时任县长来过",
        "生态公园没有厕所",
        "我是一名市属中学的教师",  # a school the city runs, not one named school ("属中学" once the area is cut)
        "区属医院的床位不够",
        "城镇小区配套幼儿园建设滞后",  # which kind of area, not which place
        "农村公路坏了没人修",
        "本人在公立医院工作",  # a kind jieba writes as one word with its suffix
        "这家综合医院排队太久",
        "入住养老公寓要交押金",
    ],
)
def test_kinds_of_places_are_no_places(text):
    assert extract_places(cut(text)) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("A7县清溪镇和高桥镇", ["A7县", "清溪镇", "高桥镇"]),
        ("东一路和东二路交叉口", ["东一路", "东二路"]),
        ("A市中心医院挂号难", ["A市", "中心医院"]),  # a hospital's usual name, not a kind
        ("那洪村修路", ["那洪村"]),  # "那" opens names (那洪村, 那坡县); only "这" and "因" are glued on
    ],
)
def test_named_places_still_found(text, expected):
    assert extract_places(cut(text)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("途径我镇的公交车太少", []),  # a pronoun glued to a suffix ("我镇") names no area
        ("村向社区反映过多次", []),  # a word ending in a preposition ends the clause
        ("这条路离学校很近", []),
        ("该园仍为民办幼儿园", []),  # leaders stripped twice leave a kind of place
        ("公交车至金港湾的路段", ["金港湾"]),  # a glued preposition is no part of the name
        ("这凉塘路什么时候改造", ["凉塘路"]),  # a demonstrative the HMM glued on
        ("因鑫利家园的问题一直没解决", ["鑫利家园"]),
        ("东六路下穿长永高速通道工程进展如何", ["东六路", "长永高速"]),  # 下穿/上跨: a road crossing another
        ("希望东六路上跨京港澳高速", ["东六路", "京港澳高速"]),
    ],
)
def test_glued_function_characters_stay_out_of_places(text, expected):
    assert extract_places(cut(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "城关第一小学放学时家长的车把路都堵死了",  # "把路…堵死": the BA construction, not a road called 车把路
        "我们小区物业公司撤场后小区成了三不管",  # a clause the HMM glued, then a position word, then 小区
    ],
)
def test_clause_fragments_are_no_places(text):
    assert extract_places(cut(text)) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # A suffix jieba's HMM glued onto the next word belongs to the name before it ("西地|省常凝市").
        ("我们是西地省常凝市常凝大道西侧", ["西地省", "常凝大道"]),
        # ... but not to a made-up word or an ordinary one ("多为|村民", "当地|村民"), nor a numbered group.
        ("导致多为村民上访", []),
        ("当地村民反映", []),
        ("余家村八组村民熊某", ["余家村"]),
        ("建议硬化拓宽村道", []),  # 村道 is a kind of road
    ],
)
def test_glued_suffixes_join_the_name_before(text, expected):
    assert extract_places(cut(text)) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Expressways, groups (村民小组), stations, numbered ring roads, lakes after a proper name.
        ("醴娄高速进度如何", ["醴娄高速"]),
        ("我是吴家冲组村民", ["吴家冲组"]),
        ("经过高铁南站到黄星大道", ["高铁南站", "黄星大道"]),
        ("虎形山位于西二环边", ["西二环"]),
        ("反映A7县高桥镇白鹭湖移民问题", ["A7县", "高桥镇", "白鹭湖"]),
        # Numbered schools go by their number.
        ("K8县三中危房问题", ["K8县", "三中"]),
        # A masked name that is also an area's keeps its road ("A1|区|大道"), and the area stays.
        ("因有事经过A1区大道，却未曾想到", ["A1区", "A1区大道"]),
        # A kind of place (a common word) after a proper name is that name's place.
        ("北门建材市场,莲化步行街等商业中心", ["北门建材市场", "莲化步行街"]),
    ],
)
def test_place_families(text, expected):
    assert extract_places(cut(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "距离高速主线有200米",  # ordinary words before 高速 say where, not which
        "落实我组的补助",  # a pronoun is no group's name
        "成立了专项组",
        "窗口一中年男性",  # "一|中年", not a school
        "这座桥年久失修",
        "西山街道环卫工人",  # ring roads are numbered
        "虽然铁建大桥局排名第一",  # an organisation
        "过河拆桥",
        "一级士官退伍回家乡创业",  # 乡 ends 家乡
        "石材加工区的粉尘",  # a kind of place after an ordinary word
    ],
)
def test_place_family_look_alikes_are_refused(text):
    assert [p for p in extract_places(cut(text)) if not p.endswith(("街道", "县"))] == []


def test_names_learnt_from_the_collection():
    # Written twice with an area suffix, a name jieba lacks is that area when written bare; a dictionary word
    # ("南门", a school's south gate) is not learnt, a name written once may be a glued clause.
    names = learn_place_names([["星沙街道"], ["A7县星沙街道"], ["南门街道"], ["南门街道"], ["榔梨镇"]])
    assert names == {"星沙": "星沙街道"}
    assert extract_places(cut("投诉星沙301公交车"), names) == ["星沙街道"]
    assert extract_places(cut("上次看到新闻说星沙又有一个新的"), names) == ["星沙街道"]  # "说星沙" glued
    assert extract_places(cut("星沙大道很堵"), names) == ["星沙大道"]  # the road, not the area
    assert extract_places(cut("学校南门很堵"), names) == []
    assert extract_places(cut("投诉星沙301公交车")) == []  # per text, without the collection


def test_provinces_and_cities_learnt_only_by_dictionary_place_names():
    names = learn_place_names([["湖北省"], ["湖北省"], ["星沙市"], ["星沙市"]])
    assert names == {"湖北": "湖北省"}
    assert extract_places(cut("我是湖北人，一家都在这里"), names) == ["湖北省"]


def test_prepare_many_learns_names_across_texts():
    texts = ["A7县星沙街道路灯坏了", "星沙街道的垃圾没人清", "投诉星沙301公交车不按时发车"]
    places = prepare_many(texts, with_places=True, progress=False)[2]
    assert places[2] == ["星沙街道"]
    assert prepare_many(texts[2:], with_places=True, progress=False)[2] == [[]]


def test_a_verb_glued_before_a_place_the_collection_names_is_no_part_of_it():
    texts = ["我们是还没住进武广新城片区的业主", "武广新城捆绑销售车位", "投诉武广新城开发商"]
    texts += ["A市涉外经济学院强制学生实习"] + ["A市经济学院组织学生外出打工", "A市经济学院强制实习"]
    assert extract_places(cut(texts[0])) == ["进武广新城"]  # the segmenter glued "进" to the name
    places = prepare_many(texts, with_places=True, progress=False)[2]
    assert places[0] == ["武广新城"]
    # "经济学院" is a kind the collection names more often, not the name of the college
    assert places[3] == ["A市", "涉外经济学院"]
    # alone, a text has nothing to learn from
    assert prepare_many(texts[:1], with_places=True, progress=False)[2] == [["进武广新城"]]


def test_a_kind_of_kindergarten_is_no_place():
    # "普惠制" says which kind, like 民办 or 普惠性: the place is the estate before it
    assert extract_places(cut("高心麓城普惠制幼儿园办学不规范")) == ["高心麓城"]


def test_learnt_names_split_by_the_hmm():
    # "柘|梨", "因棠|沙段": a learnt name cut apart, each part out of the dictionary or whole inside it
    names = {"柘梨": "柘梨镇", "棠沙": "棠沙街道", "高桥": "高桥镇"}
    assert extract_places(cut("而且在柘梨那边好多厂"), names) == ["柘梨镇"]
    assert extract_places(cut("因棠沙段管道问题"), names) == ["棠沙街道"]
    # part of dictionary words is no name: "提高|桥梁"
    assert extract_places(cut("提高桥梁质量"), names) == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # where, relative to something, names no place: "隔壁|小区", "距离|小区", "紧临|商学院宿舍"
        ("我家隔壁小区天天装修", []),
        ("工地距离小区门口不到十米", []),
        ("距离青园小学不到百米", ["青园小学"]),
        ("紧临轻苑小区", ["轻苑小区"]),
        # ... while a whole proper name ending like an estate stays a place after them
        ("早禾田对面李家湾的稻田", ["李家湾"]),
        ("门口对面新城", []),
        ("A2区南门口地铁站附近交通秩序需要整治", ["A2区", "南门口地铁站"]),
        # facilities named by a proper name; the kind alone ("五星级酒店") is none
        ("反映碧水驾校退费难", ["碧水驾校"]),
        ("楼下新开了一家五星级酒店", []),
        # a preposition the HMM glued on opens the name, nothing before it belongs ("路口|至|银|港湾")
        ("每天在桂苑路口至银港湾酒店门前摆摊", ["银港湾酒店"]),
        # landforms ending village names, alone or before a suffix; not after a locality ("层内|铺面")
        ("我是夏桐铺镇的村民", ["夏桐铺镇"]),
        ("我们都在毛竹铺这边务工", ["毛竹铺"]),
        ("商场层内铺面出租", []),
        # lower-case letters are parts of an estate, not masked areas
        ("安置区c区和b区的惠民路", ["惠民路"]),
        # a surface ("水泥路") is no place's type, whatever clause stands before it
        ("村里想修条水泥路", []),
        # the HMM takes a name's last character into 坡路 / 市镇; highways and market towns
        ("连接白柳坡路的双塘路", ["白柳坡路", "双塘路"]),
        ("我是桂期市镇的居民", ["桂期市镇"]),
        ("政府对江口镇罗林集镇的规划", ["江口镇", "罗林集镇"]),
        ("离主公路不远", []),
        # a road's point after a name jieba lacks
        ("在兴丰路上发动机轰鸣", ["兴丰路"]),
        ("他冲到路口", []),
        # a province's or city's government names it
        ("东川省政府关于征地的批复", ["东川省"]),
        # highways and hospitals by their number; four digits are a year
        ("在163医院检查", ["163医院"]),
        ("沿319国道两边", ["319国道"]),
        ("2019医院改革", []),
        # numbered roads after a position or a name
        ("希望整治新七路旁边的宣传栏", ["新七路"]),
        ("他走了一路都没停", []),
        # an admin character at the head of a name jieba lacks is the name's own, unless an idiom's
        ("在镇琪幼儿园门口", ["镇琪幼儿园"]),
        ("如今的镇容镇貌", []),
        # where someone is from: a common noun names a town too
        ("我是A7县渡口镇人", ["A7县", "渡口镇"]),
        # kinds of places or acts, whatever stands before them
        ("全国文明城市建设", []),
        ("9月份开园的计划", []),
        # with no name before a word ending like a suffix, that word is the name; not a suffix word ("花园")
        ("推动C3区玫瑰园社区建设", ["C3区", "玫瑰园社区"]),
        ("我们花园小区停水", []),
        # a kind by who runs it belongs to its owner, it is no name of its own
        ("向教育局移交银泰项目配套幼儿园", []),
        # an act (a verbal noun) before the name is no part of it; right before the suffix it is ("建设大道")
        ("建议利用边角地建设口袋公园", []),
        ("尽快启动同鑫家园改造", ["同鑫家园"]),
        ("规划建设石碑中学", ["石碑中学"]),
        ("建设大道修路", ["建设大道"]),
        ("劳动广场举办活动", ["劳动广场"]),
    ],
)
def test_place_rules_on_real_letter_patterns(text, expected):
    assert extract_places(cut(text)) == expected
