"""Who reads which volunteering rows: the three scoping querysets every model of the app builds on
(see `volunteering.access` for who sees what)."""

from django.db.models import Q

from members.models import ScopedQuerySet

from .. import access


class CommunityWideQuerySet(ScopedQuerySet):
    """Rows every role holder of the community may read (posts, items, programmes, the skills directory):
    its office, the town supervising it, and its members, officers and deputies. Employer liaisons see none."""

    def _visible(self, scope):
        return self.filter(**{f"{self.community_path}__in": access.participant_community_ids(scope)})


class PersonalQuerySet(ScopedQuerySet):
    """Rows about one member (claims, sign-ups, hours, pairings): the office and the town read them all,
    a member reads their own."""

    person_path = "person_id"

    def _visible(self, scope):
        q = Q(**{f"{self.community_path}__in": scope.managed_community_ids})
        if scope.person_id:
            q |= Q(**{self.person_path: scope.person_id})
        return self.filter(q)


class OfficeOnlyQuerySet(ScopedQuerySet):
    """Rows only the community's own office (书记/工作人员/办公室主任) may read — not the town, not the member."""

    def visible_to(self, user):
        ids = access.office_community_ids(user)
        if ids is None:
            return self
        return self.filter(**{f"{self.community_path}__in": ids})
