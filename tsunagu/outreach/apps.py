from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "tsunagu.outreach"
    label = "outreach"
    verbose_name = "アウトリーチ"
