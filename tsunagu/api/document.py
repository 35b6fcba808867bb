"""The OpenAPI document, built once per process and path prefix.

django-ninja builds the document from every operation's schemas on each
request for ``openapi.json`` (seconds for this API). The operations are fixed
once the routers are added at import, so the first build is kept and every
caller gets its own copy (a caller may change what it gets)."""

from __future__ import annotations

import copy
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema


class DocumentedAPI(NinjaAPI):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._documents: dict[str, OpenAPISchema] = {}

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        document = self._documents.get(path_prefix)
        if document is None:
            document = super().get_openapi_schema(path_prefix=path_prefix)
            self._documents[path_prefix] = document
        return copy.deepcopy(document)
