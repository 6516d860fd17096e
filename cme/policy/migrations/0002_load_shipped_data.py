from django.db import migrations


def load(apps, schema_editor):
    from cme.policy.data import load_disciplines, load_policy

    load_policy(apps.get_model("policy", "PolicyValue"))
    load_disciplines(apps.get_model("policy", "Discipline"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
