"""A national-size office directory for the benchmarks: the seed's 124 offices, plus generated ones until there are
as many as Morocco's 2,172.

Cities have many offices (annexes of each arrondissement): each office of an urban prefecture gets up to eight
annexes in its arrondissement, so that "rabat" matches some fifty offices, as it would nationally. The rest are
rural communes' offices in the provinces, named like real rural communes (a prefix such as Aït, Sidi, Oulad, a
market day, and a name; sometimes "upper" or "lower"), in French and Arabic.
"""
from __future__ import annotations

import copy
import itertools
import random

from orders_core.services.directory import load_directory

__all__ = ["national_directory", "NATIONAL_OFFICES"]

NATIONAL_OFFICES = 2172  # offices Morocco had to computerise (DOMAIN.md)

_PREFIXES = (
    ("Aït", "آيت"), ("Sidi", "سيدي"), ("Oulad", "أولاد"), ("Beni", "بني"), ("Aïn", "عين"), ("Tnine", "ثنين"),
    ("Had", "حد"), ("Sebt", "سبت"), ("Khemis", "خميس"), ("Arbaa", "أربعاء"), ("Tleta", "ثلاثاء"),
    ("Jemaa", "جماعة"), ("Dar", "دار"), ("Ksar", "قصر"), ("Bir", "بئر"), ("Lalla", "لالة"), ("Moulay", "مولاي"),
    ("Tizi", "تيزي"), ("Imi n", "إيمي ن"), ("Ighil", "إغيل"),
)
_NAMES = (
    ("Hammou", "حمو"), ("Ahmed", "أحمد"), ("Brahim", "إبراهيم"), ("Bouzid", "بوزيد"), ("Youssef", "يوسف"),
    ("Ali", "علي"), ("Said", "سعيد"), ("Messaoud", "مسعود"), ("Abdallah", "عبد الله"), ("Taleb", "طالب"),
    ("Rahal", "رحال"), ("Slimane", "سليمان"), ("Yahya", "يحيى"), ("Boubker", "بوبكر"), ("Amer", "عامر"),
    ("Ghanem", "غانم"), ("Jerrar", "جرار"), ("Frej", "فرج"), ("Zemmour", "زمور"), ("Ourir", "أورير"),
    ("Tamellalt", "تاملالت"), ("Issaguen", "إساكن"), ("Tighza", "تيغزة"), ("Imouzzer", "إيموزار"),
    ("Tagounite", "تاكونيت"), ("Bouchane", "بوشان"), ("Mellal", "ملال"), ("Zaer", "زعير"), ("Hssain", "حساين"),
    ("Attaouia", "العطاوية"), ("Chaouia", "الشاوية"), ("Boukhari", "البخاري"), ("Laarbi", "العربي"),
    ("Mansour", "منصور"), ("Kacem", "قاسم"), ("Allal", "علال"), ("Driss", "إدريس"), ("Tayeb", "الطيب"),
    ("Bouabid", "بوعبيد"), ("Lahcen", "لحسن"), ("Moussa", "موسى"), ("Omar", "عمر"), ("Daoud", "داود"),
    ("Jilali", "الجيلالي"), ("Bennour", "بنور"), ("Smaïl", "إسماعيل"), ("Baba", "بابا"), ("Rbia", "ربيع"),
    ("Tamazirt", "تمازيرت"), ("Aguelmous", "أكلموس"), ("Tafrant", "تافرانت"), ("Azrou", "أزرو"),
    ("Ouirgane", "ويركان"), ("Tazarine", "تازارين"), ("Asni", "أسني"), ("Tinejdad", "تنجداد"),
)
_SIDES = (("", ""), (" El Oulia", " العليا"), (" Es Sofla", " السفلى"))
ANNEXES = 8  # per office of an urban prefecture


def _rural_names(seed: int = 17):
    """(French, Arabic) names of rural communes, each once, in a fixed random order."""
    names = [(f"{p_fr} {n_fr}{s_fr}", f"{p_ar} {n_ar}{s_ar}")
             for (p_fr, p_ar), (n_fr, n_ar), (s_fr, s_ar) in itertools.product(_PREFIXES, _NAMES, _SIDES)]
    random.Random(seed).shuffle(names)
    return iter(names)


def national_directory(offices: int = NATIONAL_OFFICES) -> dict:
    """The seed directory grown to `offices` offices with generated rural communes (one office each)."""
    data = copy.deepcopy(load_directory())
    every = [p for region in data["regions"] for p in region.get("provinces", [])]
    for prefecture in (p for p in every if p["kind"] == "prefecture"):
        _add_annexes(prefecture)
    provinces = [p for p in every if p["kind"] == "province"]
    count = sum(len(c.get("offices", [])) for p in every for c in p.get("communes", []))
    names = _rural_names()
    for n in range(offices - count):
        province = provinces[n % len(provinces)]
        province["communes"].append(_commune(province, next(names), n // len(provinces)))
    return data


def _add_annexes(prefecture: dict) -> None:
    offices = [(c, o) for c in prefecture["communes"] for o in c.get("offices", [])]
    room = 90 - len(offices)  # two-digit office codes, and some left for the administrator
    for number in range(1, ANNEXES + 1):
        for commune, office in offices:
            if room <= 0:
                return
            commune["offices"].append({**office, "code": _free_code(prefecture),
                                       "name_fr": f"{office['name_fr']}, annexe {number}",
                                       "name_ar": f"{office['name_ar']} الملحقة {number}"})
            room -= 1


def _free_code(province: dict) -> str:
    # Office codes stay the province's code and two digits, as in the seed (a keypad types them).
    used = {o["code"] for c in province["communes"] for o in c.get("offices", [])}
    return next(f"{province['code']}{n:02d}" for n in range(1, 100) if f"{province['code']}{n:02d}" not in used)


def _commune(province: dict, names: tuple[str, str], sequence: int) -> dict:
    name_fr, name_ar = names
    code = _free_code(province)
    return {"code": f"{province['code']}.90.{sequence:03d}", "name_fr": name_fr, "name_ar": name_ar,
            "offices": [{"code": code, "name_fr": f"Bureau d'état civil {name_fr}",
                         "name_ar": f"مكتب الحالة المدنية {name_ar}", "service_days": 4}]}
