from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "tsunagu.assessments"
    label = "assessments"
    verbose_name = "インテーク・アセスメント"
