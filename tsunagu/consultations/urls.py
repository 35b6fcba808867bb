from django.urls import path

from tsunagu.consultations import views

app_name = "consultations"

urlpatterns = [
    path("new/", views.intake, name="intake"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_sheet, name="print"),
]
