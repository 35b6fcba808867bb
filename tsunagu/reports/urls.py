"""The reports' pages: the business report (seed 000), the strategy check
sheet (seed 001), the survey answers (seed 004) and the process measures;
each part keeps its routes in its own module."""

from tsunagu.reports import urls_business, urls_strategy, urls_survey

app_name = "reports"

urlpatterns = [*urls_business.urlpatterns, *urls_strategy.urlpatterns, *urls_survey.urlpatterns]
