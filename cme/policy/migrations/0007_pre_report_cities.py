from django.db import migrations


def load(apps, schema_editor):
    """Adds the keys policy.json gained (cities that want the 举办报备表)."""
    from cme.policy.data import load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0006_rule_levels")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
