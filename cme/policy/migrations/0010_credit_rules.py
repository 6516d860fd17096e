from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained (the severities of CREDITS_HOURS and CREDITS_CAP)."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0009_indicator_weights")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
