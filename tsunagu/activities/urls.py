from django.urls import path

from tsunagu.activities import views

app_name = "activities"

urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<int:pk>/edit/", views.activity_update, name="update"),
    path("<int:pk>/archive/", views.activity_archive, name="archive"),
    path("counted/", views.counted, name="counted"),
    path("counted/save/", views.counted_save, name="counted_save"),
]
