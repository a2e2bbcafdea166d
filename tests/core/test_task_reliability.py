"""Every task of the product is acknowledged late and goes back to the queue when its worker dies, so a
SIGKILL mid-batch means redelivery (tests/audit/test_worker_sigkill.py shows the effects then happen exactly
once). Checked on the app the worker runs, for every task the product registers, today's and future ones."""

from config.celery import DEFAULT_PERIODIC_TASKS, app

PRODUCT_APPS = ("members.", "volunteering.", "cases.", "core.", "evaluations.", "supervision.")


def product_tasks():
    app.loader.import_default_modules()  # what `celery worker` imports: every app's tasks module
    return {name: task for name, task in app.tasks.items() if name.startswith(PRODUCT_APPS)}


def test_the_worker_knows_the_product_tasks():
    assert {
        "members.tasks.alert_officer_vacancies",
        "cases.tasks.daily_supervision_alerts",
        "core.tasks.purge_expired_personal_data",
        "volunteering.tasks.remind_members_behind_requirement",
    } <= set(product_tasks())


def test_every_product_task_is_acknowledged_late_and_requeued_when_its_worker_is_lost():
    for name, task in product_tasks().items():
        assert task.acks_late, name
        assert task.reject_on_worker_lost, name
    assert app.conf.worker_prefetch_multiplier == 1  # a killed worker holds at most the task it runs


def test_every_scheduled_job_names_a_product_task():
    tasks = product_tasks()
    for entry, schedule in DEFAULT_PERIODIC_TASKS.items():
        assert schedule["task"] in tasks, entry
