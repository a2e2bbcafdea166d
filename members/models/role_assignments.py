"""Roles: which login holds which role in which town, community or employer."""

from django.db import models
from django.db.models import Q

from ..roles import Role
from .people import User
from .places import Community, Employer, Town
from .scoping import ScopedQuerySet


class RoleAssignmentQuerySet(ScopedQuerySet):
    def _visible(self, scope):
        return self.filter(
            Q(community_id__in=scope.managed_community_ids)
            | Q(town_id__in=scope.town_ids)
            | Q(user_id=scope.user_id)
        )


class RoleAssignment(models.Model):
    """One role of one user in one organisation (a town, a community or an employer)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="账号"
    )
    role = models.CharField("角色", max_length=30, choices=Role.choices)
    town = models.ForeignKey(Town, on_delete=models.CASCADE, null=True, blank=True, verbose_name="镇")
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, verbose_name="社区"
    )
    employer = models.ForeignKey(
        Employer, on_delete=models.CASCADE, null=True, blank=True, verbose_name="单位"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        constraints = [
            models.CheckConstraint(
                name="role_has_exactly_its_organisation",
                condition=(
                    Q(
                        role=Role.TOWN_SUPERVISOR,
                        town__isnull=False,
                        community__isnull=True,
                        employer__isnull=True,
                    )
                    | Q(
                        role=Role.EMPLOYER_LIAISON,
                        employer__isnull=False,
                        town__isnull=True,
                        community__isnull=True,
                    )
                    | (
                        Q(community__isnull=False, town__isnull=True, employer__isnull=True)
                        & ~Q(role__in=[Role.TOWN_SUPERVISOR, Role.EMPLOYER_LIAISON])
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "town", "community", "employer"], name="role_assignment_unique"
            ),
        ]

    def __str__(self):
        org = self.community or self.town or self.employer
        return f"{self.user} · {self.get_role_display()} · {org}"
