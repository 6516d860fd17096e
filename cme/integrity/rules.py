"""The integrity rules (诚信预警, SPEC §8; issue 7 §8), each registered under its stable id.

A rule is a plain function `(year, within, policy) -> list[Finding]`: one query over the
year (a self-join or a GROUP BY, never a loop over persons), limited to the subtree whose
tree path starts with `within` ('' for everything), plus at most one query to label what
it found. Thresholds are policy data (`integrity.*` in cme/policy/data/policy.json); a
null value switches the rule off for that year. `scan(year)` runs them all and stores
the findings as `IntegrityAlert`s: one per fingerprint, so scanning again adds nothing.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from django.db import transaction
from django.db.models import Count, F, IntegerField, Q, Value
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cme.certificates.models import Certificate
from cme.credits.models import CreditRecord
from cme.holding.models import HeldSession, SessionLesson
from cme.integrity.models import IntegrityAlert, Verification
from cme.orgs.models import Organisation, Region
from cme.policy.access import HUNAN, Policy, for_year

# Credits that count or will count: a rejected or voided record raises nothing.
LIVE = (CreditRecord.Status.PENDING, CreditRecord.Status.VALID)
OFFLINE = HeldSession.Mode.OFFLINE
# How many of a unit's year-end credits an alert names (the counts cover all of them).
NAMED_MAX = 200
CHUNK = 500


@dataclass
class Finding:
    """What a rule reports; `paths` are the tree paths of the organisations the records
    belong to, from which `scan` finds the lowest authority over all of them."""

    rule_id: str
    fingerprint: str
    summary: str
    records: list[dict]
    paths: tuple[str, ...]
    person_id: int | None = None
    unit_id: int | None = None
    session_id: int | None = None
    certificate_id: int | None = None


ScanFunction = Callable[[int, str, Policy], list[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str  # lazily translated
    check: ScanFunction
    source: str
    limits: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        doc = (self.check.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in doc.splitlines())


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, *, title, source: str, limits: tuple[str, ...] = ()
) -> Callable[[ScanFunction], ScanFunction]:
    """Register an integrity rule under its stable id; `limits` are the policy keys it reads."""

    def register(func: ScanFunction) -> ScanFunction:
        if rule_id in RULES:
            raise ValueError("rule {r} registered twice".format(r=rule_id))
        RULES[rule_id] = Rule(rule_id, title, func, source, limits)
        return func

    return register


def rule_title(rule_id: str) -> str:
    return str(RULES[rule_id].title) if rule_id in RULES else rule_id


def rule_choices() -> list[tuple[str, str]]:
    return [(r.id, str(r.title)) for r in RULES.values()]


def _ratio(value) -> Fraction:
    return Fraction(str(value)).limit_denominator(1000)


def _city(region: Region) -> str:
    if region.level == Region.Level.COUNTY and region.parent_id:
        return region.parent.name
    return region.name


def _session_label(session: HeldSession) -> str:
    return "{p} 第{n}期（{a}至{b}，{c}）".format(
        p=session.project.name,
        n=session.number,
        a=session.starts_on.isoformat(),
        b=session.ends_on.isoformat(),
        c=_city(session.region),
    )


def _credit_item(credit: CreditRecord, label: str) -> dict:
    return {
        "kind": "credit",
        "id": credit.pk,
        "person_id": credit.person_id,
        "session_id": credit.session_id,
        "label": label,
    }


def _session_item(session: HeldSession) -> dict:
    return {"kind": "session", "id": session.pk, "label": _session_label(session)}


def _under(org_field: str, within: str) -> dict[str, str]:
    """The filter "this organisation lies in the subtree `within`" (nothing for everything)."""
    return {org_field + "__tree_path__startswith": within} if within else {}


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


SESSION_RELATED = ("session__project__declared_by", "session__region__parent", "person")


# --- the rules -------------------------------------------------------------------------------


@rule(
    "OVERLAP_CITIES",
    title=_("同一人员同期在不同城市获授学分"),
    source="issue 7 §8",
)
def overlap_cities(year: int, within: str, policy: Policy) -> list[Finding]:
    """The same person credited at two offline sessions held in different cities on
    overlapping dates (sessions that only touch end to start the next day do not overlap)."""
    other = "person__credits__"
    pairs = (
        CreditRecord.objects.filter(
            year=year,
            status__in=LIVE,
            session__mode=OFFLINE,
            **_under("session__project__declared_by", within),
            **{
                other + "year": year,
                other + "status__in": LIVE,
                other + "session__mode": OFFLINE,
                **_under(other + "session__project__declared_by", within),
                other + "id__gt": F("id"),
                other + "session__starts_on__lte": F("session__ends_on"),
                other + "session__ends_on__gte": F("session__starts_on"),
            },
        )
        .annotate(
            city=Substr("session__region_id", 1, 4),
            other_city=Substr(other + "session__region_id", 1, 4),
            other_id=F(other + "id"),
        )
        .filter(~Q(city=F("other_city")))
        .values_list("id", "other_id")
    )
    pairs = list(pairs)
    ids = list({pk for pair in pairs for pk in pair})
    credits: dict[int, CreditRecord] = {}
    for chunk in _chunks(ids):
        credits |= CreditRecord.objects.select_related(*SESSION_RELATED).in_bulk(chunk)
    findings = []
    for a_id, b_id in pairs:
        a, b = sorted((credits[a_id], credits[b_id]), key=lambda c: (c.session.starts_on, c.pk))
        findings.append(
            Finding(
                rule_id="OVERLAP_CITIES",
                fingerprint="OVERLAP_CITIES:{y}:person{p}:credits{a}-{b}".format(
                    y=year, p=a.person_id, a=min(a.pk, b.pk), b=max(a.pk, b.pk)
                ),
                summary="{n}在{ca}与{cb}举办的两个期次同时获授学分，举办日期重叠。".format(
                    n=a.person.name, ca=_city(a.session.region), cb=_city(b.session.region)
                ),
                records=[
                    _credit_item(
                        c,
                        "{n}：{s}，{amt}学分（{st}）".format(
                            n=c.person.name,
                            s=_session_label(c.session),
                            amt=c.amount,
                            st=c.get_status_display(),
                        ),
                    )
                    for c in (a, b)
                ]
                + [_session_item(a.session), _session_item(b.session)],
                paths=(
                    a.session.project.declared_by.tree_path,
                    b.session.project.declared_by.tree_path,
                ),
                person_id=a.person_id,
            )
        )
    return findings


@rule(
    "LECTURER_ALSO_LEARNER",
    title=_("授课教师同时以学员身份获授学分"),
    source="issue 7 §8; 授课教师获授课学分（CREDIT-RULES §3）",
)
def lecturer_also_learner(year: int, within: str, policy: Policy) -> list[Finding]:
    """A person who teaches a lesson of a session and is credited as a learner of that same
    session (a person who taught and attended gets the lecturer credits only)."""
    credits = list(
        CreditRecord.objects.filter(
            year=year,
            status__in=LIVE,
            role=CreditRecord.Role.LEARNER,
            session__lessons__teacher=F("person"),
            **_under("session__project__declared_by", within),
        )
        .select_related(*SESSION_RELATED)
        .distinct()
    )
    lessons: dict[tuple[int, int], list[SessionLesson]] = {}
    for lesson in SessionLesson.objects.filter(
        session__in={c.session_id for c in credits},
        teacher__in={c.person_id for c in credits},
    ).order_by("session", "order", "id"):
        lessons.setdefault((lesson.session_id, lesson.teacher_id), []).append(lesson)
    findings = []
    for c in credits:
        taught = lessons.get((c.session_id, c.person_id), [])
        findings.append(
            Finding(
                rule_id="LECTURER_ALSO_LEARNER",
                fingerprint="LECTURER_ALSO_LEARNER:{y}:session{s}:person{p}".format(
                    y=year, s=c.session_id, p=c.person_id
                ),
                summary="{n}是{s}的授课教师，又以学员身份获授{amt}学分。".format(
                    n=c.person.name, s=_session_label(c.session), amt=c.amount
                ),
                records=[
                    _credit_item(
                        c,
                        "{n}：学员学分{amt}（{st}）".format(
                            n=c.person.name, amt=c.amount, st=c.get_status_display()
                        ),
                    ),
                    _session_item(c.session),
                ]
                + [
                    {
                        "kind": "lesson",
                        "id": lesson.pk,
                        "session_id": lesson.session_id,
                        "label": "授课：{t}（{h}学时）".format(t=lesson.topic, h=lesson.hours),
                    }
                    for lesson in taught
                ],
                paths=(c.session.project.declared_by.tree_path,),
                person_id=c.person_id,
                session_id=c.session_id,
            )
        )
    return findings


@rule(
    "ROSTER_OVERSIZE",
    title=_("学员通讯录人数远超批准人数"),
    source="issue 7 §8",
    limits=("integrity.roster_ratio_max",),
)
def roster_oversize(year: int, within: str, policy: Policy) -> list[Finding]:
    """A session whose roster holds more than `integrity.roster_ratio_max` times the
    project's approved participants (拟招生人数; the session's expected number when the
    project has none). Exactly at the limit is not flagged."""
    limit = policy.optional("integrity.roster_ratio_max")
    if limit is None:
        return []
    ratio = _ratio(limit)
    sessions = list(
        HeldSession.objects.filter(starts_on__year=year, **_under("project__declared_by", within))
        .annotate(
            approved=Coalesce("project__expected_participants", "expected_participants"),
            roster=Count("attendees"),
        )
        .filter(approved__gt=0)
        .alias(
            scaled_roster=F("roster") * Value(ratio.denominator, output_field=IntegerField()),
            scaled_approved=F("approved") * Value(ratio.numerator, output_field=IntegerField()),
        )
        .filter(scaled_roster__gt=F("scaled_approved"))
        .select_related("project__declared_by", "region__parent")
    )
    return [
        Finding(
            rule_id="ROSTER_OVERSIZE",
            fingerprint="ROSTER_OVERSIZE:{y}:session{s}".format(y=year, s=s.pk),
            summary="{s}学员通讯录{n}人，超过批准人数{m}人的{r}倍。".format(
                s=_session_label(s), n=s.roster, m=s.approved, r=limit
            ),
            records=[
                _session_item(s),
                {
                    "kind": "roster",
                    "id": s.pk,
                    "label": "学员通讯录{n}人；批准人数{m}人".format(n=s.roster, m=s.approved),
                },
            ],
            paths=(s.project.declared_by.tree_path,),
            session_id=s.pk,
        )
        for s in sessions
    ]


@rule(
    "YEAR_END_RUSH",
    title=_("单位学分集中在年末"),
    source="issue 7 §8",
    limits=(
        "integrity.year_end_days",
        "integrity.year_end_share_min",
        "integrity.year_end_min_credits",
    ),
)
def year_end_rush(year: int, within: str, policy: Policy) -> list[Finding]:
    """A unit at least `integrity.year_end_min_credits` of whose members' credits of the year
    are live, and more than `integrity.year_end_share_min` of them are dated in the last
    `integrity.year_end_days` days of the year. A credit's date is its activity date, else
    its session's last day, else the day it was recorded."""
    days = policy.optional("integrity.year_end_days")
    share = policy.optional("integrity.year_end_share_min")
    minimum = policy.optional("integrity.year_end_min_credits")
    if days is None or share is None or minimum is None:
        return []
    ratio = _ratio(share)
    cutoff = datetime.date(year, 12, 31) - datetime.timedelta(days=int(days) - 1)
    live = CreditRecord.objects.filter(
        year=year,
        status__in=LIVE,
        person__unit__isnull=False,
        **_under("person__unit", within),
    ).alias(dated=Coalesce("activity_date", "session__ends_on", TruncDate("created_at")))
    rows = list(
        live.values("person__unit")
        .annotate(total=Count("id"), late=Count("id", filter=Q(dated__gte=cutoff)))
        .filter(total__gte=int(minimum))
        .alias(
            scaled_late=F("late") * Value(ratio.denominator, output_field=IntegerField()),
            scaled_total=F("total") * Value(ratio.numerator, output_field=IntegerField()),
        )
        .filter(scaled_late__gt=F("scaled_total"))
        .values_list("person__unit", "total", "late")
    )
    if not rows:
        return []
    units = Organisation.objects.in_bulk([r[0] for r in rows])
    named: dict[int, list[dict]] = {}
    late = (
        live.filter(person__unit__in=units, dated__gte=cutoff)
        .select_related("person")
        .order_by("person__unit", "id")
    )
    for c in late.iterator(chunk_size=2000):
        items = named.setdefault(c.person.unit_id, [])
        if len(items) < NAMED_MAX:
            items.append(
                _credit_item(
                    c,
                    "{n}：{t}{amt}学分（{st}）".format(
                        n=c.person.name,
                        t=c.title + " " if c.title else "",
                        amt=c.amount,
                        st=c.get_status_display(),
                    ),
                )
            )
    findings = []
    for unit_id, total, late_count in rows:
        unit = units[unit_id]
        findings.append(
            Finding(
                rule_id="YEAR_END_RUSH",
                fingerprint="YEAR_END_RUSH:{y}:unit{u}".format(y=year, u=unit_id),
                summary="{u}{y}年度{t}条学分中{n}条（{p}%）集中在年末{d}天内。".format(
                    u=unit.name,
                    y=year,
                    t=total,
                    n=late_count,
                    p=round(late_count * 100 / total),
                    d=days,
                ),
                records=[
                    {
                        "kind": "unit",
                        "id": unit_id,
                        "label": "{u}：本年度有效及待生效学分{t}条，{c}以后{n}条".format(
                            u=unit.name, t=total, c=cutoff.isoformat(), n=late_count
                        ),
                    },
                    *named.get(unit_id, []),
                ],
                paths=(unit.tree_path,),
                unit_id=unit_id,
            )
        )
    return findings


