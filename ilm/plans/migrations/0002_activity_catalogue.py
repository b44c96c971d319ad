"""Reference data: the activity catalogue of DOMAIN.md §4 (names exactly as written there).

A copy, not an import: migrations must not depend on application code that changes later.
ilm/plans/catalogue.py holds the same names for translation; tests/plans/test_catalogue.py checks
both against DOMAIN.md.
"""

from django.db import migrations

# code, type, name, description
ACTIVITIES = [
    ("1.1", "policy", "Worker voice / ethical grievance mechanisms policy", ""),
    ("1.2", "operational", "Systems & procedures for worker voice & ethical grievance mechanisms", ""),
    (
        "1.3",
        "communications",
        "Communications regarding worker voice channels, grievance mechanisms & worker surveys",
        "",
    ),
    ("1.4", "communications", "Communications between global buyers & suppliers", ""),
    (
        "1.5",
        "systems_strengthening",
        "Capacity building: ethical grievance mechanisms",
        "Training on the 8 key components.",
    ),
    ("1.6", "communications", "Education & empowerment", "Outreach to jobseekers and workers."),
    ("2.1", "policy", "Ethical/responsible recruitment policy", ""),
    ("2.2", "operational", "Systems & procedures for ethical recruitment", ""),
    ("2.3", "communications", "Disclosure of recruitment agencies & policies to customers", ""),
    ("2.4", "communications", "Communication of recruitment policies & requirements", ""),
    ("2.5", "communications", "Communication of recruitment policies to job candidates & workers", ""),
    ("2.6", "systems_strengthening", "Recruitment surveys", ""),
    ("2.7", "remediation", "Recruitment fees payment", ""),
    ("2.8", "systems_strengthening", "Capacity building: ethical recruitment trainings", ""),
    ("2.9", "systems_strengthening", "Ethical Recruitment Network (ERN) collaboration", ""),
    ("2.10", "operational", "Job marketplace", "Transparent, fee-free job advertising and applications."),
    ("3.1", "policy", "Ethical sourcing policy / roadmap plan", ""),
    ("3.2", "remediation", "Ongoing worker voice-driven remediation", ""),
    ("3.3", "communications", "Communications between global buyers & suppliers", ""),
    ("3.4", "communications", "Strengthened communications & relations responding to worker voice", ""),
    ("3.5", "operational", "Worker satisfaction surveys", ""),
    ("3.6", "systems_strengthening", "Capacity building on business & human rights / HRDD", ""),
    ("3.7", "systems_strengthening", "Capacity building: interpreters & line supervisors", ""),
    ("3.8", "systems_strengthening", "Capacity building: management & leadership", ""),
    ("3.9", "systems_strengthening", "Targeted, responsive systems strengthening", ""),
]


def load(apps, schema_editor):
    Activity = apps.get_model("plans", "Activity")
    for code, kind, name, description in ACTIVITIES:
        area, number = (int(part) for part in code.split("."))
        Activity.objects.update_or_create(
            code=code,
            defaults={"area": area, "number": number, "type": kind, "name": name, "description": description},
        )


def unload(apps, schema_editor):
    apps.get_model("plans", "Activity").objects.filter(code__in=[row[0] for row in ACTIVITIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
