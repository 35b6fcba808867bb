from django.urls import path

from tsunagu.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("households/<int:household_pk>/", views.household_history, name="household"),
    path("households/<int:household_pk>/new/", views.contact_create, name="create"),
    path("<int:pk>/edit/", views.contact_update, name="update"),
    path("counts/", views.counts, name="counts"),
]
