"""The network of offices, as the administrator edits it: create an office, rename it, set its service level."""
from __future__ import annotations

from dataclasses import dataclass

from orders_core.errors import OfficeNotFound
from orders_core.model import Commune, Office, Province
from orders_core.textfold import fold
from orders_core.validation import Problems, clean_text

from . import queries
from .refusals import Refused, refused

__all__ = ["OfficeDetails", "create_office", "change_office", "list_offices", "SERVICE_DAYS"]

SERVICE_DAYS = range(1, 31)  # working days between payment and dispatch that an office may promise
_CODE_DIGITS = 8  # an office code is 1 to 8 digits


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
    problems.check(bool(values["name_fr"]), "name_fr", "staff.refused.name_fr")
    problems.check(bool(values["name_ar"]), "name_ar", "staff.refused.name_ar")
    problems.check(details.service_days in SERVICE_DAYS, "service_days", "staff.refused.service_days")
    if problems:
        raise Refused(problems, {"service_days": {"first": SERVICE_DAYS.start, "last": SERVICE_DAYS.stop - 1}})
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
    if not (code.isdigit() and 1 <= len(code) <= _CODE_DIGITS):
        raise refused("code", "staff.refused.office_code", shortest=1, longest=_CODE_DIGITS)
    with uow:
        if uow.get(Office, code) is not None:
            raise refused("code", "staff.refused.office_exists", code=code)
        commune = uow.get(Commune, (commune_code or "").strip())
        if commune is None:
            raise refused("commune_code", "staff.refused.no_such_commune", code=(commune_code or "").strip()[:20])
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
