"""Publish the outbox's undelivered messages (core.outbox.relay), once or in a loop.

manage.py relay_outbox            # one pass (what the `core-outbox-relay` beat job does)
manage.py relay_outbox --loop 5   # a pass every 5 seconds, for a deployment without beat
manage.py relay_outbox --now      # ignore the backoff: try every undelivered message now
"""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage


class Command(BaseCommand):
    help = "把事务外发箱中尚未投递的任务交给消息队列（中间件中断后补发）"

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="每隔若干秒重复一次，直到中断")
        parser.add_argument("--now", action="store_true", help="不等退避时间，立即重试全部未投递任务")

    def handle(self, *args, loop=None, now=False, **options):
        while True:
            if now:
                OutboxMessage.objects.filter(dispatched_at__isnull=True).update(
                    next_attempt_at=timezone.now()
                )
            result = outbox.relay()
            self.stdout.write(
                f"已投递 {result['published']} 条，失败 {result['failed']} 条，"
                f"仍待投递 {outbox.undelivered()} 条"
            )
            if not loop:
                return
            time.sleep(loop)
