"""The hook other apps use to add sections to a member's activity ledger (活动台账).

volunteering must not import the apps built on it (cases, evaluations). Instead, such an app registers a
provider once, from its AppConfig.ready():

    # cases/apps.py
    def ready(self):
        from volunteering.ledger import register_ledger_section
        from .selectors import ledger_cases_section
        register_ledger_section("cases", ledger_cases_section)

A provider is `provider(*, person, year, viewer) -> LedgerSection | None`; it must apply its own
visibility rules for `viewer` (return None to show nothing). `selectors.member_ledger` calls every
registered provider and also accepts ready-made sections through its `extra_sections` argument.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LedgerSection:
    key: str
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    empty_text: str = "无"
    order: int = 100


LedgerProvider = Callable[..., "LedgerSection | None"]

_providers: dict[str, LedgerProvider] = {}


def register_ledger_section(key: str, provider: LedgerProvider) -> None:
    """Register (or replace) the provider of one ledger section. Idempotent per key."""
    _providers[key] = provider


def unregister_ledger_section(key: str) -> None:
    _providers.pop(key, None)


def provided_sections(*, person, year: int, viewer) -> list[LedgerSection]:
    sections = []
    for provider in list(_providers.values()):
        section = provider(person=person, year=year, viewer=viewer)
        if section is not None:
            sections.append(section)
    return sections
