from django.urls import path

from tsunagu.resources import views_hsds

urlpatterns = [
    path("import/", views_hsds.hsds_import, name="hsds_import"),
]
