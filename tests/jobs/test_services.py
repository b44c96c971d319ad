"""The job marketplace's write path: vacancies and the publish rule, translations, applications, the
pipeline and the worker's zero-cost confirmation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ilm.core.models import AuditEvent
from ilm.jobs import selectors, services
from ilm.jobs.models import Application, ApplicationStatus, Vacancy, VacancyFee, VacancyStatus
from tests.factories import country
from tests.jobs.helpers import APPLICANT_NAME, apply, ern_member, market, post, vacancy_data

pytestmark = pytest.mark.django_db

LEGAL_FEE = {"name": "Work permit", "amount": "1900", "currency": "thb", "charged_by": "Thai government"}


def test_a_vacancy_cannot_be_published_without_its_fee_model():
    m = market()
    vacancy = post(m.members["agency"], publish=False, fee_model="")
    with pytest.raises(ValidationError) as exc:
        services.vacancy_publish(actor=m.members["agency"], vacancy=vacancy)
    assert "fee_model" in exc.value.message_dict
    vacancy.refresh_from_db()
    assert vacancy.status == VacancyStatus.DRAFT and vacancy.published_at is None


def test_itemised_fees_need_one_fee_to_publish_and_are_kept_in_order():
    m = market()
    vacancy = post(m.members["agency"], publish=False, fee_model="itemised")
    with pytest.raises(ValidationError) as exc:
        services.vacancy_publish(actor=m.members["agency"], vacancy=vacancy)
    assert "fees" in exc.value.message_dict
    vacancy = services.vacancy_update(
        actor=m.members["agency"],
        vacancy=vacancy,
        data={},
        fees=[LEGAL_FEE, {**LEGAL_FEE, "name": "Medical check", "amount": "500"}],
    )
    vacancy = services.vacancy_publish(actor=m.members["agency"], vacancy=vacancy)
    assert vacancy.status == VacancyStatus.PUBLISHED
    assert [(f.name, str(f.amount), f.currency) for f in vacancy.fees.all()] == [
        ("Work permit", "1900.00", "THB"),
        ("Medical check", "500.00", "THB"),
    ]


@pytest.mark.parametrize(
    ("data", "fees", "field"),
    [
        ({"wage_amount": "12,0x0"}, [], "wage_amount"),
        ({"wage_amount": "-5"}, [], "wage_amount"),
        ({"wage_currency": "BAHT"}, [], "wage_currency"),
        ({"wage_currency": "XYZ"}, [], "wage_currency"),
        ({"openings": 0}, [], "openings"),
        ({"hours_per_day": "25"}, [], "hours_per_day"),
        ({"fee_model": "itemised"}, [{**LEGAL_FEE, "currency": "ABC"}], "fees"),
        ({"fee_model": "itemised"}, [{**LEGAL_FEE, "amount": "1.234"}], "fees"),
        ({"fee_model": "zero_fee"}, [LEGAL_FEE], "fees"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_nothing_saved(data, fees, field):
    m = market()
    with pytest.raises(ValidationError) as exc:
        services.vacancy_create(actor=m.members["agency"], data=vacancy_data(**data), fees=fees)
    assert field in exc.value.message_dict
    assert not Vacancy.objects.exists() and not VacancyFee.objects.exists()


def test_a_supplier_posts_only_at_its_own_sites_and_viewers_buyers_and_csos_may_not_post():
    m = market()
    other_site = m.other_supplier.sites.create(name="Elsewhere", site_type="factory", country=country("TH"))
    with pytest.raises(ValidationError) as exc:
        post(m.members["supplier"], site=other_site)
    assert "site" in exc.value.message_dict
    for key in ("supplier_viewer", "buyer", "cso", "tp"):
        with pytest.raises(PermissionDenied):
            post(m.members[key])
    vacancy = post(m.members["supplier"])
    with pytest.raises(PermissionDenied):
        services.vacancy_close(actor=m.members["other"], vacancy=vacancy)


def test_translations_by_the_poster_or_the_technical_partner():
    m = market()
    vacancy = post(m.members["agency"], language="th", position="พนักงานแกะกุ้ง")
    services.translation_save(
        actor=m.members["agency"], vacancy=vacancy, language="en", texts={"position": "Shrimp peeler"}
    )
    services.translation_save(
        actor=m.members["tp"], vacancy=vacancy, language="my", texts={"position": "ပုစွန်အခွံခွာ", "food": "အခမဲ့"}
    )
    with pytest.raises(PermissionDenied):
        services.translation_save(actor=m.members["other"], vacancy=vacancy, language="km", texts={"position": "x"})
    with pytest.raises(ValidationError):
        services.translation_save(actor=m.members["agency"], vacancy=vacancy, language="th", texts={"position": "x"})
    vacancy = selectors.with_public_details(Vacancy.objects.filter(pk=vacancy.pk)).get()
    texts, translated = selectors.vacancy_in_language(vacancy, "my")
    assert translated and texts["position"] == "ပုစွန်အခွံခွာ" and texts["food"] == "အခမဲ့"
    texts, translated = selectors.vacancy_in_language(vacancy, "km")
    assert not translated and texts["position"] == "พนักงานแกะกุ้ง"


def test_apply_keeps_identity_encrypted_and_refuses_duplicates_and_closed_vacancies():
    m = market()
    vacancy = post(m.members["supplier"])
    application, token = apply(vacancy)
    assert selectors.application_by_token(token) == application
    assert selectors.application_by_token(token + "x") is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, contact FROM jobs_application WHERE id = %s", [application.pk])
        raw = cursor.fetchone()
    assert APPLICANT_NAME not in raw[0] and "555" not in raw[1]
    with pytest.raises(ValidationError) as exc:
        apply(vacancy, contact="081-555-0142", name="Someone Else")  # the same phone, written differently
    assert "contact" in exc.value.message_dict
    services.vacancy_close(actor=m.members["supplier"], vacancy=vacancy)
    with pytest.raises(ValidationError) as exc:
        apply(vacancy, contact="+66 81 000 0000")
    assert "closed" in str(exc.value)
    assert Application.objects.count() == 1


def test_apply_needs_consent_and_minimal_data():
    m = market()
    vacancy = post(m.members["supplier"])
    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            vacancy=vacancy, full_name="", contact_kind="fax", contact="", nationality=None, consent=False
        )
    assert set(exc.value.message_dict) == {"full_name", "contact_kind", "contact", "nationality", "consent"}
    assert not Application.objects.exists()


def test_a_cso_applies_for_a_jobseeker_and_sees_the_employers_messages():
    m = market()
    vacancy = post(m.members["supplier"])
    with pytest.raises(PermissionDenied):
        apply(vacancy, actor=m.members["cso_viewer"])
    application, _token = apply(vacancy, actor=m.members["cso"])
    assert application.via_cso == m.cso
    services.application_message(actor=m.members["supplier"], application=application, text="Interview on Monday?")
    services.application_message(actor=m.members["cso"], application=application, text="Yes, 10 am")
    with pytest.raises(PermissionDenied):
        services.application_message(actor=m.members["buyer"], application=application, text="Hi")
    cso_sees = selectors.application_message_list(membership=m.members["cso"]).filter(application=application)
    assert [msg.text for msg in cso_sees] == ["Interview on Monday?", "Yes, 10 am"]
    assert not selectors.application_message_list(membership=m.members["other"]).exists()


def test_pipeline_moves_and_refuses_impossible_steps():
    m = market()
    vacancy = post(m.members["supplier"])
    application, _token = apply(vacancy)
    with pytest.raises(ValidationError):
        services.application_move(actor=m.members["supplier"], application=application, status="hired")
    with pytest.raises(PermissionDenied):
        services.application_move(actor=m.members["other"], application=application, status="shortlisted")
    with pytest.raises(PermissionDenied):
        services.application_move(actor=m.members["supplier_viewer"], application=application, status="shortlisted")
    for step in ("shortlisted", "offered", "hired"):
        application = services.application_move(actor=m.members["supplier"], application=application, status=step)
    assert application.status == ApplicationStatus.HIRED and application.hired_at is not None
    assert AuditEvent.objects.filter(action="job.application_moved", object_id=str(application.pk)).count() == 3


def test_the_worker_confirms_a_zero_cost_hire_and_the_reach_indicators_count_it():
    m = market()
    zero = post(m.members["supplier"])
    itemised = post(m.members["agency"], fee_model="itemised", fees=[LEGAL_FEE])
    post(m.members["agency"], publish=False)
    ern_member(m.cso, origin="MM")  # the CSO is in the Myanmar ERN; the jobseekers are from Myanmar
    first, token = apply(zero, actor=m.members["cso"])
    second, _t = apply(itemised, contact="+95 9 400 100 200")
    with pytest.raises(ValidationError):
        services.hire_confirm(application=first, paid_nothing_extra=True)  # not hired yet
    for step in ("offered", "hired"):
        first = services.application_move(actor=m.members["supplier"], application=first, status=step)
        second = services.application_move(actor=m.members["agency"], application=second, status=step)
    with pytest.raises(ValidationError) as exc:
        services.hire_confirm(application=second, paid_nothing_extra=False)
    assert "paid_details" in exc.value.message_dict
    services.hire_confirm(application=selectors.application_by_token(token), paid_nothing_extra=True)
    services.hire_confirm(application=second, paid_nothing_extra=False, paid_details="20,000 MMK to a broker")
    tp = m.members["tp"]
    assert selectors.reach_offers_through_erns(membership=tp) == {"offered": 2, "through_ern": 1}
    assert selectors.reach_zero_cost_vacancies(membership=tp) == {
        "published": 2,
        "zero_cost": 1,
        "openings_zero_cost": 5,
    }
    assert selectors.reach_zero_cost_hires(membership=tp) == {
        "confirmed": 2,
        "zero_cost": 1,
        "within_legal_fees": 0,
        "paid_more": 1,
    }
    # The agency counts only its own; a date window after today counts nothing.
    assert selectors.reach_zero_cost_hires(membership=m.members["agency"])["paid_more"] == 1
    import datetime

    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    assert selectors.reach_offers_through_erns(membership=tp, date_from=tomorrow)["offered"] == 0
    with pytest.raises(PermissionDenied):
        services.hire_confirm(application=first, paid_nothing_extra=True, actor=m.members["other"])


def test_reach_3_counts_only_offers_made_through_a_member_of_the_jobseekers_origin_ern_when_it_applied():
    """through_ern: the via organisation was, on the day of the application, an active member of the ERN of
    the jobseeker's origin country (nationality). Another country's ERN, or a membership that had not begun
    or had ended by then, does not count; nor does an application with no via organisation."""
    import datetime

    from django.utils import timezone

    from ilm.recruitment.models import NetworkMember

    m = market()
    vacancy = post(m.members["supplier"])
    today = timezone.localdate()  # the application's local day, as the indicator reads it
    direct, _t = apply(vacancy, contact="+95 9 400 100 001")
    via, _t = apply(vacancy, actor=m.members["cso"], contact="+95 9 400 100 002")
    for application in (direct, via):
        services.application_move(actor=m.members["supplier"], application=application, status="offered")
    tp = m.members["tp"]

    def through() -> int:
        return selectors.reach_offers_through_erns(membership=tp)["through_ern"]

    assert through() == 0  # a CSO outside every ERN
    wrong_country = ern_member(m.cso, origin="KH")
    assert through() == 0  # the Cambodian ERN does not reach Myanmar jobseekers
    NetworkMember.objects.filter(pk=wrong_country.pk).delete()
    later = ern_member(m.cso, origin="MM", joined_on=today + datetime.timedelta(days=1))
    assert through() == 0  # joined after the application
    later.joined_on, later.left_on = datetime.date(2020, 1, 1), today - datetime.timedelta(days=1)
    later.save()
    assert through() == 0  # had left before the application
    later.left_on = None
    later.save()
    assert selectors.reach_offers_through_erns(membership=tp) == {"offered": 2, "through_ern": 1}
    # A membership ending after the day of the application still counts that application.
    later.left_on = today + datetime.timedelta(days=1)
    later.save()
    assert through() == 1
