"""Sessions and places: number of sessions, mainland, banned scenic areas."""

from cme.projects.checks import (
    Context,
    RuleResult,
    flag,
    region_within,
    rule,
)
from cme.projects.models import Project

BASE = Project.Form.BASE

# -- sessions and places ------------------------------------------------------------------


@rule(
    "SESSIONS_MAX",
    fields=("sessions_planned", "planned_sessions"),
    source="004 §六.6",
    limits=("sessions.max",),
)
def sessions_max(ctx: Context) -> RuleResult:
    """A project has at most `sessions.max` sessions (期次), and no more planned than declared."""
    most = int(ctx.limit("sessions.max"))
    planned = ctx.project.sessions_planned or 0
    listed = len(ctx.sessions)
    findings = []
    if planned > most:
        findings.append(
            flag(
                "sessions_planned",
                "举办期数为{n}期，每个项目最多可申请{most}期（次）。".format(n=planned, most=most),
            )
        )
    if listed > most:
        findings.append(
            flag(
                "planned_sessions",
                "已填写{n}个举办期次，每个项目最多可申请{most}期（次）。".format(
                    n=listed, most=most
                ),
            )
        )
    elif listed > planned:
        findings.append(
            flag(
                "planned_sessions",
                "已填写{n}个举办期次，多于举办期数{planned}期；举办的期（次）数不得超过申报时"
                "所填期（次）。".format(n=listed, planned=planned),
            )
        )
    return findings


OUTSIDE_MAINLAND = ("71", "81", "82")  # GB/T 2260: 台湾, 香港, 澳门


@rule("PLACE_MAINLAND", fields=("planned_sessions",), source="004 §六.6")
def place_mainland(ctx: Context) -> RuleResult:
    """Every session is held in mainland China (中国内地), with its province/city chosen."""
    findings = []
    for index, session in enumerate(ctx.sessions):
        field = "planned_sessions.{i}".format(i=index)
        if session.place_outside.strip():
            place = session.place_outside.strip()
        elif session.region_id is None:
            findings.append(
                flag(
                    field,
                    "第{n}期未选择举办地（省/市），项目举办地点须在中国内地。".format(n=index + 1),
                )
            )
            continue
        elif session.region_id.startswith(OUTSIDE_MAINLAND):
            place = session.region.name
        else:
            continue
        findings.append(
            flag(
                field,
                "第{n}期举办地为“{place}”，项目举办地点须在中国内地。".format(
                    n=index + 1, place=place
                ),
            )
        )
    return findings


@rule("PLACE_BANNED", fields=("planned_sessions",), source="001; 004 §六.6")
def place_banned(ctx: Context) -> RuleResult:
    """No session is held in a scenic area where meetings are banned (the configurable BannedPlace list).

    A session is flagged when its address contains a banned place's name and its region
    lies in that place's region: "陕西省华阴市华山" is, "长沙市华山路" is not. A session
    without a region is left to PLACE_MAINLAND.
    """
    findings = []
    for index, session in enumerate(ctx.sessions):
        if not session.address or session.region_id is None:
            continue
        hit = next(
            (
                place
                for place in ctx.banned_places
                if place.name in session.address
                and (place.region_id is None or region_within(session.region_id, place.region_id))
            ),
            None,
        )
        if hit is None:
            continue
        findings.append(
            flag(
                "planned_sessions.{i}".format(i=index),
                "第{n}期举办地点“{address}”位于{place}，严禁到国家明令禁止举办会议的风景名胜区"
                "举办项目，请更换举办地点。".format(
                    n=index + 1, address=session.address, place=hit.name
                ),
            )
        )
    return findings
