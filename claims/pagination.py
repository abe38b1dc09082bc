"""Pagination whose row count comes from the cache (claims.caching.cached_count)."""

from functools import cached_property

from django.core.paginator import Paginator

from claims.caching import cached_count


class CachedCountPaginator(Paginator):
    """Django's Paginator, counting a queryset's rows once per state of the data."""

    @cached_property
    def count(self) -> int:
        if hasattr(self.object_list, "query"):
            return cached_count(self.object_list)
        return super().count
