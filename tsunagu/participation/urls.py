from django.urls import path

from tsunagu.participation import views

app_name = "participation"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("persons/<int:person_pk>/", views.person, name="person"),
    path("persons/<int:person_pk>/profile/", views.profile_edit, name="profile"),
    path("persons/<int:person_pk>/suggestions/", views.suggestions, name="suggestions"),
    path("persons/<int:person_pk>/propose/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/notes/", views.note, name="note"),
    path("counts/", views.counts, name="counts"),
]
