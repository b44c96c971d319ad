"""The case list's search reads one derived column; on PostgreSQL a trigram index answers `contains`.

The index is created here rather than in Meta.indexes because SQLite (the embedded default) has no GIN
index: a model-level GinIndex would break `migrate` there.
"""

from django.db import migrations, models


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Issue = apps.get_model("cases", "Issue")
    descriptions: dict[int, list[str]] = {}
    for case_id, text in Issue.objects.order_by("pk").values_list("case_id", "shareable_description").iterator():
        descriptions.setdefault(case_id, []).append(text)
    for pk, reference, summary in Case.objects.values_list("pk", "reference", "summary").iterator():
        # As ilm.cases.models.search_text_of normalised it when this migration was written.
        text = "\n".join([reference, summary, *descriptions.get(pk, [])]).strip().upper()
        Case.objects.filter(pk=pk).update(search_text=text)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS cases_case_search_trgm ON cases_case USING gin (search_text gin_trgm_ops)"
    )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS cases_case_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_update_kind_escalation"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
