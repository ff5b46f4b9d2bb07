"""The snapshot and share links now belong to the insights app: the tables stay (db_table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0011_moments_in_window'),
        ('insights', '0001_snapshot_and_share_links'),
    ]

    state_operations = [
        migrations.RemoveField(
            model_name='sharelink',
            name='created_by',
        ),
        migrations.RemoveConstraint(
            model_name='snapshot',
            name='one_snapshot_per_quarter',
        ),
        migrations.DeleteModel(
            name='Snapshot',
        ),
        migrations.DeleteModel(
            name='ShareLink',
        ),
    ]

    operations = [migrations.SeparateDatabaseAndState(state_operations=state_operations)]
