"""The ledger keeps only the indexes its queries use (docs/scale.md): on a province-year
they were 1.6 GB, mostly single-column indexes covered by the composite ones or empty."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('credits', '0005_person_statistics'),
        ('holding', '0002_rosters_reports_changes'),
        ('orgs', '0003_organisation_org_tree_path_prefix'),
        ('people', '0003_staffimport_ignored_headers'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='creditrecord',
            name='credits_cre_holder__f876f3_idx',
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='certificate_key',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='holder',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.organisation', verbose_name='当前审核单位'),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='people.person'),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='reviewed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='session',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credit_records', to='holding.heldsession', verbose_name='项目期次'),
        ),
        migrations.AlterField(
            model_name='creditrecord',
            name='submitted_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='creditrecord',
            index=models.Index(condition=models.Q(('holder__isnull', False)), fields=['holder', 'status'], name='credit_held_by'),
        ),
        migrations.AddIndex(
            model_name='creditrecord',
            index=models.Index(condition=models.Q(('certificate_key', ''), _negated=True), fields=['certificate_key'], name='credit_certificate_key'),
        ),
        migrations.AddIndex(
            model_name='creditrecord',
            index=models.Index(condition=models.Q(('submitted_by__isnull', False)), fields=['submitted_by'], name='credit_submitted_by'),
        ),
        migrations.AddIndex(
            model_name='creditrecord',
            index=models.Index(condition=models.Q(('reviewed_by__isnull', False)), fields=['reviewed_by'], name='credit_reviewed_by'),
        ),
    ]
