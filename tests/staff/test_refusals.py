"""Every refusal of a staff form or page is said in the staff member's language, from the staff catalog."""
import html

import pytest

from texts.bidi import LRI, PDI, without_controls

from .conftest import OFFICE

OFFICE_FORM = {"name_fr": "Bureau X", "name_ar": "مكتب س", "service_days": "3", "active": "1"}
NEW_OFFICE = {"code": "42199", "commune_code": "04.421.01.0", **OFFICE_FORM}
NEW_ACCOUNT = {"username": "nadia.b", "display_name": "Nadia B.", "role": "agent", "office_code": OFFICE,
               "language": "fr", "password": "short"}
AGENT_FORM = {"role": "agent", "office_code": OFFICE, "language": "fr", "active": "1"}

# who, how (GET: the answer is a 400 page; POST: the next page flashes it), where, form; then French, Arabic.
REFUSALS = {
    "period-to": ("finance", "GET", "/staff/finance?to=0001-01-05", None,
                  "Au : une date du 0002-01-03 au 9999-12-29.", "إلى: تاريخ بين 0002-01-03 و9999-12-29."),
    "period-from": ("finance", "GET", "/staff/finance/day.csv?from=9999-12-31", None,
                    "Du : une date du 0002-01-03 au 9999-12-29.", "من: تاريخ بين 0002-01-03 و9999-12-29."),
    "statement-to": ("finance", "GET", "/staff/finance/credits.csv?to=9999-12-31", None,
                     "Au : une date du 0002-01-03 au 9999-12-29.", "إلى: تاريخ بين 0002-01-03 و9999-12-29."),
    "role": ("admin", "POST", "/staff/admin/users/{agent}", {**AGENT_FORM, "role": "boss"},
             "Rôle : choisissez-en un dans la liste.", "الدور: اختاروا واحدا من القائمة."),
    "office-needed": ("admin", "POST", "/staff/admin/users/{agent}", {**AGENT_FORM, "office_code": ""},
                      "Les agents et les superviseurs appartiennent à un bureau : indiquez son code.",
                      "ينتمي الأعوان والمشرفون إلى مكتب: أدخلوا رمزه."),
    "province-needed": ("admin", "POST", "/staff/admin/users/{agent}",
                        {**AGENT_FORM, "role": "inspector", "office_code": ""},
                        "Un inspecteur supervise une province : indiquez son code, ou celui d'un bureau.",
                        "يشرف المفتش على إقليم: أدخلوا رمزه أو رمز مكتب."),
    "language": ("admin", "POST", "/staff/admin/users/{agent}", {**AGENT_FORM, "language": "de"},
                 "Langue : arabe, français ou anglais.", "اللغة: العربية أو الفرنسية أو الإنجليزية."),
    "no-office": ("admin", "POST", "/staff/admin/users/{agent}", {**AGENT_FORM, "office_code": "99999"},
                  "Aucun bureau n'a le code 99999.", "لا يوجد مكتب بالرمز 99999."),
    "no-province": ("admin", "POST", "/staff/admin/users/{agent}",
                    {**AGENT_FORM, "role": "inspector", "office_code": "", "province_code": "999"},
                    "Aucune province n'a le code 999.", "لا يوجد إقليم بالرمز 999."),
    "own-account": ("admin", "POST", "/staff/admin/users/{admin}", {"role": "admin", "language": "fr", "active": "0"},
                    "Vous ne pouvez ni désactiver votre propre compte ni lui retirer le rôle d'administrateur.",
                    "لا يمكنكم تعطيل حسابكم ولا نزع دور المدير عنه."),
    "password": ("admin", "POST", "/staff/admin/users", NEW_ACCOUNT,
                 "Un mot de passe compte au moins 10 caractères.", "تتكون كلمة المرور من 10 أحرف على الأقل."),
    "changed-password": ("admin", "POST", "/staff/admin/users/{agent}", {**AGENT_FORM, "password": "short"},
                         "Un mot de passe compte au moins 10 caractères.", "تتكون كلمة المرور من 10 أحرف على الأقل."),
    "office-code": ("admin", "POST", "/staff/admin/offices", {**NEW_OFFICE, "code": "42-199"},
                    "Un code de bureau compte de 1 à 8 chiffres.", "يتكون رمز المكتب من 1 إلى 8 أرقام."),
    "office-exists": ("admin", "POST", "/staff/admin/offices", {**NEW_OFFICE, "code": OFFICE},
                      f"Le bureau {OFFICE} existe déjà.", f"المكتب {OFFICE} موجود من قبل."),
    "no-commune": ("admin", "POST", "/staff/admin/offices", {**NEW_OFFICE, "code": "4219876", "commune_code": "04.999"},
                   "Aucune commune n'a le code 04.999.", "لا توجد جماعة بالرمز 04.999."),
    "name-fr": ("admin", "POST", f"/staff/admin/offices/{OFFICE}", {**OFFICE_FORM, "name_fr": " "},
                "Indiquez le nom du bureau en français.", "أدخلوا اسم المكتب بالفرنسية."),
    "name-ar": ("admin", "POST", f"/staff/admin/offices/{OFFICE}", {**OFFICE_FORM, "name_ar": ""},
                "Indiquez le nom du bureau en arabe.", "أدخلوا اسم المكتب بالعربية."),
    "service-days": ("admin", "POST", f"/staff/admin/offices/{OFFICE}", {**OFFICE_FORM, "service_days": "0"},
                     "Délai d'envoi : de 1 à 30 jours ouvrés.", "أجل الإرسال: من 1 إلى 30 يوم عمل."),
    "batch-or-serial": ("finance", "POST", "/staff/finance/cards/activate", {},
                        "Indiquez un lot ou un premier numéro de série.", "حددوا دفعة أو أول رقم تسلسلي."),
}


