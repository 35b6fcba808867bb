from django.urls import path

from tsunagu.progress import views

app_name = "progress"

urlpatterns = [
    path("households/<int:household_pk>/", views.household_notes, name="household"),
    path("households/<int:household_pk>/new/", views.note_create, name="create"),
    path("households/<int:household_pk>/print/", views.print_sheet, name="print"),
    path("cases/<int:case_pk>/", views.case_notes, name="case"),
    path("<int:pk>/edit/", views.note_update, name="update"),
    path("counts/", views.counts, name="counts"),
    path("counts/excel/", views.counts_excel, name="counts_excel"),
]
