from django.urls import path

from tsunagu.appointments import views

app_name = "appointments"

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/excel/", views.event_excel, name="event_excel"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", views.event_update, name="event_update"),
    path("events/<int:pk>/archive/", views.event_archive, name="event_archive"),
    path("appointments/", views.week, name="week"),
    path("appointments/new/", views.book, name="book"),
    path("appointments/settings/", views.settings_page, name="settings"),
    path("appointments/<int:pk>/", views.appointment_detail, name="detail"),
    path("appointments/<int:pk>/status/", views.appointment_status, name="status"),
]
