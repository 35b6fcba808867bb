from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "tsunagu.appointments"
    label = "appointments"
    verbose_name = "出張相談会・予約"
