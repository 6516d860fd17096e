"""Reads: the notices addressed to a user (their scope and the public ones), an authority's
own notices, and unread counts. A notice outside these answers 404, drafts included."""

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value

from cme.accounts.scope import acting_org, one_or_404, sees_everything
from cme.notices.models import Notice, NoticeAttachment, NoticeRead
from cme.notices.permissions import can_publish

State, Audience = Notice.State, Notice.Audience
READING_ORDER = ("-pinned", "-published_at", "-id")  # pinned first, then newest first


def _path_ids(tree_path: str) -> list[int]:
    """The organisation and every organisation above it, from its tree path."""
    return [int(p) for p in tree_path.strip("/").split("/") if p]


def public_notices() -> QuerySet[Notice]:
    """Published notices for everyone, also without login."""
    return (
        Notice.objects.filter(state=State.PUBLISHED, audience=Audience.PUBLIC)
        .select_related("publisher")
        .order_by(*READING_ORDER)
    )


def notices_for(user) -> QuerySet[Notice]:
    """Published notices addressed to the user: the public ones, and those of every authority
    whose subtree holds the user's organisation (本辖区). The system admin reads them all."""
    qs = Notice.objects.filter(state=State.PUBLISHED).select_related("publisher")
    qs = qs.order_by(*READING_ORDER)
    if not user.is_authenticated:
        return qs.filter(audience=Audience.PUBLIC)
    if sees_everything(user):
        return qs
    org = acting_org(user)
    addressed = Q(audience=Audience.PUBLIC)
    if org is not None:
        addressed |= Q(audience=Audience.SCOPE, publisher_id__in=_path_ids(org.tree_path))
    return qs.filter(addressed)


def with_reading(qs: QuerySet[Notice], user) -> QuerySet[Notice]:
    """Each notice with `unread` (always False without login) and `attachment_count`."""
    qs = qs.annotate(attachment_count=Count("attachments"))
    if not user.is_authenticated:
        return qs.annotate(unread=Value(False, output_field=BooleanField()))
    read = NoticeRead.objects.filter(user=user, notice=OuterRef("pk"))
    return qs.annotate(unread=~Exists(read))


def unread_notices(user) -> QuerySet[Notice]:
    if not user.is_authenticated:
        return Notice.objects.none()
    read = NoticeRead.objects.filter(user=user, notice=OuterRef("pk"))
    return notices_for(user).filter(~Exists(read))


def notice_for(user, pk: int) -> Notice:
    return one_or_404(notices_for(user), pk)


def public_notice(pk: int) -> Notice:
    return one_or_404(public_notices(), pk)


def notices_managed_by(user) -> QuerySet[Notice]:
    """An authority's own notices in every state; nobody else has this list."""
    if not can_publish(user):
        return Notice.objects.none()
    return (
        Notice.objects.filter(publisher=acting_org(user))
        .select_related("publisher", "created_by")
        .annotate(attachment_count=Count("attachments"))
        .order_by("-created_at", "-id")
    )


def managed_notice_for(user, pk: int) -> Notice:
    return one_or_404(notices_managed_by(user), pk)


def attachment_for(user, notice_pk: int, pk: int) -> NoticeAttachment:
    """An attachment of a notice the user may read (public ones for anyone), or of one of
    their authority's own notices in any state."""
    readable = Q(notice__in=notices_for(user).values("pk"))
    if can_publish(user):
        readable |= Q(notice__publisher=acting_org(user))
    qs = NoticeAttachment.objects.filter(readable, notice_id=notice_pk).select_related("notice")
    return one_or_404(qs, pk)


def public_attachment(notice_pk: int, pk: int) -> NoticeAttachment:
    qs = NoticeAttachment.objects.filter(
        notice__in=public_notices().values("pk"), notice_id=notice_pk
    )
    return one_or_404(qs, pk)
