"""Wagtail hook: publishing an exchange reserves its seats per invited unit.

Imported from staff/wagtail_hooks.py (``from . import hooks_exchange  # noqa: F401``) so that it
registers with Wagtail like the other admin modules.
"""

from __future__ import annotations

from wagtail import hooks

from courses.models import ExchangePage

from .services.exchange_seats import exchange_reserve_seats


@hooks.register("after_publish_page")
def reserve_seats_of_published_exchange(request, page) -> None:
    # The invited units or the seats per unit may have changed with this revision: set them again.
    specific = page.specific
    if isinstance(specific, ExchangePage):
        exchange_reserve_seats(page=specific)
