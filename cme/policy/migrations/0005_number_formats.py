from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained (project number formats); edited rows stay as they are."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0004_banned_places")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
