from django.urls import path

from cme.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("add/", views.person_add, name="add"),
    path("find/", views.person_find, name="find"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/reveal-id/", views.person_reveal_id, name="reveal_id"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/commit/", views.import_commit, name="import_commit"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/out/", views.transfer_out, name="transfer_out"),
    path("transfers/in/", views.transfer_in, name="transfer_in"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
]