@rule(
    "VERIFY_BURST",
    title=_("证书短时间内被多处核验"),
    source="issue 7 §8",
    limits=("integrity.verify_networks_min", "integrity.verify_window_minutes"),
)
def verify_burst(year: int, within: str, policy: Policy) -> list[Finding]:
    """A certificate verified from at least `integrity.verify_networks_min` distinct
    networks within `integrity.verify_window_minutes` minutes (verifications of the year)."""
    networks = policy.optional("integrity.verify_networks_min")
    minutes = policy.optional("integrity.verify_window_minutes")
    if networks is None or minutes is None:
        return []
    window = datetime.timedelta(minutes=int(minutes))
    other = "certificate__verifications__"
    anchors = (
        Verification.objects.filter(
            at__year=year,
            **_under("certificate__credit__session__project__declared_by", within),
        )
        .exclude(network="")
        .annotate(
            networks=Count(
                other + "network",
                distinct=True,
                filter=Q(
                    **{
                        other + "at__gte": F("at"),
                        other + "at__lte": F("at") + window,
                    }
                )
                & ~Q(**{other + "network": ""}),
            )
        )
        .filter(networks__gte=int(networks))
        .order_by("certificate_id", "-networks", "at")
        .values_list("certificate_id", "at", "networks")
    )
    bursts: dict[int, tuple[datetime.datetime, int]] = {}
    for certificate_id, at, count in anchors:
        bursts.setdefault(certificate_id, (at, count))
    certificates = Certificate.objects.select_related(
        "credit__person", "credit__session__project__declared_by"
    ).in_bulk(list(bursts))
    findings = []
    for certificate_id, (at, count) in bursts.items():
        cert = certificates[certificate_id]
        local = timezone.localtime(at)
        findings.append(
            Finding(
                rule_id="VERIFY_BURST",
                fingerprint="VERIFY_BURST:{y}:certificate{c}".format(y=year, c=certificate_id),
                summary="{p}的证书{n}自{t}起{m}分钟内被{k}个不同网络核验。".format(
                    p=cert.credit.person.name,
                    n=cert.display_number,
                    t=local.strftime("%Y-%m-%d %H:%M"),
                    m=minutes,
                    k=count,
                ),
                records=[
                    {
                        "kind": "certificate",
                        "id": certificate_id,
                        "number": cert.number,
                        "label": "{k} {n}".format(k=cert.kind_label, n=cert.display_number),
                    },
                    _credit_item(
                        cert.credit,
                        "{n}：{amt}学分（{st}）".format(
                            n=cert.credit.person.name,
                            amt=cert.credit.amount,
                            st=cert.credit.get_status_display(),
                        ),
                    ),
                ],
                paths=(cert.credit.session.project.declared_by.tree_path,),
                certificate_id=certificate_id,
                person_id=cert.credit.person_id,
            )
        )
    return findings


