"""Pagination that never answers 404 for a page number readers or crawlers made up, and
keyset ("next page") pagination for long lists whose deep pages OFFSET would make slow."""

import re

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most CAP rows (COUNT over a LIMIT subquery), so the count costs the same
    for 20,000 films or 2,000,000: `count` is then CAP and `capped` true ("5,000+
    films"), and the pages stop at the CAP-th row; filters narrow the rest."""

    CAP = 5_000

    @cached_property
    def count(self):
        rows = self.object_list
        if isinstance(rows, list):
            counted = len(rows[: self.CAP + 1])
        else:
            rows = rows.order_by()  # any CAP + 1 rows will do: no sort to count them
            counted = rows[: self.CAP + 1].count()
        self.capped = counted > self.CAP
        return min(counted, self.CAP)

    capped = False


class ForgivingPaginationMixin:
    """For ListView: a bad ?page= shows the first page, one past the end the last
    (Django's Paginator.get_page), instead of ListView's 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


def whole_id(text) -> int | None:
    """A cursor's row id from the query string: "123" -> 123; anything else -> None."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def keyset_after(model, order, row: dict) -> BooleanField:
    """The condition "comes after `row` in `order`" for keyset ("next page") pagination:
    `order` is a QuerySet ordering ("-helpful_count", "-created_at", "-pk"), `row` the
    cursor row's values of those fields. A row comparison, (a, b, c) < (x, y, z), which
    an index in the same order answers with a range scan at any depth (OFFSET reads
    every row before the page). When the first field runs the other way from the rest
    ("rating", "-helpful_count", "-pk"): a range on it, then the row comparison on the
    rest among equals."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [key.lstrip("-") for key in order]
    fields = [model._meta.pk if name == "pk" else model._meta.get_field(name) for name in names]
    columns = [f"{table}.{quote(field.column)}" for field in fields]
    values = [
        field.get_db_prep_value(row[name], connection)
        for field, name in zip(fields, names, strict=True)
    ]
    descending = [key.startswith("-") for key in order]

    def compare(first, stop=None):
        op = "<" if descending[first] else ">"
        cols, vals = columns[first:stop], values[first:stop]
        marks = ", ".join(["%s"] * len(vals))
        return f"({', '.join(cols)}) {op} ({marks})", vals

    if len(set(descending)) == 1:
        sql, params = compare(0)
    else:
        if len(set(descending[1:])) != 1:
            raise ValueError(f"keyset_after: {order} changes direction more than once")
        bound = "<=" if descending[0] else ">="
        strict, strict_params = compare(0, 1)
        rest, rest_params = compare(1)
        sql = f"{columns[0]} {bound} %s AND ({strict} OR ({columns[0]} = %s AND {rest}))"
        params = [values[0], *strict_params, values[0], *rest_params]
    return RawSQL(sql, params, output_field=BooleanField())
