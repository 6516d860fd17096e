from django.urls import path

from cme.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<int:unit_pk>/<int:year>/", views.unit_audit, name="unit"),
    path("units/<int:unit_pk>/<int:year>/submit/", views.submit, name="submit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("queue/", views.queue, name="queue"),
    path("hr/<int:year>/", views.hr_year, name="hr"),
    path("void/", views.void_year, name="void"),
    path("what-if/", views.what_if, name="what_if"),
    path(
        "certificates/<int:year>/pdf/",
        views.annual_certificate_pdf,
        name="annual_certificate_pdf",
    ),
    path(
        "certificates/persons/<int:person_pk>/<int:year>/pdf/",
        views.staff_certificate_pdf,
        name="staff_certificate_pdf",
    ),
]
