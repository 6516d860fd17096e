from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained: the half-year plan deadlines and the work report's."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("policy", "0008_replacement_teacher_title_error"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
