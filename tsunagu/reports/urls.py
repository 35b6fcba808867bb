"""The reports' pages: an index, the business report (seed 000), the strategy
check sheet (seed 001), the survey answers (seed 004) and the process
measures; each part keeps its routes in its own module."""

from django.urls import path

from tsunagu.reports import urls_business, urls_strategy, urls_survey, views_index

app_name = "reports"

urlpatterns = [
    path("", views_index.index, name="index"),
    *urls_business.urlpatterns,
    *urls_strategy.urlpatterns,
    *urls_survey.urlpatterns,
]
