"""The public booking pages, for the public host's URL configuration:
``path("consult/<str:lang>/appointments/", include("tsunagu.appointments.public_urls"))``."""

from django.urls import path

from tsunagu.appointments import public_views

app_name = "appointments_public"

urlpatterns = [
    path("", public_views.windows, name="windows"),
    path("<int:organization_pk>/", public_views.free_slots, name="slots"),
    path("<int:organization_pk>/book/", public_views.book, name="book"),
    path("cancel/<str:token>/", public_views.cancel, name="cancel"),
]
