"""The office directory: seeding from the data file, and search by a typed fragment in either script."""
from __future__ import annotations

import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import queries
from ..model import Commune, Office, Province, Region
from ..textfold import fold, match_score

__all__ = [
    "DATA_FILE", "load_directory", "seed_directory", "search_offices", "find_offices", "kept_offices", "page_of",
    "OfficePage", "ListedOffice", "OfficeIndex", "office_index", "is_arabic",
]

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


@dataclass(frozen=True)
class ListedOffice:
    """An active office as the search index keeps it: what a search, a pick list or a label needs."""

    code: str
    name_fr: str
    name_ar: str
    arrondissement_fr: str | None
    arrondissement_ar: str | None
    service_days: int
    search_latin: str
    search_arabic: str

    def label(self, lang: str) -> str:
        """The office's name in the given language (Arabic or French)."""
        return self.name_ar if lang == "ar" and self.name_ar else self.name_fr


@dataclass(frozen=True)
class _Snapshot:
    revision: int
    offices: tuple
    by_code: dict
    texts: dict  # search column -> its folded text for each office, in the order of `offices`
    # Folded query -> its ranked offices. Citizens type the same town names over and over, and ranking a common
    # fragment ("sidi": ~160 candidates) costs milliseconds; the cache goes with the snapshot it was made from.
    ranked: dict


RANKED_KEPT = 512  # queries whose ranking a snapshot keeps, emptied when full (9 MB if all matched everything)


def _snapshot(revision: int, offices: tuple) -> _Snapshot:
    texts = {column: tuple(getattr(o, column) for o in offices) for column in ("search_latin", "search_arabic")}
    return _Snapshot(revision, offices, {o.code: o for o in offices}, texts, {})


class OfficeIndex:
    """The active offices of one database, in memory, loaded again when the directory's revision moves.

    A search reads the revision (one small row) instead of loading and scoring offices through the ORM: with
    Morocco's ~2,200 offices that made office search most of a USSD order's time. A snapshot is replaced as a
    whole, so threads never see half of one."""

    def __init__(self):
        self._snapshot = _snapshot(-1, ())

    def current(self, uow) -> _Snapshot:
        """The snapshot matching the directory's revision now (reloaded if an office changed)."""
        with uow.standalone():  # a read of one small row at every search: no transaction of its own
            revision = queries.directory_revision(uow)
            if revision != self._snapshot.revision:
                # Revision first, offices second: a change landing in between only causes one more reload.
                offices = tuple(ListedOffice(*row) for row in queries.active_offices(uow))
                self._snapshot = _snapshot(revision, offices)
        return self._snapshot

    def kept(self, uow, codes, fresh: bool = False) -> tuple:
        """The offices of these codes that are still active, in the same order (the candidates of a search).

        Without `fresh`, the copy in memory answers when it has every code: it may be behind the database for any
        time (each process has its own), which a pick list can afford. `fresh` reads the revision first (one small
        row), for a screen that offers to place an order at an office."""
        snapshot = self._snapshot
        if fresh or not all(code in snapshot.by_code for code in codes):
            snapshot = self.current(uow)
        return tuple(snapshot.by_code[code] for code in codes if code in snapshot.by_code)


# One index per database (its session factory): each process loads the directory once, not once per search.
_INDEXES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def office_index(uow) -> OfficeIndex:
    """The search index of the database this unit of work writes to."""
    index = _INDEXES.get(uow.session_factory)
    if index is None:
        index = _INDEXES.setdefault(uow.session_factory, OfficeIndex())
    return index


def find_offices(uow, text: str) -> tuple:
    """Every active office matching a typed fragment, best first."""
    query = fold((text or "")[:100])
    if not query:
        return ()
    snapshot = office_index(uow).current(uow)
    found = snapshot.ranked.get(query)
    if found is None:
        found = _ranked(snapshot, query)
        if len(snapshot.ranked) >= RANKED_KEPT:
            snapshot.ranked.clear()
        snapshot.ranked[query] = found
    return found


def _ranked(snapshot: _Snapshot, query: str) -> tuple:
    column = "search_arabic" if is_arabic(query) else "search_latin"
    token = max(query.split(), key=len)
    offices = snapshot.offices
    candidates = [offices[i] for i, searched in enumerate(snapshot.texts[column]) if token in searched]
    return tuple(office for _, office in sorted(_scored(candidates, column, query),
                                                key=lambda pair: (-pair[0], pair[1].code)))


def kept_offices(uow, codes, fresh: bool = False) -> tuple:
    """The offices a search found earlier, by code, still active (a pick list shown again; `fresh`: as of now)."""
    return office_index(uow).kept(uow, tuple(codes), fresh)


def page_of(offices: tuple, page: int = 1, per_page: int = 5) -> OfficePage:
    """One page of a list of offices (pages count from 1; out of range means the nearest page)."""
    total = len(offices)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    return OfficePage(offices[(page - 1) * per_page: page * per_page], page, pages if total else 0, total)


def search_offices(uow, text: str, page: int = 1, per_page: int = 5) -> OfficePage:
    """Offices matching a typed fragment, best first, one page of them (pages count from 1)."""
    return page_of(find_offices(uow, text), page, per_page)


def _scored(offices, column: str, query: str):
    for office in offices:
        # The office's own name counts more than the arrondissement, commune or province it lies in.
        names = getattr(office, column).split("|")
        # Words typed from several fields ("casa anfa") match the names joined together.
        weighted = [score * (1.0 if i == 0 else 0.9) for i, name in enumerate([*names, " ".join(names)])
                    if (score := match_score(query, name)) is not None]
        if weighted:
            yield max(weighted), office
