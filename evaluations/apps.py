from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "评议反馈"

    def ready(self):
        from core import audit

        audit.audit_app(self.label)
