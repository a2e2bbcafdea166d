from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = "党员与组织"

    def ready(self):
        from core import audit

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
