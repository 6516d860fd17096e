from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained (rules that apply to national projects only)."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_number_formats")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
