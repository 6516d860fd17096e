"""Who reviews whom (SPEC §3; 000 §三.1, §三.6; 002 §四; 003 §十五).

The chain follows the supervision tree: a county-licensed hospital goes to its county,
then the city, then the provincial office; a city-licensed one to the city, then the
province; units directly under the provincial commission and societies straight to the
provincial office; a society's branch to its society first. The national office joins
only for national-level declarations.
"""

from cme.orgs.models import Organisation


def review_chain(unit: Organisation, *, national: bool = False) -> list[Organisation]:
    """The organisations that review `unit`'s declarations, nearest first."""
    ids = unit.ancestor_ids()
    by_id = Organisation.objects.select_related("region").in_bulk(ids)
    chain = [by_id[i] for i in ids if i in by_id]
    if not national:
        chain = [org for org in chain if org.authority_level != "national"]
    return chain


def deciding_authority(unit: Organisation) -> Organisation | None:
    """The nearest health authority above `unit`: it decides the unit's account matters."""
    for org in review_chain(unit):
        if org.is_authority:
            return org
    return None
