from django.urls import path

from tsunagu.plans import views

app_name = "plans"

urlpatterns = [
    path("new/<int:case_pk>/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("<int:pk>/monitoring/", views.monitor, name="monitor"),
    path("<int:pk>/print/", views.print_sheet, name="print"),
]
