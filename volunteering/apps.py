from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        from core import audit
        from members.demo import register_demo_seed

        from . import demo, retention

        # the volunteering history is written with the change it describes (audited itself)
        audit.audit_app(self.label, unaudited=("volunteering.VolunteerEvent",))
        retention.register()
        register_demo_seed("volunteering", demo.seed)

        from members.home import (
            register_community_figures,
            register_employer_columns,
            register_personal_section,
        )

        from .selectors import home

        register_community_figures("volunteering", home.community_figures)
        register_personal_section("volunteering", home.member_section)
        register_employer_columns("volunteering", home.employer_columns)
