"""Who may do what with distance-learning filings and society annual meetings (SPEC §2):

- the provider (role 远程教育机构, acting for an organisation of kind DISTANCE) applies,
  files courses and reports completions, for its own filings only;
- the city (市州科教科) decides the filings made with it, their courses and batches, voids
  false records and revokes the filing;
- a society's unit admin records the society's annual meetings and their attendance;
- the provincial office confirms or refuses the meetings.
"""

from cme.accounts.models import Role
from cme.accounts.scope import acting_org, role_of
from cme.distance.models import AnnualMeeting, ProviderFiling
from cme.orgs.models import Organisation


def is_provider(user) -> bool:
    org = acting_org(user)
    return (
        role_of(user) == Role.DISTANCE_PROVIDER
        and org is not None
        and org.kind == Organisation.Kind.DISTANCE
    )


def is_city_reviewer(user) -> bool:
    return role_of(user) == Role.CITY_REVIEWER


def owns_filing(user, filing: ProviderFiling) -> bool:
    return is_provider(user) and acting_org(user).pk == filing.provider_id


def can_decide_filing(user, filing: ProviderFiling) -> bool:
    """The city the provider filed with, and only that city."""
    return is_city_reviewer(user) and acting_org(user).pk == filing.city_id


def can_report(user, filing: ProviderFiling) -> bool:
    """Courses and completion records: the provider, while its filing stands."""
    return owns_filing(user, filing) and filing.is_filed


def is_society_admin(user) -> bool:
    org = acting_org(user)
    return (
        role_of(user) == Role.UNIT_ADMIN
        and org is not None
        and org.kind == Organisation.Kind.SOCIETY
    )


def owns_meeting(user, meeting: AnnualMeeting) -> bool:
    return is_society_admin(user) and acting_org(user).pk == meeting.society_id


def can_edit_meeting(user, meeting: AnnualMeeting) -> bool:
    return owns_meeting(user, meeting) and meeting.editable


def can_confirm_meetings(user) -> bool:
    """The provincial office (002 §四.三: a provincial I类 event), or the system admin."""
    return role_of(user) in (Role.PROVINCIAL_OFFICE, Role.SYSTEM_ADMIN)
