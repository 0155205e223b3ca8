"""The categories of SPEC 2 that every organisation has (names are translated in code)."""

from django.db import migrations

CODES = ["security", "legal", "sustainability", "corruption", "supplier", "financial", "operational", "privacy"]


def add_defaults(apps, schema_editor):
    RiskCategory = apps.get_model("risks", "RiskCategory")
    for code in CODES:
        RiskCategory.objects.get_or_create(organisation=None, code=code, defaults={"name": code.capitalize()})


def remove_defaults(apps, schema_editor):
    apps.get_model("risks", "RiskCategory").objects.filter(organisation=None, code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
