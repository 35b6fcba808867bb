"""Log records without residents' personal data.

Logs carry identifiers only (paths hold database ids, never names). Two
things in a record can still carry what a request handled:

- the request itself, which Django attaches to its error records
  (``record.request``) and which a handler may print with its query string,
  POST body and cookies (Django's ``AdminEmailHandler`` does);
- the message of an exception, which may quote a value (a name in a
  ``ValueError``, a database error's ``DETAIL`` with the row's values).

``PersonalDataFilter`` drops the request and replaces the exception by its
traceback with each exception's type but not its message. It is attached
in ``settings.LOGGING`` to the console handler (every record that reaches
it) and to the ``django.request`` logger (so that every handler, including
the test suite's log capture, sees the cleaned record).
"""

from __future__ import annotations

import logging
import traceback

WITHHELD = "(message withheld: it may hold personal data)"


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("request", None)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = frames_only(record.exc_info[1])
            record.exc_info = None
        return True


CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def frames_only(error: BaseException) -> str:
    """The traceback of ``error`` and the exceptions it came from (as Python
    prints them, oldest first), with each exception's type and no message."""
    # Newest first, each with the line printed after it, which leads on to the newer one.
    chain: list[tuple[BaseException, str]] = []
    current: BaseException | None = error
    leads_on = ""
    while current is not None and all(current is not seen for seen, _line in chain):
        older: BaseException | None = None
        if current.__cause__ is not None:
            older, line = current.__cause__, CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            older, line = current.__context__, CONTEXT
        else:
            line = ""
        chain.append((current, leads_on))
        current, leads_on = older, line
    parts: list[str] = []
    for link, line in reversed(chain):
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(link.__traceback__)))
        kind = type(link)
        parts.append(f"{kind.__module__}.{kind.__qualname__}: {WITHHELD}\n")
        parts.append(line)
    return "".join(parts).rstrip("\n")
