"""The office directory: seeding from the data file, and search by a typed fragment in either script."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import queries
from ..model import Commune, Office, Province, Region
from ..textfold import fold, match_score

__all__ = ["DATA_FILE", "load_directory", "seed_directory", "search_offices", "OfficePage", "is_arabic"]

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "directory.yaml"


def load_directory(path: Path = DATA_FILE) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def is_arabic(text: str) -> bool:
    return any("ARABIC" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


def seed_directory(uow, data: dict | None = None) -> int:
    """Insert or update every region, province, commune and office of the data file; return the office count."""
    data = data or load_directory()
    count = 0
    with uow:
        for region in data["regions"]:
            uow.merge(Region(code=region["code"], name_fr=region["name_fr"], name_ar=region["name_ar"]))
            for province in region.get("provinces", []):
                uow.merge(Province(code=province["code"], region_code=region["code"], kind=province["kind"],
                                           name_fr=province["name_fr"], name_ar=province["name_ar"]))
                count += _seed_communes(uow, province)
        uow.commit()
    return count


def _seed_communes(uow, province: dict) -> int:
    count = 0
    for commune in province.get("communes", []):
        uow.merge(Commune(code=commune["code"], province_code=province["code"],
                                  name_fr=commune["name_fr"], name_ar=commune["name_ar"]))
        for office in commune.get("offices", []):
            uow.merge(_office(office, commune, province))
            count += 1
    return count


def _office(entry: dict, commune: dict, province: dict) -> Office:
    latin = [entry["name_fr"], entry.get("arrondissement_fr"), commune["name_fr"], province["name_fr"]]
    arabic = [entry["name_ar"], entry.get("arrondissement_ar"), commune["name_ar"], province["name_ar"]]
    return Office(
        code=entry["code"], commune_code=commune["code"], name_fr=entry["name_fr"], name_ar=entry["name_ar"],
        arrondissement_fr=entry.get("arrondissement_fr"), arrondissement_ar=entry.get("arrondissement_ar"),
        service_days=entry.get("service_days", 3), active=True,
        search_latin="|".join(fold(x) for x in latin if x), search_arabic="|".join(fold(x) for x in arabic if x),
    )


@dataclass(frozen=True)
class OfficePage:
    items: tuple
    page: int
    pages: int
    total: int


def search_offices(uow, text: str, page: int = 1, per_page: int = 5) -> OfficePage:
    """Offices matching a typed fragment, best first, one page of them (pages count from 1)."""
    query = fold((text or "")[:100])
    if not query:
        return OfficePage((), 1, 0, 0)
    column = "search_arabic" if is_arabic(query) else "search_latin"
    with uow:
        candidates = queries.office_candidates(uow, column, max(query.split(), key=len))
        ranked = sorted(_scored(candidates, column, query), key=lambda pair: (-pair[0], pair[1].code))
    total = len(ranked)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    items = tuple(office for _, office in ranked[(page - 1) * per_page: page * per_page])
    return OfficePage(items, page, pages if total else 0, total)


def _scored(offices, column: str, query: str):
    for office in offices:
        # The office's own name counts more than the arrondissement, commune or province it lies in.
        names = getattr(office, column).split("|")
        # Words typed from several fields ("casa anfa") match the names joined together.
        weighted = [score * (1.0 if i == 0 else 0.9) for i, name in enumerate([*names, " ".join(names)])
                    if (score := match_score(query, name)) is not None]
        if weighted:
            yield max(weighted), office
