"""The office directory shipped with the service: shape, codes, names, and searching it."""
import re
from collections import Counter
from importlib import resources

import pytest
import yaml

from orders_core.textfold import best_score, fold

ARABIC_LETTER = re.compile("[\u0621-\u064A]")
CITIES = ["Rabat", "Salé", "Casablanca", "Tanger", "Fès", "Marrakech", "Oujda", "Agadir", "Meknès", "Tétouan",
          "Kénitra"]


@pytest.fixture(scope="module")
def directory():
    text = resources.files("orders_core").joinpath("data/directory.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def offices(directory):
    """Every office with the region, province and commune it sits in."""
    return [(region, province, commune, office)
            for region in directory["regions"]
            for province in region["provinces"]
            for commune in province["communes"]
            for office in commune["offices"]]


def _places(directory, level):
    regions = directory["regions"]
    provinces = [p for r in regions for p in r["provinces"]]
    communes = [c for p in provinces for c in p["communes"]]
    offices = [o for c in communes for o in c["offices"]]
    return {"region": regions, "province": provinces, "commune": communes, "office": offices}[level]


def test_the_twelve_regions_come_in_official_order(directory):
    assert [r["code"] for r in directory["regions"]] == [f"{n:02d}" for n in range(1, 13)]


@pytest.mark.parametrize("level", ["region", "province", "commune", "office"])
def test_codes_are_unique_strings_at_every_level(directory, level):
    codes = [place["code"] for place in _places(directory, level)]
    assert all(isinstance(code, str) for code in codes), "unquoted YAML codes lose their leading zeros"
    assert [code for code, n in Counter(codes).items() if n > 1] == []


@pytest.mark.parametrize("level", ["region", "province", "commune", "office"])
def test_every_place_has_a_french_and_an_arabic_name(directory, level):
    for place in _places(directory, level):
        assert place["name_fr"].strip() and not ARABIC_LETTER.search(place["name_fr"]), place["code"]
        assert ARABIC_LETTER.search(place["name_ar"]), place["code"]
        assert not re.search("[A-Za-z]", place["name_ar"]), place["code"]


def test_arrondissements_are_named_in_both_languages_or_not_at_all(directory):
    for office in _places(directory, "office"):
        french, arabic = office.get("arrondissement_fr"), office.get("arrondissement_ar")
        assert (french is None) == (arabic is None), office["code"]
        assert arabic is None or ARABIC_LETTER.search(arabic), office["code"]


def test_codes_follow_the_hierarchy(offices):
    for region, province, commune, office in offices:
        assert re.fullmatch("[0-9]{3}", province["code"]), province["code"]
        assert province["kind"] in ("province", "prefecture"), province["code"]
        assert commune["code"].startswith(f"{region['code']}.{province['code']}."), commune["code"]
        assert office["code"].startswith(province["code"]), office["code"]


def test_office_codes_can_be_typed_on_a_keypad(directory):
    for office in _places(directory, "office"):
        assert re.fullmatch("[0-9]{5}", office["code"]) and office["code"].isascii(), office["code"]


def test_service_days_when_given_are_between_one_and_fifteen_working_days(directory):
    given = [o["service_days"] for o in _places(directory, "office") if "service_days" in o]
    assert given, "some offices should override the default"
    assert all(type(days) is int and 1 <= days <= 15 for days in given), given


def test_the_network_covers_enough_offices_and_cities(offices):
    communes_with_offices = {commune["name_fr"] for _, _, commune, _ in offices}
    assert len(offices) >= 70
    assert len(communes_with_offices) >= 12
    assert set(CITIES) <= communes_with_offices


def _search(offices, typed):
    """Offices matching a typed query, best first, scored over the names a citizen might use."""
    query = fold(typed)
    scored = []
    for _, province, commune, office in offices:
        names = [office["name_fr"], office["name_ar"], office.get("arrondissement_fr") or "",
                 office.get("arrondissement_ar") or "", commune["name_fr"], commune["name_ar"],
                 province["name_fr"], province["name_ar"]]
        score = best_score(query, [fold(name) for name in names])
        if score is not None:
            scored.append((score, office["code"]))
    return [code for _, code in sorted(scored, key=lambda pair: -pair[0])]


@pytest.mark.parametrize(("typed", "office_code"), [
    ("anfa", "14101"),
    ("Anfa", "14101"),
    ("casa anfa", "14101"),
    ("anfa casa", "14101"),
    ("أنفا", "14101"),
    ("الدار البيضاء أنفا", "14101"),
    ("maarif", "14102"),
    ("Maârif", "14102"),
    ("المعاريف", "14102"),
    ("roches noires", "14107"),
    ("hay hassani", "14109"),
    ("ain chock", "14110"),
    ("benmsick", "14113"),
    ("temara", "50101"),
    ("تمارة", "50101"),
    ("agdal riyad", "42101"),
])
def test_a_typed_name_finds_its_office_first(offices, typed, office_code):
    assert _search(offices, typed)[:1] == [office_code]


@pytest.mark.parametrize(("typed", "province_code"), [
    ("casa", "141"),
    ("Casablanca", "141"),
    ("الدار البيضاء", "141"),
    ("fes", "231"),
    ("Fès", "231"),
    ("FES", "231"),
    ("فاس", "231"),
    ("marrakech", "351"),
    ("مراكش", "351"),
])
def test_a_city_name_puts_all_of_its_offices_first(offices, typed, province_code):
    in_province = {o["code"] for _, p, _, o in offices if p["code"] == province_code}
    found = _search(offices, typed)
    assert set(found[:len(in_province)]) == in_province


def test_anfa_finds_only_the_anfa_office_in_either_script(offices):
    assert _search(offices, "أنفا") == ["14101"]
    assert _search(offices, "anfa") == ["14101"]
