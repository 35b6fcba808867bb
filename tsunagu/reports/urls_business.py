from django.urls import path

from tsunagu.reports import views_business

urlpatterns = [
    path("business/", views_business.business, name="business"),
    path("business/excel/", views_business.business_excel, name="business_excel"),
    path(
        "business/rows/<int:pk>/<int:column>/",
        views_business.business_drill_down,
        name="business_drill_down",
    ),
    path("business/layout/", views_business.business_layout, name="business_layout"),
    path(
        "business/layout/rows/<int:pk>/", views_business.business_row_edit, name="business_row_edit"
    ),
    path(
        "business/layout/tables/<int:table_pk>/rows/new/",
        views_business.business_row_create,
        name="business_row_create",
    ),
]
