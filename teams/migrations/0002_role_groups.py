from django.db import migrations

from teams.roles import ROLE_GROUPS, ensure_role_groups


def create_groups(apps, schema_editor):
    ensure_role_groups(apps.get_model("auth", "Group"))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, remove_groups)]
