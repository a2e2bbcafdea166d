"""The base of every tenant-scoped queryset (`visible_to`, `managed_by`); other apps' querysets build on it too."""

from django.db import models

from ..roles import scope_for


class ScopedQuerySet(models.QuerySet):
    """Base for tenant-scoped querysets. Subclasses implement `_visible(scope)`."""

    def visible_to(self, user):
        scope = scope_for(user)
        if not scope.is_authenticated:
            return self.none()
        if scope.is_superuser:
            return self
        return self._visible(scope)

    def managed_by(self, user):
        """Rows the user may change (the office of the row's community)."""
        scope = scope_for(user)
        if scope.is_superuser:
            return self
        return self.filter(**{f"{self.community_path}__in": scope.managed_community_ids})

    community_path = "community_id"

    def _visible(self, scope):
        return self.filter(**{f"{self.community_path}__in": scope.managed_community_ids})
