from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "tsunagu.workqueue"
    verbose_name = "今日の仕事"