def refusal_shown(logged_in, people, lang, who, how, where, form) -> tuple[int, str]:
    """The status of the refused request, and the text of the page that tells it (bidi controls left out)."""
    desk = logged_in(who)
    desk.post("/staff/language", {"lang": lang, "next": "/staff/"})
    where = where.format(agent=people["agent"].id, admin=people["admin"].id)
    if how == "GET":
        response = desk.get(where)
        return response.status_code, without_controls(html.unescape(response.get_data(as_text=True)))
    response = desk.post(where, form)
    assert response.status_code == 302, (where, response.status_code)
    page = desk.get(response.location)
    return page.status_code, without_controls(html.unescape(page.get_data(as_text=True)))


@pytest.mark.parametrize("lang", ["fr", "ar"])
@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_each_refusal_is_said_in_the_staff_members_language(services, people, logged_in, case, lang):
    who, how, where, form, french, arabic = REFUSALS[case]
    status, page = refusal_shown(logged_in, people, lang, who, how, where, form)
    assert status == (400 if how == "GET" else 200)
    assert (french if lang == "fr" else arabic) in page
    assert f'lang="{lang}"' in page


def test_a_refused_period_names_the_field_in_english_too(people, logged_in):
    status, page = refusal_shown(logged_in, people, "en", "finance", "GET", "/staff/finance?to=0001-01-05", None)
    assert status == 400 and "To: a date from 0002-01-03 to 9999-12-29." in page


@pytest.mark.parametrize("lang, text", [("fr", "Identifiant : 3 à 64 lettres, chiffres ou . _ -, pas déjà pris."),
                                        ("ar", "اسم المستخدم: من 3 إلى 64 حرفا أو رقما أو . _ -، غير مستعمل من قبل.")])
def test_a_refusal_of_the_order_core_is_said_by_its_field(services, people, logged_in, lang, text):
    """Account creation is checked by the order core, whose English is for logs: the page says what the field
    expects, in the reader's language."""
    status, page = refusal_shown(logged_in, people, lang, "admin", "POST", "/staff/admin/users",
                                 {**NEW_ACCOUNT, "username": "a b", "password": "a long enough password"})
    assert status == 200 and text in page


def test_the_dates_of_a_refused_period_read_left_to_right_in_arabic(people, logged_in):
    """After an Arabic word a hyphen does not join digits: 0002-01-03 would read 03-01-0002 unless isolated."""
    desk = logged_in("finance")
    desk.post("/staff/language", {"lang": "ar", "next": "/staff/"})
    page = desk.get("/staff/finance?from=9999-12-31").get_data(as_text=True)
    assert f"{LRI}0002-01-03{PDI}" in page and f"{LRI}9999-12-29{PDI}" in page
