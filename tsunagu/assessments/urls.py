from django.urls import path

from tsunagu.assessments import views

app_name = "assessments"

urlpatterns = [
    path("persons/<int:person_pk>/", views.person_assessments, name="person"),
    path("persons/<int:person_pk>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_sheet, name="print"),
]
