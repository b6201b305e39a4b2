"""The network of offices, as the administrator edits it: create an office, rename it, set its service level."""
from __future__ import annotations

from dataclasses import dataclass

from orders_core.errors import InvalidInput, OfficeNotFound
from orders_core.model import Commune, Office, Province
from orders_core.textfold import fold
from orders_core.validation import Problems, clean_text

from . import queries

__all__ = ["OfficeDetails", "create_office", "change_office", "list_offices", "SERVICE_DAYS"]

SERVICE_DAYS = range(1, 31)  # working days between payment and dispatch that an office may promise


@dataclass(frozen=True)
class OfficeDetails:
    name_fr: str
    name_ar: str
    service_days: int
    active: bool = True
    arrondissement_fr: str | None = None
    arrondissement_ar: str | None = None


def list_offices(uow, text: str = "", page: int = 1, per_page: int = 50) -> tuple[list[Office], int]:
    """Offices whose code or name contains `text`, by code, one page of them; and how many match in all."""
    with uow:
        return queries.offices_matching(uow, text or "", fold(text or ""), page, per_page)


def _checked(details: OfficeDetails) -> dict:
    problems = Problems()
    values = {name: clean_text(getattr(details, name), 160) for name in (
        "name_fr", "name_ar", "arrondissement_fr", "arrondissement_ar")}
    problems.check(bool(values["name_fr"]), "name_fr", "the office's name in French")
    problems.check(bool(values["name_ar"]), "name_ar", "the office's name in Arabic")
    problems.check(details.service_days in SERVICE_DAYS, "service_days",
                   f"{SERVICE_DAYS.start} to {SERVICE_DAYS.stop - 1} working days")
    problems.raise_if_any(InvalidInput)
    return {**values, "service_days": details.service_days, "active": bool(details.active)}


def _search_texts(values: dict, commune: Commune, province: Province) -> dict:
    # The same folded search columns as the directory seed, so that citizens find the new office by name.
    latin = [values["name_fr"], values["arrondissement_fr"], commune.name_fr, province.name_fr]
    arabic = [values["name_ar"], values["arrondissement_ar"], commune.name_ar, province.name_ar]
    return {"search_latin": "|".join(fold(x) for x in latin if x),
            "search_arabic": "|".join(fold(x) for x in arabic if x)}


def create_office(uow, code: str, commune_code: str, details: OfficeDetails) -> Office:
    """Add an office to a commune of the directory."""
    values = _checked(details)
    code = (code or "").strip()
    if not (code.isdigit() and 1 <= len(code) <= 8):
        raise InvalidInput({"code": "an office code is 1 to 8 digits"})
    with uow:
        if uow.get(Office, code) is not None:
            raise InvalidInput({"code": f"office {code} exists already"})
        commune = uow.get(Commune, (commune_code or "").strip())
        if commune is None:
            raise InvalidInput({"commune_code": f"no such commune: {commune_code!r}"})
        office = Office(code=code, commune_code=commune.code, **values,
                        **_search_texts(values, commune, uow.get(Province, commune.province_code)))
        uow.add(office)
        uow.commit()
        return office


def change_office(uow, code: str, details: OfficeDetails) -> Office:
    """Rename an office, change its service level, open or close it."""
    values = _checked(details)
    with uow:
        office = uow.get(Office, code)
        if office is None:
            raise OfficeNotFound(code)
        province = uow.get(Province, office.commune.province_code)
        for name, value in {**values, **_search_texts(values, office.commune, province)}.items():
            setattr(office, name, value)
        uow.commit()
        return office
