"""Demo job marketplace for `manage.py demo`: a dozen vacancies from the demo suppliers and recruitment
agencies (most zero-fee under employer-pays, some with the legal fees itemised; several translated into Thai
and Burmese), and applications in every state: some straight from jobseekers, some through the demo CSOs,
and one hire the worker confirmed cost them nothing. Idempotent: a vacancy that exists (same employer and
position) is left alone, with its applications.

Everything goes through the services, acting as the people who would do it: each business's responder posts
and runs its pipeline, the CSOs' caseworkers apply for jobseekers, the jobseekers confirm for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ilm.jobs import services
from ilm.jobs.models import Vacancy
from ilm.network.models import Country, Industry

# What happens to an application after it is submitted (each step by the employer; "confirmed" and
# "paid_more" by the worker through the status link).
PIPELINES: dict[str, tuple[str, ...]] = {
    "applied": (),
    "shortlisted": ("shortlisted",),
    "offered": ("shortlisted", "offered"),
    "hired": ("offered", "hired"),
    "confirmed": ("shortlisted", "offered", "hired", "confirmed"),
    "rejected": ("rejected",),
}


@dataclass(frozen=True)
class DemoApplicant:
    name: str
    contact_kind: str
    contact: str
    nationality: str
    gender: str
    language: str
    outcome: str
    via_cso: str = ""  # a demo CSO's slug: its caseworker applied for the jobseeker
    message: str = ""  # the employer's message to the applicant


@dataclass(frozen=True)
class DemoVacancy:
    employer: str
    position: str
    language: str
    country: str
    fee_model: str
    site: str = ""
    industry: str = ""
    openings: int = 10
    wage: tuple[str, str, str] = ("", "", "month")  # amount, currency, pay period
    hours: tuple[str, str] = ("8", "48")
    texts: dict[str, str] = field(default_factory=dict)
    fees: tuple[tuple[str, str, str, str], ...] = ()  # name, amount, currency, charged by
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    state: str = "published"  # draft | published | closed
    applicants: tuple[DemoApplicant, ...] = ()


ZERO_FEE_TEXTS = {
    "accommodation": "Free dormitory room for four, with water and electricity",
    "transport": "Free bus between the dormitory and the workplace",
    "documents_needed": "Passport or CI, work permit (the employer pays all fees)",
}

VACANCIES: tuple[DemoVacancy, ...] = (
    DemoVacancy(
        employer="siam-ocean",
        site="Samut Sakhon Plant 1",
        position="พนักงานแกะกุ้ง",
        language="th",
        country="TH",
        industry="seafood",
        fee_model="zero_fee",
        openings=40,
        wage=("12500", "THB", "month"),
        texts={
            "overtime": "สมัครใจ ค่าล่วงเวลา 1.5 เท่า",
            "days_off": "หยุดสัปดาห์ละ 1 วัน และวันหยุดนักขัตฤกษ์",
            "contract_length": "2 ปี",
            "accommodation": "หอพักฟรี ห้องละ 4 คน",
            "food": "อาหารกลางวันฟรี",
            "benefits": "ประกันสังคม",
            "requirements": "อายุ 18 ปีขึ้นไป",
        },
        translations={
            "my": {
                "position": "ပုစွန်အခွံခွာ အလုပ်သမား",
                "overtime": "ဆန္ဒအလျောက်၊ အချိန်ပို ၁.၅ ဆ",
                "days_off": "တစ်ပတ်လျှင် ၁ ရက် နားရက်",
                "contract_length": "၂ နှစ်",
                "accommodation": "အခမဲ့ အဆောင်၊ တစ်ခန်း ၄ ယောက်",
                "food": "နေ့လယ်စာ အခမဲ့",
                "benefits": "လူမှုဖူလုံရေး",
                "requirements": "အသက် ၁၈ နှစ်နှင့်အထက်",
            },
            "en": {"position": "Shrimp peeler", "contract_length": "2 years", "food": "Free lunch"},
        },
        applicants=(
            DemoApplicant(
                "Ma Thida Win", "phone", "+66 81 200 0101", "MM", "female", "my", "confirmed", via_cso="th-voice"
            ),
            DemoApplicant(
                "Ko Aung Myo",
                "line",
                "aungmyo88",
                "MM",
                "male",
                "my",
                "shortlisted",
                via_cso="th-voice",
                message="Please come for a short interview at Plant 1 on Monday at 9:00.",
            ),
            DemoApplicant("Naw Htoo Paw", "viber", "+95 9 400 0102", "MM", "female", "my", "applied"),
            DemoApplicant("Sokha Chan", "whatsapp", "+855 12 300 0103", "KH", "male", "km", "rejected"),
        ),
    ),
    DemoVacancy(
        employer="andaman",
        site="Vessel AF-3",
        position="Deckhand",
        language="en",
        country="TH",
        industry="seafood",
        fee_model="itemised",
        openings=6,
        wage=("13000", "THB", "month"),
        hours=("10", "60"),
        texts={
            "overtime": "Rest hours as the fishing regulations require: at least 10 hours in every 24",
            "days_off": "Four days ashore a month",
            "contract_length": "1 year",
            "accommodation": "Bunk on board; room ashore in Ranong between trips",
            "food": "All meals on board free",
            "benefits": "Accident insurance, wages paid monthly by bank transfer",
            "requirements": "Able to swim; previous experience welcome",
            "documents_needed": "Seabook, work permit",
        },
        fees=(
            ("Work permit", "1900.00", "THB", "Department of Employment"),
            ("Medical check", "500.00", "THB", "Ranong hospital"),
            ("Seabook", "1000.00", "THB", "Marine Department"),
        ),
        translations={
            "th": {"position": "ลูกเรือประมง", "contract_length": "1 ปี"},
            "my": {"position": "ငါးဖမ်းသင်္ဘော သင်္ဘောသား", "contract_length": "၁ နှစ်"},
        },
        applicants=(
            DemoApplicant(
                "Ko Zaw Lin",
                "phone",
                "+66 82 200 0201",
                "MM",
                "male",
                "my",
                "offered",
                via_cso="th-voice",
                message="We can offer you a place on AF-3 from the 1st. Please bring your seabook.",
            ),
            DemoApplicant("Min Thu", "messenger", "minthu.ranong", "MM", "male", "my", "applied"),
        ),
    ),
    DemoVacancy(
        employer="songkhla-canning",
        site="Songkhla Cannery",
        position="พนักงานสายการผลิตปลากระป๋อง",
        language="th",
        country="TH",
        industry="seafood",
        fee_model="zero_fee",
        openings=60,
        wage=("400", "THB", "day"),
        texts={"contract_length": "2 ปี", "food": "โรงอาหารราคาถูก", **ZERO_FEE_TEXTS},
        translations={
            "my": {"position": "ငါးသေတ္တာ စက်ရုံ ထုတ်လုပ်ရေး အလုပ်သမား", "contract_length": "၂ နှစ်"},
            "km": {"position": "កម្មករខ្សែសង្វាក់ផលិតត្រីកំប៉ុង", "contract_length": "២ ឆ្នាំ"},
        },
        applicants=(
            DemoApplicant("Srey Mom", "phone", "+66 83 200 0301", "KH", "female", "km", "hired"),
            DemoApplicant(
                "Daw Khin Hla", "phone", "+66 83 200 0302", "MM", "female", "my", "applied", via_cso="th-voice"
            ),
        ),
    ),
    DemoVacancy(
        employer="golden-hen",
        site="Korat Broiler Farm",
        position="Poultry farm worker",
        language="en",
        country="TH",
        industry="poultry",
        fee_model="zero_fee",
        openings=15,
        wage=("11500", "THB", "month"),
        texts={"days_off": "One day a week", "contract_length": "2 years", **ZERO_FEE_TEXTS},
        translations={"km": {"position": "កម្មករកសិដ្ឋានមាន់"}, "th": {"position": "คนงานฟาร์มไก่"}},
        applicants=(DemoApplicant("Vuthy Kem", "telegram", "vuthy_k", "KH", "male", "km", "shortlisted"),),
    ),
    DemoVacancy(
        employer="chao-phraya",
        site="Mae Sot Factory",
        position="အပ်ချုပ်စက် အော်ပရေတာ",
        language="my",
        country="TH",
        industry="apparel_footwear",
        fee_model="zero_fee",
        openings=25,
        wage=("360", "THB", "day"),
        texts={"contract_length": "၂ နှစ်", "requirements": "အပ်ချုပ်စက် အတွေ့အကြုံ ရှိသူ ဦးစားပေး"},
        translations={"th": {"position": "พนักงานเย็บผ้า", "contract_length": "2 ปี"}},
        applicants=(
            DemoApplicant("Ma Su Su", "viber", "+95 9 400 0501", "MM", "female", "my", "applied", via_cso="mm-union"),
        ),
    ),
    DemoVacancy(
        employer="penang-circuit",
        site="Bayan Lepas Plant A",
        position="Electronics assembly operator",
        language="en",
        country="MY",
        industry="electronics",
        fee_model="zero_fee",
        openings=80,
        wage=("1700", "MYR", "month"),
        texts={
            "overtime": "Voluntary, capped at 104 hours a month",
            "contract_length": "3 years",
            "benefits": "Annual return flight home paid by the employer",
            **ZERO_FEE_TEXTS,
        },
        translations={"ne": {"position": "इलेक्ट्रोनिक्स एसेम्ब्ली अपरेटर"}},
        applicants=(DemoApplicant("Sita Gurung", "whatsapp", "+977 980 000 0601", "NP", "female", "ne", "hired"),),
    ),
    DemoVacancy(
        employer="borneo-palm",
        site="Lahad Datu Estate",
        position="Oil palm harvester",
        language="en",
        country="MY",
        industry="palm_oil",
        fee_model="itemised",
        openings=30,
        wage=("1500", "MYR", "month"),
        texts={"contract_length": "2 years", "accommodation": "Free family housing on the estate"},
        fees=(("Medical examination (FOMEMA)", "190.00", "MYR", "FOMEMA clinic"),),
    ),
    DemoVacancy(
        employer="bangkok-labour",
        position="พนักงานแปรรูปอาหารทะเล",
        language="th",
        country="TH",
        industry="seafood",
        fee_model="zero_fee",
        openings=100,
        wage=("12000", "THB", "month"),
        texts={"contract_length": "2 ปี", "timeline": "เริ่มงานภายใน 2 เดือน", **ZERO_FEE_TEXTS},
        translations={
            "my": {"position": "ပင်လယ်စာ ပြုပြင်ထုတ်လုပ်ရေး အလုပ်သမား", "timeline": "၂ လအတွင်း စတင်"},
            "km": {"position": "កម្មករកែច្នៃអាហារសមុទ្រ"},
            "en": {"position": "Seafood processing worker", "timeline": "Start within 2 months"},
        },
        applicants=(
            DemoApplicant(
                "Ko Htet Naing", "phone", "+66 84 200 0801", "MM", "male", "my", "offered", via_cso="th-voice"
            ),
            DemoApplicant("Ma Ei Phyu", "line", "eiphyu.bkk", "MM", "female", "my", "rejected", via_cso="th-voice"),
        ),
    ),
    DemoVacancy(
        employer="yangon-overseas",
        position="ထိုင်းနိုင်ငံ စက်ရုံ အလုပ်သမား",
        language="my",
        country="TH",
        industry="seafood",
        fee_model="itemised",
        openings=50,
        wage=("12000", "THB", "month"),
        texts={"timeline": "ပတ်စပို့ ရပြီး ၆ ပတ်အတွင်း ထွက်ခွာ"},
        fees=(
            ("Passport", "10000.00", "MMK", "Ministry of Immigration"),
            ("Overseas Worker Identification Card", "3500.00", "MMK", "Ministry of Labour"),
        ),
        translations={
            "en": {"position": "Factory worker for Thailand", "timeline": "Departure within 6 weeks of the passport"},
            "th": {"position": "คนงานโรงงานในประเทศไทย"},
        },
        applicants=(
            DemoApplicant(
                "Mg Kyaw Soe", "viber", "+95 9 400 0901", "MM", "male", "my", "shortlisted", via_cso="mm-union"
            ),
        ),
    ),
    DemoVacancy(
        employer="kathmandu-fair",
        position="Factory worker for Malaysia",
        language="en",
        country="MY",
        industry="electronics",
        fee_model="zero_fee",
        openings=40,
        wage=("1700", "MYR", "month"),
        texts={"contract_length": "3 years", "documents_needed": "Passport (the employer pays visa and levy)"},
        translations={"ne": {"position": "मलेसियाका लागि कारखाना कामदार"}},
    ),
    DemoVacancy(
        employer="kl-workforce",
        position="Warehouse packer",
        language="en",
        country="MY",
        industry="household_goods",
        fee_model="",
        openings=12,
        wage=("1700", "MYR", "month"),
        state="draft",
    ),
    DemoVacancy(
        employer="phnom-penh-manpower",
        position="កម្មករផ្នែកកែច្នៃមាន់",
        language="km",
        country="TH",
        industry="poultry",
        fee_model="zero_fee",
        openings=20,
        wage=("11500", "THB", "month"),
        translations={"th": {"position": "คนงานแปรรูปไก่"}, "en": {"position": "Chicken processing worker"}},
        state="closed",
        applicants=(
            DemoApplicant("Dara Sok", "telegram", "dara_sok", "KH", "male", "km", "hired", via_cso="kh-rights"),
        ),
    ),
)


def load(*, orgs: dict[str, Any], members: dict[tuple[str, str], Any]) -> str:
    created = applications = 0
    for spec in VACANCIES:
        employer = orgs[spec.employer]
        if Vacancy.objects.filter(employer=employer, position=spec.position).exists():
            continue
        actor = members[(spec.employer, "responder")]
        vacancy = _post(spec, employer, actor)
        for applicant in spec.applicants:
            _apply(vacancy, applicant, actor, members)
            applications += 1
        if spec.state == "closed":
            services.vacancy_close(actor=actor, vacancy=vacancy)
        created += 1
    if not created:
        return f"{Vacancy.objects.count()} job vacancies"
    return f"{created} job vacancies, {applications} job applications"


def _post(spec: DemoVacancy, employer: Any, actor: Any) -> Vacancy:
    amount, currency, period = spec.wage
    data: dict[str, Any] = {
        "position": spec.position,
        "language": spec.language,
        "openings": spec.openings,
        "country": Country.objects.get(code=spec.country),
        "industry": Industry.objects.filter(code=spec.industry).first() if spec.industry else None,
        "wage_amount": amount,
        "wage_currency": currency,
        "pay_period": period,
        "hours_per_day": spec.hours[0],
        "hours_per_week": spec.hours[1],
        "fee_model": spec.fee_model,
        **spec.texts,
    }
    if spec.site:
        data["site"] = employer.sites.get(name=spec.site)
    fees = [{"name": n, "amount": a, "currency": c, "charged_by": b} for n, a, c, b in spec.fees]
    vacancy = services.vacancy_create(actor=actor, data=data, fees=fees)
    for language, texts in spec.translations.items():
        services.translation_save(actor=actor, vacancy=vacancy, language=language, texts=texts)
    if spec.state != "draft":
        vacancy = services.vacancy_publish(actor=actor, vacancy=vacancy)
    return vacancy


def _apply(vacancy: Vacancy, applicant: DemoApplicant, employer: Any, members: dict[tuple[str, str], Any]) -> None:
    helper = members[(applicant.via_cso, "caseworker")] if applicant.via_cso else None
    application, _token = services.application_submit(
        vacancy=vacancy,
        full_name=applicant.name,
        contact_kind=applicant.contact_kind,
        contact=applicant.contact,
        nationality=Country.objects.get(code=applicant.nationality),
        gender=applicant.gender,
        consent=True,
        language=applicant.language,
        actor=helper,
    )
    if applicant.message:
        services.application_message(actor=employer, application=application, text=applicant.message)
    for step in PIPELINES[applicant.outcome]:
        if step == "confirmed":  # the worker, through the status link
            services.hire_confirm(application=application, paid_nothing_extra=True)
        else:
            application = services.application_move(actor=employer, application=application, status=step)
