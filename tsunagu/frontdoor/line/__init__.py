"""LINE: the municipality's LINE official account as a door to オンライン相談.

- :mod:`.webhook`: the platform delivers residents' messages and follow /
  unfollow events (signature checked first, each event handled once);
- :mod:`.push`: staff replies go out through the push API (the sender of
  ``services.SENDERS["line"]``, registered when the app loads);
- :mod:`.settings_views`: the system administrator sets the channel (its
  secret and token are write-only: never shown, logged or audited).
"""
