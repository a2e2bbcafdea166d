from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "民情办理"

    def ready(self):
        # cases builds on volunteering: it adds its section to the member's ledger from here, so that
        # volunteering never imports cases.
        from volunteering.ledger import register_ledger_section

        from .ledger import ledger_cases_section

        register_ledger_section("cases", ledger_cases_section)
