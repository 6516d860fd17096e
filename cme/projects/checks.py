"""The machinery behind the declaration rules (SPEC §4.3; STYLE "Rules as data").

`cme.projects.rules` holds the rules themselves and the entry point `check_declaration`;
this module holds what they share:

- `Finding`: what a rule reports (rule id, level, field, Chinese message, seed citation);
- the registry: `@rule(ID, fields=..., source=..., limits=...)` registers a small function
  `def some_rule(ctx) -> list[Finding] | Finding | None`; `RULES` keeps them in order;
- `Context`: the project with its teachers, lessons, planned sessions and attachments,
  the policy of its year, and the few lookups the rules need, each done at most once, so
  the number of queries does not grow with the number of lessons, teachers or sessions;
- `run(ctx)`: runs every rule and gives each finding its level.

Level of a finding:
1. `policy.severity(rule_id)` ("error" blocks submission, "warning" is shown and
   recorded). A null severity switches the rule off for that year.
2. A rule with `structural=True` (the form's own checks: NAME_LENGTH, COURSES_MAX,
   SESSIONS_IN_YEAR, ATTACHMENTS_REQUIRED, LESSON_HOURS) has no `rule.<ID>.severity` row
   in the shipped policy data; for those ids only, a missing row means "error". Any other
   id without a severity row is a configuration error and raises `DomainError`.
3. When a policy value the rule compares against (`limits`) is null that year, the rule
   does not apply (e.g. LEADER_QUOTA and TEACHER_HOURS in 2021).
4. When such a value is marked unverified (`policy.verified(key)` is False), a breach is
   a warning whatever the severity (CREDIT-RULES.md, preamble).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from cme.core.errors import DomainError
from cme.orgs.models import Organisation
from cme.people.models import Person
from cme.policy.access import HUNAN, Policy, for_year
from cme.policy.actions import window_for
from cme.policy.data import DATA
from cme.policy.models import BannedPlace, DeclarationWindow
from cme.projects.models import (
    APPROVED_STATES,
    Attachment,
    Kind,
    Lesson,
    Level,
    PlannedSession,
    Project,
    State,
    Teacher,
)
from cme.supervision.models import Sanction, UnitQuota
from cme.supervision.queries import barring_sanctions, quota_for

ERROR = "error"
WARNING = "warning"

# Declarations that count for duplicates and quotas: everything but drafts and refusals.
NOT_COUNTED = (State.DRAFT, State.REJECTED)
# what the duplicate and quota rules read of another declaration (no long texts or JSON)
PEER_FIELDS = (
    "year",
    "level",
    "kind",
    "name",
    "form",
    "state",
    "number",
    "sponsor__name",
    "sponsor_id",
    "declared_by_id",
    "leader_id",
    "previous_id",
)

# What `check_declaration` prefetches on the project; a caller that already holds these
# (e.g. a form checking unsaved edits) sets the prefetch cache and nothing is re-read.
DECLARATION_PREFETCH = (
    Prefetch("teachers", queryset=Teacher.objects.select_related("person")),
    Prefetch("lessons", queryset=Lesson.objects.all()),
    Prefetch("planned_sessions", queryset=PlannedSession.objects.select_related("region")),
    Prefetch("attachments", queryset=Attachment.objects.all()),
)


@dataclass(frozen=True)
class Finding:
    """One breach of one rule: `field` names the form field or section ("leader",
    "teachers.3", "planned_sessions.0", "attachments", "__all__" for the whole form)."""

    rule_id: str
    level: str
    field: str
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def flag(field: str, message: str) -> Finding:
    """A finding as a rule reports it; `run` fills in its rule id, level and source."""
    return Finding(rule_id="", level="", field=field, message=message, source="")


RuleResult = list[Finding] | Finding | None


@dataclass(frozen=True)
class Rule:
    id: str
    check: Callable[["Context"], RuleResult]
    fields: tuple[str, ...]
    source: str
    limits: tuple[str, ...] = ()
    structural: bool = False

    @property
    def summary(self) -> str:
        """The first paragraph of the rule function's docstring, on one line."""
        doc = (self.check.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in doc.splitlines())


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    fields: tuple[str, ...],
    source: str,
    limits: tuple[str, ...] = (),
    structural: bool = False,
) -> Callable[[Callable[["Context"], RuleResult]], Callable[["Context"], RuleResult]]:
    """Register a rule under its stable id (SPEC §4.3); `limits` are the policy keys it
    compares against."""

    def register(func: Callable[["Context"], RuleResult]) -> Callable[["Context"], RuleResult]:
        if rule_id in RULES:
            raise ValueError("rule {r} registered twice".format(r=rule_id))
        RULES[rule_id] = Rule(rule_id, func, fields, source, limits, structural)
        return func

    return register


