from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cme.api.api import api
from cme.holding.urls import public_urlpatterns as holding_public_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("cme.accounts.urls")),
    path("orgs/", include("cme.orgs.urls")),
    path("people/", include("cme.people.urls")),
    path("projects/experts/", include("cme.projects.expert_urls")),
    path("projects/documents/", include("cme.projects.document_urls")),
    path("projects/", include("cme.projects.urls")),
    path("holding/", include("cme.holding.urls")),
    path("credits/", include("cme.credits.urls")),
    path("audits/", include("cme.audits.urls")),
    path("claims/", include("cme.claims.urls")),
    path("checkin/", include(holding_public_urls)),
    path("audit/", include("cme.core.urls")),
    path("supervision/", include("cme.supervision.urls")),
    path("public/projects/", include("cme.projects.public")),
    path("policy/", include("cme.policy.urls")),
    path("", include("cme.certificates.urls")),
    path("distance/", include("cme.distance.urls")),
    path("plans/", include("cme.plans.urls")),
    path("stats/", include("cme.stats.urls")),
    path("notices/", include("cme.notices.urls")),
    path("public/notices/", include("cme.notices.public_urls")),
    path("integrity/", include("cme.integrity.urls")),
    path("inspections/", include("cme.inspections.urls")),
    path("api/v1/", api.urls),
]

handler500 = "cme.core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
