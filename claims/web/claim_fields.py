"""Fields a claim's forms share: the intake page's proposed claims
(``claims.web.intake``) and the new-claim form (``claims.web.new_claim``).

- ``StatedOnFields``: the date the claim was stated and its precision, read as the
  model reads them (a date alone is a day; a precision needs a date), checked
  before anything is stored by ``check_stated_on``.
- ``NewSourceFields``: a source named beside the stored ones, its name and kind,
  both needed when it is chosen (``check_new_source``).

Each is a form to inherit from with another (``class F(StatedOnFields,
NewSourceFields)``); the form says when its checks apply (the intake page: only for
a checked row) by calling them from its ``clean``.
"""

from __future__ import annotations

from django import forms

from claims.choices import DatePrecision, SourceKind
from claims.models import Source

#: A precision left empty: a date alone is a day's; no date, no precision.
NO_PRECISION = ("", "(a day, if dated)")
PRECISION_NEEDS_DATE = (
    "A precision (%(precision)s) needs a date: give the date, or leave the "
    "precision empty."
)
NEW_SOURCE_NEEDS = {
    "new_source_name": "A new source needs a name.",
    "new_source_kind": "Say what kind of source it is.",
}


class StatedOnFields(forms.Form):
    stated_on = forms.DateField(
        required=False,
        label="Stated on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    stated_on_precision = forms.ChoiceField(
        required=False,
        choices=[NO_PRECISION, *DatePrecision.choices],
        label="Precision",
    )

    def check_stated_on(self) -> None:
        """A precision without a date is refused beside the precision (a date
        that could not be read has its own error already)."""
        data = self.cleaned_data
        precision = data.get("stated_on_precision")
        if (
            precision
            and data.get("stated_on") is None
            and "stated_on" not in self.errors
        ):
            self.add_error(
                "stated_on_precision",
                forms.ValidationError(
                    PRECISION_NEEDS_DATE,
                    code="precision_without_date",
                    params={"precision": DatePrecision(precision).label.lower()},
                ),
            )


class NewSourceFields(forms.Form):
    new_source_name = forms.CharField(
        required=False,
        max_length=Source._meta.get_field("name").max_length,
        label="New source",
        help_text="Its name, when it is not stored yet.",
    )
    new_source_kind = forms.ChoiceField(
        required=False,
        choices=[("", "---------"), *SourceKind.choices],
        label="New source's kind",
    )

    def check_new_source(self) -> None:
        """A new source chosen needs its name and its kind, each refused beside
        its field (unless it has an error already)."""
        for name, reason in NEW_SOURCE_NEEDS.items():
            value = self.cleaned_data.get(name)
            if name not in self.errors and not (value or "").strip():
                self.add_error(name, reason)
