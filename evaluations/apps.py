from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "评议反馈"

    def ready(self):
        from core import audit
        from members.demo import register_demo_seed

        from . import demo_employer

        audit.audit_app(self.label)
        # employer: the sheets, acknowledgements and a consultation of the demo town
        register_demo_seed("evaluations_employer", demo_employer.seed)