# --- running them ----------------------------------------------------------------------------


@dataclass
class ScanResult:
    year: int
    found: dict[str, int] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)

    @property
    def total_found(self) -> int:
        return sum(self.found.values())

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


def lowest_authorities(path_sets: list[tuple[str, ...]]) -> list[int | None]:
    """For each set of tree paths, the deepest authority above (or at) all of them, by
    one query: the common prefix of the paths, walked up to the first authority."""
    commons: list[list[int]] = []
    for paths in path_sets:
        split = [p.strip("/").split("/") for p in paths if p.strip("/")]
        common: list[int] = []
        for parts in zip(*split, strict=False) if split else ():
            if any(part != parts[0] for part in parts):
                break
            common.append(int(parts[0]))
        commons.append(common)
    ids = {pk for common in commons for pk in common}
    authorities = set(
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.AUTHORITY).values_list(
            "pk", flat=True
        )
    )
    return [next((pk for pk in reversed(c) if pk in authorities), None) for c in commons]


def save_findings(findings: list[Finding]) -> int:
    """Store new findings as open alerts; refresh the records of those still open; leave
    decided ones as they were decided. Returns how many alerts are new."""
    authorities = lowest_authorities([f.paths for f in findings])
    now = timezone.now()
    existing: dict[str, IntegrityAlert] = {}
    prints = [f.fingerprint for f in findings]
    for chunk in _chunks(prints):
        existing |= IntegrityAlert.objects.in_bulk(chunk, field_name="fingerprint")
    new, changed = [], []
    for finding, authority_id in zip(findings, authorities, strict=True):
        if authority_id is None:
            continue
        alert = existing.get(finding.fingerprint)
        if alert is None:
            new.append(
                IntegrityAlert(
                    rule=finding.rule_id,
                    year=int(finding.fingerprint.split(":")[1]),
                    fingerprint=finding.fingerprint,
                    authority_id=authority_id,
                    person_id=finding.person_id,
                    unit_id=finding.unit_id,
                    session_id=finding.session_id,
                    certificate_id=finding.certificate_id,
                    summary=finding.summary[:255],
                    records=finding.records,
                )
            )
        elif alert.is_open and (
            alert.records != finding.records
            or alert.summary != finding.summary[:255]
            or alert.authority_id != authority_id
        ):
            alert.records, alert.summary = finding.records, finding.summary[:255]
            alert.authority_id = authority_id
            changed.append(alert)
    with transaction.atomic():
        created = IntegrityAlert.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
        IntegrityAlert.objects.bulk_update(
            changed, ["records", "summary", "authority"], batch_size=CHUNK
        )
        for chunk in _chunks([p for p in prints if p in existing]):
            IntegrityAlert.objects.filter(fingerprint__in=chunk).update(last_seen_at=now)
    return len(created)


def scan(
    year: int, *, within: str = "", province: str = HUNAN, rules: list[str] | None = None
) -> ScanResult:
    """Run every rule (or those named) over `year` in the subtree `within`, and store what
    they find. Idempotent: an alert already raised is never raised twice."""
    policy = for_year(year, province)
    result = ScanResult(year)
    for rule_id, registered in RULES.items():
        if rules is not None and rule_id not in rules:
            continue
        findings = registered.check(year, within, policy)
        result.found[rule_id] = len(findings)
        result.created[rule_id] = save_findings(findings)
    return result
