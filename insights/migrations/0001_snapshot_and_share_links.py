"""The snapshot and share links move here from the reviews app: their tables stay as they
are (db_table), so only Django's record of which app owns them changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_types(apps, schema_editor, old="reviews", new="insights"):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    content_types.filter(app_label=old, model__in=["snapshot", "sharelink"]).update(app_label=new)


def unrelabel_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="insights", new="reviews")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reviews", "0011_moments_in_window"),  # the tables exist (reviews 0003)
    ]

    state_operations = [
        migrations.CreateModel(
            name='ShareLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(max_length=64, unique=True)),
                ('customer', models.CharField(max_length=200)),
                ('year', models.PositiveSmallIntegerField()),
                ('quarter', models.PositiveSmallIntegerField()),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('expires_at', models.DateTimeField()),
                ('revoked_at', models.DateTimeField(blank=True, null=True)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'reviews_sharelink',
                'ordering': ['-created_at'],
            },
        ),
        migrations.CreateModel(
            name='Snapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('quarter', models.PositiveSmallIntegerField()),
                ('figures', models.JSONField(help_text="The internal report's figures as prepared.")),
                ('prepared_at', models.DateTimeField(auto_now_add=True)),
                ('notified_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'db_table': 'reviews_snapshot',
                'ordering': ['-year', '-quarter'],
                'constraints': [models.UniqueConstraint(fields=('year', 'quarter'), name='one_snapshot_per_quarter')],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        # Permissions and admin log entries point at the content types: they move with the models.
        migrations.RunPython(relabel_content_types, unrelabel_content_types),
    ]
