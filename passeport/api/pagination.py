"""Pagination of the API.

- Page pagination (`page`, `page_size` ≤ 50) for the persons list: the answer has the
  total `count` and the number of `pages`; a page beyond the last one is empty.
- Cursor pagination for what grows over time (timeline events, access log): newest
  first; the answer's `next_cursor` is passed back as `cursor` to get the older items.
  The cursor is an opaque string (the (date, id) key of the last item shown), so that
  items added meanwhile never shift or repeat the pages.
"""

from __future__ import annotations

import base64
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from passeport.core.errors import PasseportError

# The highest page number accepted (beyond, a clear 422 rather than an offset that
# overflows the database's integers).
MAX_PAGE = 100_000


def encode_cursor(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, pk = raw.split("|")
        value = datetime.fromisoformat(at)
        if value.tzinfo is None:
            raise ValueError("naive")
        return value, int(pk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PasseportError(_("Curseur de pagination invalide."), code="invalid_cursor",
                             field="cursor") from exc


def keyset_page(qs: QuerySet, *, time_field: str, cursor: str | None, limit: int
                ) -> tuple[list, str | None]:
    """Newest first by (`time_field`, id); returns the items and the next cursor."""
    key = decode_cursor(cursor)
    qs = qs.order_by(f"-{time_field}", "-id")
    if key is not None:
        at, pk = key
        qs = qs.filter(Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "id__lt": pk}))
    items = list(qs[: limit + 1])
    return page_with_cursor(items, time_field=time_field, limit=limit)


def page_with_cursor(items: list, *, time_field: str, limit: int) -> tuple[list, str | None]:
    """`items` holds up to limit + 1 rows: the extra one tells that there is a next page."""
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        return items, encode_cursor(getattr(last, time_field), last.pk)
    return items, None
