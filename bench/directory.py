"""A national-size office directory for the benchmarks: the seed's 124 offices, plus rural communes' offices
generated in the seed's provinces until there are as many as Morocco's 2,172.

The generated names are built like real rural commune names (a prefix such as Aït, Sidi, Oulad, a market day,
and a name; sometimes "upper" or "lower"), in French and Arabic, so that a typed fragment matches a realistic
number of offices. They go to provinces only, not to the urban prefectures: "rabat" still finds Rabat's own
arrondissements first, as the benchmarks' citizens expect.
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


def _rural_names(seed: int = 17):
    """(French, Arabic) names of rural communes, each once, in a fixed random order."""
    names = [(f"{p_fr} {n_fr}{s_fr}", f"{p_ar} {n_ar}{s_ar}")
             for (p_fr, p_ar), (n_fr, n_ar), (s_fr, s_ar) in itertools.product(_PREFIXES, _NAMES, _SIDES)]
    random.Random(seed).shuffle(names)
    return iter(names)


def national_directory(offices: int = NATIONAL_OFFICES) -> dict:
    """The seed directory grown to `offices` offices with generated rural communes (one office each)."""
    data = copy.deepcopy(load_directory())
    provinces = [p for region in data["regions"] for p in region.get("provinces", []) if p["kind"] == "province"]
    count = sum(len(c.get("offices", [])) for r in data["regions"] for p in r.get("provinces", [])
                for c in p.get("communes", []))
    names = _rural_names()
    for n in range(offices - count):
        province = provinces[n % len(provinces)]
        province["communes"].append(_commune(province, next(names), n // len(provinces)))
    return data


def _commune(province: dict, names: tuple[str, str], sequence: int) -> dict:
    name_fr, name_ar = names
    used = {o["code"] for c in province["communes"] for o in c.get("offices", [])}
    # Office codes stay the province's code and two digits, as in the seed (a keypad types them).
    code = next(f"{province['code']}{n:02d}" for n in range(1, 100) if f"{province['code']}{n:02d}" not in used)
    return {"code": f"{province['code']}.90.{sequence:03d}", "name_fr": name_fr, "name_ar": name_ar,
            "offices": [{"code": code, "name_fr": f"Bureau d'état civil {name_fr}",
                         "name_ar": f"مكتب الحالة المدنية {name_ar}", "service_days": 4}]}
