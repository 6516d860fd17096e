from django.db import migrations


def load(apps, schema_editor):
    """Adds the integrity thresholds policy.json gained (integrity.*)."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [
        ("integrity", "0001_initial"),
        ("policy", "0008_replacement_teacher_title_error"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
