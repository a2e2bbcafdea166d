"""The hooks other apps use to put their part of "what do I do today" on a role's home page.

members must not import the apps built on it (volunteering, cases, evaluations), yet the home page shows
their work. Such an app registers providers once, from its AppConfig.ready() (as volunteering.ledger does):

    # cases/apps.py
    def ready(self):
        from members.home import register_community_figures, register_personal_section
        from .selectors import home
        register_community_figures("cases", home.community_figures)
        register_personal_section("cases", home.my_cases_section)

Three kinds of provider, each a constant number of queries whatever the size of the data:

- community figures `provider(*, community_ids, today) -> {community_id: [Figure, ...]}`: counted per
  community with aggregate queries. The secretary's home adds them up over the communities the secretary
  runs; the town supervisor's home shows them side by side, one row per community. Every figure links to
  the list it counts, filtered the same way.
- personal sections `provider(*, user, scope, person, today) -> HomeSection | None`: the member's and the
  officer's own work (next service item, assigned cases, the diary of the week …); None shows nothing.
- employer columns `provider(*, person_ids, year) -> EmployerColumns`: more columns of the liaison's list of
  its members (the year's service items and hours), for the members on the page shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse


@dataclass
class Figure:
    """One number of a home page, with the list it counts (`view` reversed, `query` its filters)."""

    key: str
    label: str
    count: int
    view: str = ""
    query: dict = field(default_factory=dict)
    # a number above zero is something to do (shown in red)
    alert: bool = False
    order: int = 100

    @property
    def url(self) -> str:
        if not self.view:
            return ""
        return reverse(self.view) + (f"?{urlencode(self.query)}" if self.query else "")


@dataclass
class HomeSection:
    """A block of a personal home page: `template` rendered with `context` (plus the page's own)."""

    key: str
    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


@dataclass
class EmployerColumns:
    headers: list[str]
    # person id -> one value per header
    values: dict[int, list] = field(default_factory=dict)
    order: int = 100


CommunityFiguresProvider = Callable[..., "dict[int, list[Figure]]"]
PersonalSectionProvider = Callable[..., "HomeSection | None"]
EmployerColumnsProvider = Callable[..., "EmployerColumns"]

_community_figures: dict[str, CommunityFiguresProvider] = {}
_personal_sections: dict[str, PersonalSectionProvider] = {}
_employer_columns: dict[str, EmployerColumnsProvider] = {}


def register_community_figures(key: str, provider: CommunityFiguresProvider) -> None:
    """Register (or replace) one provider of per-community figures. Idempotent per key."""
    _community_figures[key] = provider


def register_personal_section(key: str, provider: PersonalSectionProvider) -> None:
    _personal_sections[key] = provider


def register_employer_columns(key: str, provider: EmployerColumnsProvider) -> None:
    _employer_columns[key] = provider


def community_figures(community_ids: Iterable[int], *, today) -> dict[int, list[Figure]]:
    """Every registered figure of every community in `community_ids`, in display order."""
    ids = list(community_ids)
    merged: dict[int, list[Figure]] = {cid: [] for cid in ids}
    for provider in list(_community_figures.values()):
        for cid, figures in provider(community_ids=ids, today=today).items():
            if cid in merged:
                merged[cid].extend(figures)
    for figures in merged.values():
        figures.sort(key=lambda f: (f.order, f.key))
    return merged


def total_figures(per_community: dict[int, list[Figure]]) -> list[Figure]:
    """The figures added up over the communities. With one community its links keep its filter; over
    several, the list's own community filter is dropped (the list shows every community the user runs)."""
    totals: dict[str, Figure] = {}
    single = len(per_community) == 1
    for figures in per_community.values():
        for figure in figures:
            if figure.key not in totals:
                query = (
                    dict(figure.query)
                    if single
                    else {k: v for k, v in figure.query.items() if k != "community"}
                )
                totals[figure.key] = Figure(
                    figure.key, figure.label, 0, figure.view, query, figure.alert, figure.order
                )
            totals[figure.key].count += figure.count
    return sorted(totals.values(), key=lambda f: (f.order, f.key))


def personal_sections(*, user, scope, person, today) -> list[HomeSection]:
    sections = []
    for provider in list(_personal_sections.values()):
        section = provider(user=user, scope=scope, person=person, today=today)
        if section is not None:
            sections.append(section)
    return sorted(sections, key=lambda s: (s.order, s.key))


def employer_columns(*, person_ids: list[int], year: int) -> list[EmployerColumns]:
    return sorted(
        (provider(person_ids=person_ids, year=year) for provider in list(_employer_columns.values())),
        key=lambda c: c.order,
    )
