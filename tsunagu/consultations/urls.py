from django.urls import path

from tsunagu.consultations import views

app_name = "consultations"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_sheet, name="print"),
    path("<int:pk>/continuity/", views.continuity_set, name="continuity"),
    path("<int:pk>/link/", views.link_household, name="link"),
]
