from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "督办与作风监督"

    def ready(self):
        from core import audit, retention
        from members.demo import register_demo_seed

        from . import demo

        audit.audit_app(self.label)
        retention.register(
            kept={
                "supervision.StaffComplaint.complainant": (
                    "who complained about a cadre, archived with the findings and the measure taken (the "
                    "accountability record of 小区服务大厅管理制度 §5); may be left blank (anonymous)"
                ),
            }
        )
        register_demo_seed("supervision", demo.seed)
