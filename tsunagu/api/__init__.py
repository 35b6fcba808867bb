"""The JSON API at /api/v1/ (django-ninja), described at /api/v1/openapi.json.

Same rules as the pages: every operation is declared to the policy module,
reads go through its visible querysets, writes through the services with
their audit events. Authentication is the browser session (with CSRF) or a
bearer token issued on the account page. Errors are answered in Japanese.

What every app's ``api.py`` shares lives here, and they import it downward:

- ``errors``: the answers to refusals (ErrorOut, FormErrorsOut, ERRORS, invalid);
- ``parsing``: JSON bodies only, within limits, no text that cannot be stored;
- ``auth``: bearer tokens, and the policy's answer before the input is read;
- ``pagination``: pages whose objects carry the basis they are shown under;
- ``lookups``: the acting organization, objects one may link to, labels.

``root`` assembles the API from every app's router and is imported by the URL
configuration alone. This module imports nothing, so that importing any of
the above never imports the root.
"""
