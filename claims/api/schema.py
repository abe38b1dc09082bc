"""The OpenAPI schema's view of errors: every operation lists the error answers it
can give, so that a client (or a schema fuzzer) finds each status code documented."""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": (
        'An error: {"detail": "..."} (with a "code" where one applies), or, for '
        "invalid input, each offending field with a list of messages."
    ),
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid input: each offending field (or query parameter) and why.",
    "401": "Credentials were sent but are not valid, or reading needs signing in.",
    "403": "Signed in, but not in the group this needs.",
    "404": "No such object, page or path.",
    "409": "Refused: the change conflicts with stored data (a delete that other "
    "rows depend on; the same quote of a source in a document twice; a document "
    "change its claims no longer fit; a measure change its figures cannot be read "
    "with); the answer names the rows.",
    "412": "The object changed since it was read: its ETag no longer matches If-Match.",
    "413": "The request body is over the accepted size.",
    "415": "The request body's media type is not accepted.",
    "429": "Too many requests; Retry-After says when to try again.",
}

WRITES = {"POST", "PUT", "PATCH"}


class TrackerAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error answers each operation can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                code,
                {
                    "description": ERRORS[code],
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429"]
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if self.method in WRITES or has_query:
            codes.append("400")
        if self.method == "DELETE" or self.method in WRITES:
            codes.append("409")
        if self.method in {"PUT", "PATCH"}:
            codes.append("412")
        if self.method in WRITES:
            codes += ["413", "415"]
        return sorted(codes)