def province_of(unit: Organisation) -> str:
    """The province code of a unit's region (GB/T 2260: the first two digits)."""
    return unit.region_id[:2] + "0000" if unit.region_id else HUNAN


def region_within(code: str, area: str) -> bool:
    """Whether region `code` lies in region `area` (GB/T 2260 codes nest by prefix:
    430000 Hunan ⊃ 430100 Changsha ⊃ 430102 芙蓉区)."""
    prefix = area
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return code.startswith(prefix)


class Context:
    """What the rules read, loaded once per `check_declaration`."""

    def __init__(self, project: Project, *, at: datetime | None = None):
        self.project = project
        # A submitted declaration is judged at its submission time, so a reviewer running
        # the rules after the deadline sees what the sponsor saw (SPEC §4.3).
        self.at = at or project.submitted_at or timezone.now()
        self.sponsor: Organisation = project.sponsor
        self.declared_by: Organisation | None = (
            self.sponsor
            if project.declared_by_id == project.sponsor_id
            else (project.declared_by if project.declared_by_id else None)
        )
        self.leader: Person | None = project.leader
        self.leader_unit: Organisation | None = (
            self.leader.unit if self.leader and self.leader.unit_id else None
        )
        if project.pk:
            prefetch_related_objects([project], *DECLARATION_PREFETCH)
        self.teachers: list[Teacher] = self._rows(project, "teachers")
        self.lessons: list[Lesson] = self._rows(project, "lessons")
        self.sessions: list[PlannedSession] = self._rows(project, "planned_sessions")
        self.attachments: list[Attachment] = self._rows(project, "attachments")
        self.policy: Policy = for_year(project.year, province_of(self.sponsor))

    @staticmethod
    def _rows(project: Project, name: str) -> list:
        cache = getattr(project, "_prefetched_objects_cache", {})
        return list(cache[name]) if name in cache else []

    def limit(self, key: str) -> Any:
        return self.policy.get(key)

    # -- teachers and lessons -------------------------------------------------------------

    def lessons_of(self, teacher: Teacher) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.teacher_id == teacher.pk]

    # -- lookups, each one query at most ---------------------------------------------------

    @cached_property
    def window(self) -> DeclarationWindow | None:
        p = self.project
        return window_for(self.sponsor, p.year, p.level, p.kind)

    @cached_property
    def banned_places(self) -> list[BannedPlace]:
        return list(BannedPlace.objects.all())

    @cached_property
    def sanctions(self) -> list[Sanction]:
        """Sanctions barring the sponsor, the declaring branch or the leader this year."""
        year = self.project.year
        barring = barring_sanctions(year, unit=self.sponsor, person=self.leader)
        if self.declared_by is not None and self.declared_by.pk != self.sponsor.pk:
            barring = barring | barring_sanctions(year, unit=self.declared_by)
        return list(barring.select_related("organisation", "person").order_by("from_year", "pk"))

    @cached_property
    def peers(self) -> list[Project]:
        """Other declarations of the same year that share the sponsor, the leader, the name
        or the previous project: enough for duplicates and both quotas."""
        p = self.project
        related = Q(name=p.name.strip())
        if p.leader_id:
            related |= Q(leader_id=p.leader_id)
        if p.previous_id:
            related |= Q(previous_id=p.previous_id)
        if p.kind == Kind.NEW and self.quota is not None:  # the sponsor's count against its quota
            related |= Q(sponsor_id=p.sponsor_id, level=p.level, kind=Kind.NEW)
        rows = (
            Project.objects.filter(related, year=p.year)
            .exclude(state__in=NOT_COUNTED)
            .select_related("sponsor")
            .only(*PEER_FIELDS)
            .order_by("pk")
        )
        if p.pk:
            rows = rows.exclude(pk=p.pk)
        return list(rows)

    @cached_property
    def published_elsewhere(self) -> list:
        """Entries of the year's imported published lists with this project's name."""
        from cme.projects.published import published_elsewhere

        return list(published_elsewhere(self.project.name, self.project.year))

    @cached_property
    def leader_led_before(self) -> bool:
        """The leader led an approved national or provincial project in an earlier year."""
        if self.leader is None:
            return False
        return Project.objects.filter(
            leader=self.leader,
            year__lt=self.project.year,
            level__in=(Level.NATIONAL, Level.PROVINCIAL),
            state__in=APPROVED_STATES,
        ).exists()

    @cached_property
    def approved_last_year(self) -> Project | None:
        """The sponsor's project of the same name approved the year before."""
        p = self.project
        return (
            Project.objects.filter(
                sponsor_id=p.sponsor_id,
                name=p.name.strip(),
                year=p.year - 1,
                state__in=APPROVED_STATES,
            )
            .order_by("pk")
            .first()
        )

    @cached_property
    def quota(self) -> UnitQuota | None:
        return quota_for(self.sponsor, self.project.year, self.project.level)

    def filing_ancestors(self, depth: int) -> list[Project]:
        """The consecutive filings above this project, nearest first, read through
        `previous` at most `depth` steps (one query a step, bounded by policy)."""
        chain: list[Project] = []
        node = self.project.previous if self.project.previous_id else None
        while node is not None and node.kind == Kind.FILING and len(chain) < depth:
            chain.append(node)
            node = node.previous if node.previous_id else None
        return chain


