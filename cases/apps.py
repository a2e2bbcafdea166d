from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "民情办理"

    def ready(self):
        # cases builds on volunteering: it adds its section to the member's ledger from here, so that
        # volunteering never imports cases.
        from core import audit
        from members.demo import register_demo_seed
        from volunteering.ledger import register_ledger_section

        from . import demo, retention
        from .ledger import ledger_cases_section

        # the case timeline is written with the change it describes (audited itself); the intake counter
        # is bumped by every registration
        audit.audit_app(self.label, unaudited=("cases.CaseEvent", "cases.CaseCounter"))
        register_ledger_section("cases", ledger_cases_section)
        retention.register()
        register_demo_seed("cases", demo.seed)

        from members.home import register_community_figures, register_personal_section

        from . import home

        register_community_figures("cases", home.community_figures)
        register_personal_section("my_cases", home.my_cases_section)
        register_personal_section("officer", home.officer_section)
