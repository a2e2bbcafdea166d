from celery import shared_task

from . import services


@shared_task(acks_late=True)
def alert_officer_vacancies() -> int:
    return services.officer_vacancy_alerts()
