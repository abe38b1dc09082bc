"""Forms of the reviewer pages."""

import datetime

from django import forms
from django.utils import timezone

from claims import timeline
from claims.models import Review, Source, Topic


def moment_from_text(text) -> datetime.datetime | None:
    """A moment from ``text`` (``timeline.parse_moment``, in the site's time zone)."""
    return timeline.parse_moment(text, timezone.get_current_timezone())


class ReviewForm(forms.ModelForm):
    """A reviewer's judgement; validated by the model, like the admin and the API."""

    class Meta:
        model = Review
        fields = ["attribution_status", "credibility", "rationale"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 4}),
            "attribution_status": forms.RadioSelect,
            "credibility": forms.RadioSelect,
        }
        help_texts = {"rationale": "Say why: what you checked and against what."}
        error_messages = {
            "attribution_status": {
                "required": "Choose whether the source really said this.",
            },
            "credibility": {"required": "Choose how credible the information is."},
            "rationale": {"required": "A review needs its rationale."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A required choice offers no empty one, and none is picked for the reviewer.
        for name in ("attribution_status", "credibility"):
            field = self.fields[name]
            field.choices = [(v, label) for v, label in field.choices if v != ""]


class QueueFilterForm(forms.Form):
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        empty_label="All topics",
    )
    source = forms.ModelChoiceField(
        queryset=Source.objects.order_by("name"),
        required=False,
        empty_label="All sources",
        help_text="Includes the sources under it.",
    )


class MomentField(forms.Field):
    """What was known when: a date (its end, in the site's time zone) or a
    date-time, read by ``moment_from_text``."""

    default_error_messages = {
        "invalid": "Give a date (YYYY-MM-DD, meaning its end) or a date-time."
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        moment = moment_from_text(value)
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class WindowForm(forms.Form):
    """The measure page's choices: the comparison's date T, what was known when,
    and the window of figure dates."""

    at = forms.DateField(
        required=False,
        label="At",
        help_text="Figures dated after this day are not considered.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    known_at = MomentField(
        required=False,
        label="Known at",
        help_text="Only what was published by the end of this day.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    as_of_after = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    as_of_before = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        after, before = data.get("as_of_after"), data.get("as_of_before")
        if after and before and after > before:
            raise forms.ValidationError("The window's start is after its end.")
        return data
