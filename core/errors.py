class DomainError(Exception):
    """A business rule refused the action. Services raise it; the API maps it to a 4xx with our error shape.

    `fields` names the offending inputs; `allowed` lists the next steps that would be legal (for state
    machines), so a client can tell the user what they can do instead.
    """

    status_code = 400

    def __init__(self, message: str, *, code: str = "invalid", fields: dict | None = None, allowed=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.allowed = allowed


class Conflict(DomainError):
    status_code = 409
