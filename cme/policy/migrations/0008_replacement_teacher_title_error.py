from django.db import migrations


def load(apps, schema_editor):
    """A replacement teacher's lower title now blocks the change (issue 5 §3); rows an
    administrator has edited away from the shipped 'warning' are left alone."""
    PolicyValue = apps.get_model("policy", "PolicyValue")
    PolicyValue.objects.filter(
        key="rule.REPLACEMENT_TEACHER_TITLE.severity", value="warning"
    ).update(value="error")


class Migration(migrations.Migration):
    dependencies = [("policy", "0007_pre_report_cities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
