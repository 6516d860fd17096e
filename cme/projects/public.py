"""公布: the public list of approved projects, searchable without login (SPEC §9; the public
columns of shared/reference/README.md), and its Excel download."""

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import render
from django.urls import path

from cme.core.exports import xlsx_response
from cme.projects.models import Level, PlannedSession, Project, State

PUBLIC_STATES = (State.PUBLISHED, State.HELD, State.COMPLETED)
COLUMNS = [
    "学科名称",
    "项目编号",
    "项目名称",
    "申办单位",
    "项目负责人",
    "负责人电话",
    "起止日期",
    "天数",
    "举办地点",
    "授予学员学分",
    "教学对象",
    "拟招生人数",
    "备注",
]


def public_projects(params) -> QuerySet[Project]:
    qs = (
        Project.objects.filter(state__in=PUBLIC_STATES)
        .select_related("discipline", "sponsor", "leader")
        .prefetch_related(
            Prefetch("planned_sessions", queryset=PlannedSession.objects.select_related("region"))
        )
        .order_by("number")
    )
    year = params.get("year", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    if params.get("level") in Level.values:
        qs = qs.filter(level=params["level"])
    if params.get("discipline"):
        qs = qs.filter(
            Q(discipline__secondary_name__icontains=params["discipline"])
            | Q(discipline__tertiary_name__icontains=params["discipline"])
        )
    for key, lookup in (
        ("sponsor", "sponsor__name__icontains"),
        ("leader", "leader__name__icontains"),
        ("number", "number__icontains"),
    ):
        if params.get(key, "").strip():
            qs = qs.filter(**{lookup: params[key].strip()})
    words = params.get("q", "").strip()
    if words:
        qs = qs.filter(
            Q(name__icontains=words) | Q(audience__icontains=words) | Q(objectives__icontains=words)
        )
    return qs


def public_row(project: Project) -> list:
    sessions = list(project.planned_sessions.all())
    dates = "；".join(
        "{a:%Y-%m-%d}至{b:%Y-%m-%d}".format(a=s.starts_on, b=s.ends_on) for s in sessions
    )
    days = "；".join(str(s.days) for s in sessions)
    if project.form == Project.Form.DISTANCE:
        place = project.website
    else:
        place = "；".join(
            " ".join(filter(None, (s.region.full_name if s.region else s.place_outside, s.address)))
            for s in sessions
        )
    discipline = project.discipline
    return [
        "{a}/{b}".format(a=discipline.secondary_name, b=discipline.tertiary_name)
        if discipline
        else "",
        project.number or "",
        project.name,
        project.sponsor.name,
        project.leader.name if project.leader else "",
        project.leader_phone,
        dates,
        days,
        place,
        project.credits if project.credits is not None else "",
        project.audience,
        project.expected_participants or "",
        "备案项目" if project.kind == "filing" else "",
    ]


def public_list(request):
    qs = public_projects(request.GET)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "继续医学教育项目公布名单.xlsx",
            COLUMNS,
            (public_row(p) for p in qs.iterator(chunk_size=500)),
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(p, public_row(p)) for p in page]
    return render(
        request,
        "projects/public/project_list.html",
        {
            "page": page,
            "rows": rows,
            "columns": COLUMNS,
            "levels": Level.choices,
            "params": request.GET,
        },
    )


urlpatterns = [path("", public_list, name="public_projects")]
