"""The REST API under /api/v1/: one NinjaAPI object, one router per app.

Auth: a personal token (`Authorization: Bearer <token>`) or the logged-in session.
Every endpoint reads through the same scope helpers as the pages and changes state
only through the apps' actions. The audit trail's client address is set for every
request, API calls included, by cme.core.middleware.RequestContextMiddleware.
"""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from cme.accounts.api import router as accounts_router
from cme.api import errors
from cme.api.auth import SessionAuth, TokenAuth
from cme.audits.api import router as audits_router
from cme.certificates.api import router as certificates_router
from cme.claims.api import router as claims_router
from cme.credits.api import router as credits_router
from cme.distance.api import meeting_router as meetings_router
from cme.distance.api import router as distance_router
from cme.holding.api import router as holding_router
from cme.holding.report_api import router as report_router
from cme.holding.roster_api import router as roster_router
from cme.inspections.api import router as inspections_router
from cme.integrity.api import router as integrity_router
from cme.notices.api import router as notices_router
from cme.orgs.api import router as orgs_router
from cme.people.api import router as people_router
from cme.plans.api import router as plans_router
from cme.projects.api import router as projects_router
from cme.stats.api import router as stats_router
from cme.supervision.api import router as supervision_router


class Utf8JSONRenderer(JSONRenderer):
    """Chinese stays readable in the body instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="继续医学教育管理平台 API",
    version="1",
    description="个人API令牌放在请求头 `Authorization: Bearer <令牌>`；错误统一返回 `{code, message}`。",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    renderer=Utf8JSONRenderer(),
)
errors.install(api)
api.add_router("", accounts_router)
api.add_router("", orgs_router)
api.add_router("", people_router)
api.add_router("", supervision_router)
api.add_router("", projects_router)
api.add_router("", holding_router)
api.add_router("", certificates_router)
api.add_router("", roster_router)
api.add_router("", report_router)
api.add_router("", claims_router)
api.add_router("", credits_router)
api.add_router("", audits_router)
api.add_router("", distance_router)
api.add_router("", meetings_router)
api.add_router("", plans_router)
api.add_router("", stats_router)
api.add_router("", notices_router)
api.add_router("", integrity_router)
api.add_router("", inspections_router)
