from django.urls import include, path

from tsunagu.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.resource_list, name="list"),
    path("new/", views.resource_create, name="create"),
    path("<int:pk>/", views.resource_detail, name="detail"),
    path("<int:pk>/edit/", views.resource_update, name="update"),
    path("<int:pk>/archive/", views.resource_archive, name="archive"),
    path("providers/", views.provider_list, name="provider_list"),
    path("providers/new/", views.provider_create, name="provider_create"),
    path("providers/<int:pk>/edit/", views.provider_update, name="provider_update"),
    path("providers/<int:pk>/archive/", views.provider_archive, name="provider_archive"),
    # HSDS 3.0 import (the export is the API under /api/v1/hsds/).
    path("hsds/", include("tsunagu.resources.urls_hsds")),
]
