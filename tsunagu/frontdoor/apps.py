from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "tsunagu.frontdoor"
    label = "frontdoor"
    verbose_name = "オンライン相談"

    def ready(self) -> None:
        # Each channel registers its sender (one line each; no signals).
        from tsunagu.frontdoor import services
        from tsunagu.frontdoor.mail import outbound as mail_outbound

        services.SENDERS["mail"] = mail_outbound.send
