from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督办与作风监督"

    def ready(self):
        from core import audit
        from members.demo import register_demo_seed

        from . import demo

        audit.audit_app(self.label)
        register_demo_seed("supervision", demo.seed)
