from django.db import migrations


def complete_action_items(apps, schema_editor):
    """An action item whose playbook revision was approved before approval completed it is done
    now, as of the approval, recorded in the audit trail as the approver's."""
    Revision = apps.get_model("playbook", "Revision")
    AuditEvent = apps.get_model("baton", "AuditEvent")
    approved = Revision.objects.filter(state="approved", prompted_by_action__state="open").select_related(
        "prompted_by_action", "decided_by"
    )
    for revision in approved:
        item = revision.prompted_by_action
        item.state = "done"
        item.completed_at = revision.decided_at
        item.version += 1
        item.save(update_fields=["state", "completed_at", "version"])
        approver = revision.decided_by
        AuditEvent.objects.create(
            actor=approver,
            actor_name=(f"{approver.first_name} {approver.last_name}".strip() or approver.username) if approver else "",
            action="action_item.done",
            subject_type="actionitem",
            subject_id=str(item.pk),
            subject_label=item.title[:300],
            changes={"state": ["open", "done"]},
            note=f"Playbook revision #{revision.pk} was approved.",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("playbook", "0002_review_task_actions"),
        ("reviews", "0001_initial"),
        ("baton", "0003_audit_event"),
    ]

    operations = [
        migrations.RunPython(complete_action_items, migrations.RunPython.noop),
    ]
