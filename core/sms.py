"""SMS backends (短信通道). `settings.SMS_BACKEND` picks one: "logging" (the default: the message goes to
the log, the number masked by the log filter), "locmem" (tests: kept in `core.sms.outbox`), or the dotted
path of a provider's class with the same `send_messages` method — a real provider is configuration
(its class and credentials in settings), not a change here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from .masking import mask_mobile

logger = logging.getLogger("core.sms")


@dataclass(frozen=True)
class SmsMessage:
    to: str
    text: str


class BaseSmsBackend:
    def send_messages(self, messages: list[SmsMessage]) -> int:
        """Send them; return how many were accepted. Raise on a failure the task should retry."""
        raise NotImplementedError


class LoggingSmsBackend(BaseSmsBackend):
    """Writes each message to the log instead of sending it (development, and until a provider is set)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        for message in messages:
            logger.info("SMS to %s: %s", mask_mobile(message.to), message.text)
        return len(messages)


outbox: list[SmsMessage] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Keeps the messages in `core.sms.outbox`, like Django's locmem email backend (tests)."""

    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


BUILTIN_BACKENDS: dict[str, type[BaseSmsBackend]] = {
    "logging": LoggingSmsBackend,
    "locmem": LocmemSmsBackend,
}


def get_backend() -> BaseSmsBackend:
    name = getattr(settings, "SMS_BACKEND", "logging") or "logging"
    if name in BUILTIN_BACKENDS:
        return BUILTIN_BACKENDS[name]()
    return import_string(settings.SMS_BACKEND)()  # type: ignore[arg-type]  # a str: not a builtin name


def send_sms(to: str, text: str) -> int:
    return get_backend().send_messages([SmsMessage(to=to, text=text)])
