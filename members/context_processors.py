from .permissions import is_office_anywhere
from .roles import Role, scope_for


def roles(request):
    """Expose the user's scope to templates (menus show what the roles allow)."""
    scope = scope_for(getattr(request, "user", None))
    match = getattr(request, "resolver_match", None)
    return {
        # which menu group and link are current (templates/base.html's grouped navigation)
        "nav_view": match.view_name if match else "",
        "nav_app": match.namespace if match else "",
        "scope": scope,
        "is_office": is_office_anywhere(scope),
        "is_town": bool(scope.town_ids) or scope.is_superuser,
        "is_officer": bool(scope.officer_community_ids),
        "is_member": Role.MEMBER in scope.roles,
        "is_employer": bool(scope.employer_ids),
    }
