from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained (the weights of the project execution indicators)."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0008_replacement_teacher_title_error")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
