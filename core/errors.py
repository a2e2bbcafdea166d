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


class PermissionDenied(DomainError):
    """The user may not do this here (403). Raised by services; the pages and the API answer it alike."""

    status_code = 403

    def __init__(self, message="您没有执行此操作的权限"):
        super().__init__(message, code="permission_denied")
