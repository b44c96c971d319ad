"""The issue taxonomy: the ILO's 11 indicators of forced labour, then recruitment and working-condition
categories (DOMAIN.md §3). Data, not code: the technical partner adds more."""

from django.db import migrations

CATEGORIES = [
    # code, group, English name, forced-labour indicator
    ("abuse_of_vulnerability", "forced_labour", "Abuse of vulnerability", True),
    ("deception", "forced_labour", "Deception", True),
    ("restriction_of_movement", "forced_labour", "Restriction of movement", True),
    ("isolation", "forced_labour", "Isolation", True),
    ("physical_sexual_violence", "forced_labour", "Physical and sexual violence", True),
    ("intimidation_threats", "forced_labour", "Intimidation and threats", True),
    ("retention_of_documents", "forced_labour", "Retention of identity documents", True),
    ("withholding_of_wages", "forced_labour", "Withholding of wages", True),
    ("debt_bondage", "forced_labour", "Debt bondage", True),
    ("abusive_conditions", "forced_labour", "Abusive working and living conditions", True),
    ("excessive_overtime", "forced_labour", "Excessive overtime", True),
    ("recruitment_fees", "recruitment", "Recruitment fees and costs", False),
    ("contract_substitution", "recruitment", "Contract substitution", False),
    ("wages_deductions", "working_conditions", "Wages and deductions", False),
    ("working_hours", "working_conditions", "Working hours", False),
    ("occupational_safety_health", "working_conditions", "Occupational safety and health", False),
    ("housing_canteen", "working_conditions", "Housing, dormitory and canteen", False),
    ("discrimination_harassment", "working_conditions", "Discrimination and harassment", False),
    ("grievance_handling", "working_conditions", "Grievance handling", False),
    ("freedom_of_association", "working_conditions", "Freedom of association", False),
    ("child_labour", "working_conditions", "Child labour", False),
    ("social_security", "working_conditions", "Social security", False),
    ("leave", "working_conditions", "Leave", False),
    ("termination", "working_conditions", "Termination", False),
    ("other", "other", "Other", False),
]


def load(apps, schema_editor):
    IssueCategory = apps.get_model("cases", "IssueCategory")
    for position, (code, group, name, indicator) in enumerate(CATEGORIES):
        IssueCategory.objects.update_or_create(
            code=code,
            defaults={"group": group, "name": name, "is_forced_labour_indicator": indicator, "position": position},
        )


def unload(apps, schema_editor):
    apps.get_model("cases", "IssueCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
