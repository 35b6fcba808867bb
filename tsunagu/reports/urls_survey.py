"""Routes of the survey answers (seed 004) and the process measures."""

from django.urls import path

from tsunagu.reports import views_survey

urlpatterns: list = [
    path("survey/", views_survey.survey, name="survey"),
    path("process/", views_survey.process, name="process"),
]
