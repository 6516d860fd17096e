from django.urls import path

from cme.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.spot_check_list, name="list"),
    path("new/", views.spot_check_new, name="new"),
    path("mine/", views.my_tasks, name="mine"),
    path("<int:pk>/", views.spot_check_detail, name="detail"),
    path("<int:pk>/assign/", views.spot_check_assign, name="assign"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/total/", views.item_total, name="item_total"),
    path("items/<int:pk>/files/", views.item_upload, name="item_upload"),
    path("items/<int:pk>/files/<int:file_pk>/", views.item_file, name="item_file"),
]
