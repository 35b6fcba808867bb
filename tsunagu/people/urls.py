from django.urls import path

from tsunagu.people import views

app_name = "people"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("search/consultations/", views.search_consultations, name="search_consultations"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/archive/", views.household_archive, name="household_archive"),
    path("households/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("memberships/<int:pk>/end/", views.member_end, name="member_end"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/archive/", views.person_archive, name="person_archive"),
    path("persons/<int:pk>/merge/<int:other>/", views.merge, name="merge"),
    path("merges/", views.merge_list, name="merge_list"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("matches/", views.matches, name="matches"),
    path("reading/", views.reading, name="reading"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/review/", views.emergency_list, name="emergency_list"),
    path("name-variants/", views.name_variants, name="name_variants"),
]
