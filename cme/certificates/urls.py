from django.urls import path

from cme.certificates import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("certificates/mine/", views.certificate_list, name="mine"),
    path("certificates/<str:number>/pdf/", views.certificate_pdf, name="pdf"),
    path(
        "certificates/sessions/<int:session_pk>/",
        views.session_certificate_list,
        name="session",
    ),
    path("certificates/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("certificates/batches/<int:pk>/download/", views.batch_download, name="batch_download"),
]
