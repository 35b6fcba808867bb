from django.urls import path

from tsunagu.cases import views, views_measures

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("measures/", views_measures.measures, name="measures"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/transition/", views.case_transition, name="transition"),
    path("<int:pk>/update/", views.case_update, name="update"),
    path("<int:pk>/team/", views.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/leave/", views.team_leave, name="team_leave"),
    path("<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
