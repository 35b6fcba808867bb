from django.urls import path

from tsunagu.meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/print/", views.meeting_print, name="print"),
    path("<int:pk>/attendees/", views.attendee_add, name="attendee_add"),
    path("<int:pk>/guests/", views.guest_invite, name="guest_invite"),
    path(
        "<int:pk>/attendees/<int:attendee_pk>/pledge/",
        views.pledge_on_behalf,
        name="pledge_on_behalf",
    ),
    path("<int:pk>/pledge/", views.pledge, name="pledge"),
    path("<int:pk>/agenda/", views.agenda_add, name="agenda_add"),
    path("<int:pk>/hold/", views.meeting_hold, name="hold"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/minutes/", views.minutes_save, name="minutes"),
    path("<int:pk>/questionnaire/", views.questionnaire, name="questionnaire"),
    path("agenda/<int:pk>/brief/", views.brief_save, name="brief"),
    path("agenda/<int:pk>/chronology/", views.chronology_print, name="chronology"),
    path("agenda/<int:pk>/decisions/", views.decisions_record, name="decisions"),
]
