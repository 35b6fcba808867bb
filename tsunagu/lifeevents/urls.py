from django.urls import path

from tsunagu.lifeevents import views

app_name = "lifeevents"

urlpatterns = [
    path("households/<int:household_pk>/", views.household_events, name="household"),
    path("households/<int:household_pk>/new/", views.event_create, name="create"),
    path("<int:pk>/edit/", views.event_update, name="update"),
    path("<int:pk>/archive/", views.event_archive, name="archive"),
]
