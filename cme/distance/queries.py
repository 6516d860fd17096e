"""Reads, each starting from one scoped queryset; single objects 404 outside the scope.

A provider sees its own filings; an authority sees the filings made with a city of its
subtree (the city its own, the province every city's); a society sees its own meetings,
the province every submitted meeting of the societies it oversees.
"""

from django.db.models import QuerySet

from cme.accounts.scope import acting_org, in_scope, is_authority, one_or_404
from cme.credits.models import CreditRecord
from cme.distance.models import (
    AnnualMeeting,
    AttendanceImport,
    CompletionImport,
    Course,
    MeetingAttendee,
    ProviderFiling,
)
from cme.distance.permissions import is_provider, is_society_admin
from cme.orgs.models import Organisation, Region


def city_authorities() -> QuerySet[Organisation]:
    """The cities (市州卫生健康委) a provider may file with."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.AUTHORITY,
        region__level=Region.Level.CITY,
        status=Organisation.Status.ACTIVE,
    ).order_by("region_id")


def filings_visible_to(user) -> QuerySet[ProviderFiling]:
    qs = ProviderFiling.objects.select_related("provider", "city")
    if is_provider(user):
        return qs.filter(provider=acting_org(user))
    if is_authority(user):
        return in_scope(qs, user, "city")
    return qs.none()


def filing_for(user, pk: int) -> ProviderFiling:
    return one_or_404(filings_visible_to(user), pk)


def courses_visible_to(user) -> QuerySet[Course]:
    return Course.objects.select_related("filing__provider", "filing__city").filter(
        filing__in=filings_visible_to(user).values("pk")
    )


def course_for(user, pk: int) -> Course:
    return one_or_404(courses_visible_to(user), pk)


def batches_visible_to(user) -> QuerySet[CompletionImport]:
    """The provider sees every upload of its own; authorities only what it committed."""
    qs = CompletionImport.objects.select_related(
        "filing__provider", "filing__city", "uploaded_by", "reviewed_by"
    ).filter(filing__in=filings_visible_to(user).values("pk"))
    if is_provider(user):
        return qs
    return qs.filter(state=CompletionImport.State.COMMITTED)


def batch_for(user, pk: int) -> CompletionImport:
    return one_or_404(batches_visible_to(user), pk)


def review_queue_for(user) -> QuerySet[CompletionImport]:
    """Batches waiting for this city's decision."""
    return batches_visible_to(user).filter(
        filing__city=acting_org(user), review=CompletionImport.Review.PENDING
    )


def batch_records(batch: CompletionImport) -> QuerySet[CreditRecord]:
    return (
        CreditRecord.objects.filter(distance_completion__batch=batch)
        .select_related("person", "distance_completion__course")
        .order_by("distance_completion__row")
    )


def distance_records_visible_to(user) -> QuerySet[CreditRecord]:
    return CreditRecord.objects.select_related(
        "person", "distance_completion__batch__filing"
    ).filter(distance_completion__batch__filing__in=filings_visible_to(user).values("pk"))


def distance_record_for(user, pk: int) -> CreditRecord:
    return one_or_404(distance_records_visible_to(user), pk)


def meetings_visible_to(user) -> QuerySet[AnnualMeeting]:
    qs = AnnualMeeting.objects.select_related("society", "branch")
    if is_society_admin(user):
        return qs.filter(society=acting_org(user))
    if is_authority(user):
        return in_scope(qs, user, "society").exclude(state=AnnualMeeting.State.DRAFT)
    return qs.none()


def meeting_for(user, pk: int) -> AnnualMeeting:
    return one_or_404(meetings_visible_to(user), pk)


def attendee_for(user, pk: int) -> MeetingAttendee:
    qs = MeetingAttendee.objects.select_related("meeting", "person").filter(
        meeting__in=meetings_visible_to(user).values("pk")
    )
    return one_or_404(qs, pk)


def attendance_imports_visible_to(user) -> QuerySet[AttendanceImport]:
    return AttendanceImport.objects.select_related("meeting", "uploaded_by").filter(
        meeting__in=meetings_visible_to(user).values("pk")
    )


def attendance_import_for(user, pk: int) -> AttendanceImport:
    return one_or_404(attendance_imports_visible_to(user), pk)
