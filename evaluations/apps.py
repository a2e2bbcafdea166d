from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "评议反馈"

    def ready(self):
        from core import audit, retention
        from members.demo import register_demo_seed

        from . import demo, demo_employer
        from . import retention as sheet_retention

        audit.audit_app(self.label)
        # appraisal
        retention.register(
            kept={
                "evaluations.Evaluator.name": (
                    "the panel of a yearly 民主评议 (who evaluated), archived with its result like the minutes"
                ),
            }
        )
        # employer: sheets' and consultations' text and ledgers (evaluations/retention.py)
        sheet_retention.register()
        register_demo_seed("evaluations", demo.seed)
        # employer: the sheets, acknowledgements and a consultation of the demo town
        register_demo_seed("evaluations_employer", demo_employer.seed)
