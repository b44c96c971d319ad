"""Reference data: ISO 3166-1 countries (from pycountry) and the network's industries."""

from django.db import migrations

INDUSTRIES = [
    # code, English name, parent
    ("seafood", "Seafood", None),
    ("agriculture", "Agriculture", None),
    ("poultry", "Poultry", "agriculture"),
    ("palm_oil", "Palm oil", "agriculture"),
    ("apparel_footwear", "Apparel and footwear", None),
    ("electronics", "Electronics", None),
    ("household_goods", "Household goods", None),
    ("other", "Other", None),
]


def load(apps, schema_editor):
    import pycountry

    Country = apps.get_model("network", "Country")
    Industry = apps.get_model("network", "Industry")
    Country.objects.bulk_create(
        [Country(code=c.alpha_2, name=getattr(c, "common_name", None) or c.name) for c in pycountry.countries],
        ignore_conflicts=True,
    )
    for position, (code, name, parent) in enumerate(INDUSTRIES):
        Industry.objects.update_or_create(code=code, defaults={"name": name, "parent_id": parent,
                                                               "position": position})


def unload(apps, schema_editor):
    apps.get_model("network", "Industry").objects.filter(code__in=[c for c, _n, _p in INDUSTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
