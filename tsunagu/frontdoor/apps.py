from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "tsunagu.frontdoor"
    label = "frontdoor"
    verbose_name = "オンライン相談"

    def ready(self) -> None:
        # Each channel's sender, by name (no signals): services.deliver looks them up.
        from tsunagu.frontdoor import services
        from tsunagu.frontdoor.line import push
        from tsunagu.frontdoor.mail import outbound as mail_outbound

        services.SENDERS["line"] = push.send
        services.SENDERS["mail"] = mail_outbound.send
