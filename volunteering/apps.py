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
