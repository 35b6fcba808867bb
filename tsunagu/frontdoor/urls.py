from django.urls import path

from tsunagu.frontdoor import views

app_name = "frontdoor"

urlpatterns = [
    path("", views.thread_list, name="list"),
    path("<int:pk>/", views.thread_detail, name="detail"),
    path("<int:pk>/reply/", views.thread_reply, name="reply"),
    path("<int:pk>/hand-over/", views.thread_hand_over, name="hand_over"),
    path("<int:pk>/convert/", views.thread_convert, name="convert"),
    path("<int:pk>/close/", views.thread_close, name="close"),
    path("<int:pk>/reopen/", views.thread_reopen, name="reopen"),
    path("triage/", views.triage, name="triage"),
    path("triage/rules/new/", views.triage_rule_add, name="triage_rule_add"),
    path("triage/rules/<int:pk>/remove/", views.triage_rule_remove, name="triage_rule_remove"),
]
