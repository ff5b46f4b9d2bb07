"""Who is told what when the playbook moves (core.notifications): called by playbook.services in
the transaction of the change. A revision is told to its deciders (playbook.policy.revision_deciders)
and to its author, who may both see it."""

from core.notifications import notify
from playbook import policy
from playbook.models import Revision, RevisionState


def _name(person):
    return person.get_full_name() or person.get_username()


def _label(revision):
    return str(revision.section) if revision.section_id else f"new section “{revision.new_slug}”"


def revision_submitted(user, revision):
    notify(
        list(policy.revision_deciders(revision)),
        "revision.submitted",
        key=f"revision.submitted:{revision.pk}:{revision.submitted_at.isoformat()}",
        title=f"A revision of “{_label(revision)}” waits for your decision",
        body=f"{_name(revision.author)} submitted revision #{revision.pk}: {revision.rationale}",
        url=revision.get_absolute_url(),
        actor=user,
    )


def revision_decided(user, revision):
    verb = "approved" if revision.state == RevisionState.APPROVED else "rejected"
    comment = f" “{revision.decision_comment}”" if revision.decision_comment else ""
    notify(
        [revision.author],
        "revision.decided",
        key=f"revision.decided:{revision.pk}",
        title=f"Your revision of “{_label(revision)}” was {verb}",
        body=f"{_name(user)} {verb} revision #{revision.pk}.{comment}",
        url=revision.get_absolute_url(),
        actor=user,
    )


def stale_revisions(user, version):
    """Tell the authors of the section's other open revisions that they now need a rebase."""
    stale = (
        Revision.objects.filter(section_id=version.section_id, state__in=[RevisionState.DRAFT, RevisionState.SUBMITTED])
        .exclude(base_id=version.pk)
        .select_related("author")
    )
    for revision in stale:
        notify(
            [revision.author],
            "revision.needs_rebase",
            key=f"revision.needs_rebase:{revision.pk}:{version.pk}",
            title=f"Your revision of “{version.pattern}” needs a rebase",
            body=(
                f"Version {version.number} of “{version.pattern}” was published after you wrote revision "
                f"#{revision.pk}. Rebase it onto the new version before it can be approved."
            ),
            url=revision.get_absolute_url(),
            actor=user,
        )
