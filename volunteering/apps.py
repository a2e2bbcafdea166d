from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = "志愿服务"
