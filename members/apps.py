from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员与组织"

    def ready(self):
        from core import audit, notifications

        from . import calendar, retention

        audit.audit_app(
            self.label,
            # the registration history is written with the change it describes (audited itself)
            unaudited=("members.RegistrationEvent",),
            qualified={
                "members.Person.name": "name",
                "members.Person.birth_date": "birth",
                "members.RosterImport.rows": "omit",  # the uploaded spreadsheet, ID numbers and all
                "members.RosterImport.errors": "omit",
                "members.RosterImport.source": "omit",
            },
        )
        calendar.connect()
        retention.register()

        from .home import register_community_figures, register_personal_section
        from .selectors import community_home_figures, notices_section

        register_community_figures("members", community_home_figures)
        register_personal_section("notices", notices_section)
        notifications.set_mobile_source(roster_mobile)


def roster_mobile(user) -> str:
    """SMS notifications go to the account holder's roster number when the account has none."""
    from .models import Person

    return Person.objects.filter(user_id=user.pk).values_list("mobile", flat=True).first() or ""
