"""Forms of the reviewer pages."""

from django import forms

from claims.models import Review, Source, Topic


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


class WindowForm(forms.Form):
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
