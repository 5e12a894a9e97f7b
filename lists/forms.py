from django import forms
from django_countries import countries

from movies.models import Provider


class ServicesForm(forms.Form):
    country = forms.ChoiceField(
        label="Country you watch in",
        choices=[("", "Use my browser's country"), *countries],
        required=False,
    )
    providers = forms.ModelMultipleChoiceField(
        label="Services you have",
        queryset=Provider.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
