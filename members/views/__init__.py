"""Server-rendered pages of the members app: phone-first, in Chinese.

Every view here keeps four rules:
- `@page` on every view: login, the forced change of an initial password, and (office=True) the
  office-only 403 page;
- every object comes from `Model.objects.visible_to(request.user)`, so another community's object is a 404;
- every write goes through `members.services` (or `members.roster` / `members.letters`, imported lazily);
- a `DomainError` raised by a service is shown on the page as a message or form errors; nothing is saved.

List pages run a constant number of queries whatever the page size (select_related, prefetch, annotate).
One module per area: `people` (花名册), `registration` (报到), `officer` (信息员), `zone` (责任区),
`dashboard` (home) and `accounts`; `base` holds the plumbing they share.
"""

from .accounts import LoginView, LogoutView, PasswordChangeView
from .dashboard import home

__all__ = ["LoginView", "LogoutView", "PasswordChangeView", "home"]
