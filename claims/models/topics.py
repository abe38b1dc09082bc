"""Topics: the stories and questions that group claims and measures."""

from django.db import models
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from .base import TrackedModel

__all__ = ["Topic"]


class Topic(TrackedModel):
    """A story or question, such as "North Korean troops in Russia"."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    history = HistoricalRecords()

    constraint_fields = {"topic_name_unique": "name"}

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="topic_name_unique",
                violation_error_message="A topic with this name already exists.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
