"""Documents: where claims were reported."""

from django.db import models
from simple_history.models import HistoricalRecords

from .base import TrackedModel

__all__ = ["Document"]


class Document(TrackedModel):
    """A report that carries claims: an article, a briefing transcript, a post.

    ``text`` holds the full text when it is available; every claim's quote must then
    occur in it. ``url`` identifies the document when present (two documents never
    share one).
    """

    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    byline = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, default="en", blank=True)
    text = models.TextField(blank=True)
    retrieved_at = models.DateTimeField(null=True, blank=True)
    archive_url = models.URLField(max_length=1000, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_at", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"],
                condition=~models.Q(url=""),
                name="document_url_unique",
                violation_error_message="A document with this URL already exists.",
            ),
        ]

    constraint_fields = {"document_url_unique": "url"}

    def __str__(self) -> str:
        return self.title
