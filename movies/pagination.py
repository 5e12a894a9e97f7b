"""Pagination that never answers 404 for a page number readers or crawlers made up."""


class ForgivingPaginationMixin:
    """For ListView: a bad ?page= shows the first page, one past the end the last
    (Django's Paginator.get_page), instead of ListView's 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()