def _level(policy: Policy, r: Rule) -> str | None:
    try:
        severity = policy.severity(r.id)
    except DomainError:
        if r.structural:
            return ERROR  # the form's own checks block unless policy says otherwise
        raise
    if severity is None:
        return None
    if any(not policy.verified(key) for key in r.limits):
        return WARNING
    return WARNING if severity == WARNING else ERROR


def _as_list(result: RuleResult) -> list[Finding]:
    if result is None:
        return []
    if isinstance(result, Finding):
        return [result]
    return list(result)


def run(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Every rule against one context, in registration order."""
    findings: list[Finding] = []
    for r in RULES.values() if rules is None else rules:
        if any(ctx.limit(key) is None for key in r.limits):
            continue  # the limit is not in force that year
        levels = ctx.policy.optional("rule.{r}.levels".format(r=r.id))
        if levels and ctx.project.level not in levels:
            continue  # a rule of other project levels (e.g. national-only requirements)
        level = _level(ctx.policy, r)
        if level is None:
            continue
        findings.extend(
            replace(f, rule_id=r.id, level=level, source=r.source) for f in _as_list(r.check(ctx))
        )
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level == ERROR for f in findings)


# -- docs/rules.md ------------------------------------------------------------------------


def _shipped_severities() -> dict[str, Any]:
    raw = json.loads((DATA / "policy.json").read_text(encoding="utf-8"))
    return {k: v["value"] for k, v in raw["defaults"].items() if k.startswith("rule.")}


def render_markdown(rules: Iterable[Rule]) -> str:
    """docs/rules.md: one row per registered rule (`manage.py rules_doc` writes it)."""
    shipped = _shipped_severities()
    lines = [
        "# Declaration rules",
        "",
        "Generated from the registry in `cme/projects/rules.py` by `manage.py rules_doc`;",
        "do not edit by hand (a test fails when this file is stale).",
        "",
        "Every rule has a stable id that the software names in each finding and that doubles",
        "as the API error code. The level is policy data per year (`rule.<ID>.severity`); the",
        "column shows the shipped default. A rule does not apply in a year where one of its",
        "policy limits is null, and a breach of a limit marked unverified is a warning.",
        "Structural checks of the form have no severity row and default to error.",
        "",
        "| id | level | fields | policy limits | source | rule |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        level = shipped.get("rule.{r}.severity".format(r=r.id))
        if level is None and r.structural:
            level = "error (structural)"
        lines.append(
            "| {id} | {level} | {fields} | {limits} | {source} | {summary} |".format(
                id=r.id,
                level=level or "—",
                fields=", ".join("`{f}`".format(f=f) for f in r.fields),
                limits=", ".join("`{k}`".format(k=k) for k in r.limits) or "—",
                source=r.source,
                summary=r.summary.replace("|", "\\|"),
            )
        )
    return "\n".join(lines) + "\n"
