"""Forms of the canvas editor.

Django forms give each field its label, widget and error; the entry itself is then validated
by the pydantic models of ``canvas/document.py``, so a rule of the document (non-empty names,
vocabularies, the 2,000-character limit, no duplicate tags) is written once. ``form.entry`` is
the validated document entry after ``is_valid()``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from pydantic import BaseModel, ValidationError

from . import document as d


def _name(label: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=d.MAX_TEXT,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **kwargs,
    )


def _text(label: str, rows: int = 2, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=d.MAX_TEXT,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


def _select(label: str, vocabulary: dict[str, str], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=d.choice_list(vocabulary), **kwargs)


def _unset_select(label: str, vocabulary: dict[str, str], unset: str, **kwargs: Any):
    """A choice that starts unset: "Not yet rated" / "Not yet assessed" is an explicit,
    first choice, and the document gets null for it. Nothing is pre-filled for a founder."""
    return forms.ChoiceField(
        label=label, choices=[("", unset), *d.choice_list(vocabulary)], required=False, **kwargs
    )


def _amount(label: str, **kwargs: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs={"min": "0", "step": "any", "inputmode": "decimal"}),
        error_messages={"min_value": "Enter a number of 0 or more."},
        **kwargs,
    )


def _field_of(path: str) -> str | None:
    """Document path within one entry ('relevance.rating', 'tags.2') -> form field name."""
    parts = path.split(".") if path else []
    if not parts:
        return None
    if parts[0] in d.TESTS and len(parts) > 1:
        return f"{parts[0]}_{parts[1]}"
    return parts[0]


class DocumentForm(forms.Form):
    """A form whose cleaned data is checked by a pydantic model of the document."""

    schema: ClassVar[type[BaseModel]]
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def document_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """Cleaned form data -> the document's shape for this part."""
        return {k: v for k, v in cleaned.items() if k != "version"}

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        """The document's shape -> form initial values."""
        return dict(data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.entry = self.schema.model_validate(self.document_data(cleaned))
        except ValidationError as exc:
            for problem in d.problems_from(exc):
                field = _field_of(problem.path)
                message = problem.message[:1].upper() + problem.message[1:] + "."
                self.add_error(field if field in self.fields else None, message)
        return cleaned

    @property
    def posted_version(self) -> int:
        return (self.cleaned_data.get("version") if hasattr(self, "cleaned_data") else None) or 0


class ChannelForm(DocumentForm):
    schema = d.Channel
    channel = _name("Channel", help_text="What you do to reach or support people.")
    stage = _select("Stage", d.STAGES)
    relationship = _text("Relationship", help_text="The kind of relationship it builds.")
    route = _select("Route", d.ROUTES)
    mode = forms.ChoiceField(
        label="Mode", choices=[("", "Not set"), *d.choice_list(d.MODES)], required=False
    )
    tags = forms.MultipleChoiceField(
        label="Tags",
        choices=d.choice_list(d.TAGS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def document_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        data = super().document_data(cleaned)
        data["mode"] = data.get("mode") or None
        chosen = set(data.get("tags") or ())
        data["tags"] = [tag for tag in d.TAGS if tag in chosen]
        return data


class PartnerForm(DocumentForm):
    schema = d.Partner
    name = _name("Name")
    partner_type = _select("Type", d.PARTNER_TYPES)
    strategic_value = _text("Strategic value", help_text="What they bring that you cannot.")
    what_would_be_lost = _text("What would be lost", help_text="If the relationship ended.")
    recovery_time = _unset_select(
        "Recovery time",
        d.RECOVERY_TIMES,
        d.NOT_ASSESSED,
        help_text="How long to recover if it ended tomorrow.",
    )
    replacement_cost = _unset_select(
        "Replacement cost",
        d.REPLACEMENT_COSTS,
        d.NOT_ASSESSED,
        help_text="The strategic cost of that loss.",
    )

    def __init__(self, *args: Any, taken_names: set[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # casefolded names of the other partners and of the vendors
        self.taken_names = taken_names or set()

    def clean_name(self) -> str:
        return _distinct_name(self.cleaned_data["name"], self.taken_names)

    def document_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        data = super().document_data(cleaned)
        for key in ("recovery_time", "replacement_cost"):
            data[key] = data.get(key) or None
        return data


def _distinct_name(name: str, taken: set[str]) -> str:
    if name.casefold() in taken:
        raise forms.ValidationError(
            "Another partner or vendor already has this name (names are compared ignoring "
            "case). Give each a distinct name."
        )
    return name


class VendorForm(DocumentForm):
    schema = d.Vendor
    name = _name("Name")
    service = _text("Service", help_text="The commodity service they provide.")

    def __init__(self, *args: Any, taken_names: set[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.taken_names = taken_names or set()  # casefolded partner and other vendor names

    def clean_name(self) -> str:
        return _distinct_name(self.cleaned_data["name"], self.taken_names)


class ActivityForm(DocumentForm):
    schema = d.Activity
    name = _name("Activity")
    relevance_rating = _unset_select("Relevance", d.RATINGS, d.NOT_RATED)
    relevance_rationale = _text("Why (relevance)")
    imitation_rating = _unset_select("Difficulty of imitation", d.RATINGS, d.NOT_RATED)
    imitation_rationale = _text("Why (difficulty of imitation)")
    breadth_rating = _unset_select("Breadth of application", d.RATINGS, d.NOT_RATED)
    breadth_rationale = _text("Why (breadth of application)")
    declared_core = forms.BooleanField(label="We declare this activity core", required=False)
    outsourced_to = forms.ChoiceField(
        label="Outsourced to",
        required=False,
        help_text="The partner or vendor who does it instead, if it is not done in-house.",
    )

    def __init__(
        self,
        *args: Any,
        partner_names: list[str] | tuple[str, ...] = (),
        vendor_names: list[str] | tuple[str, ...] = (),
        current: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", "Nobody: done in-house")]
        if partner_names:
            choices.append(("Partners", [(n, n) for n in partner_names]))
        if vendor_names:
            choices.append(("Vendors", [(n, n) for n in vendor_names]))
        known = {n.casefold() for n in (*partner_names, *vendor_names)}
        if current and current.casefold() not in known:
            choices.append((current, f"{current} (not a partner or vendor on this canvas)"))
        self.fields["outsourced_to"].choices = choices

    def document_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        data = {
            "name": cleaned["name"],
            "declared_core": bool(cleaned.get("declared_core")),
            "outsourced_to": cleaned.get("outsourced_to") or None,
        }
        for test in d.TESTS:
            data[test] = {
                "rating": cleaned.get(f"{test}_rating") or None,
                "rationale": cleaned.get(f"{test}_rationale", ""),
            }
        return data

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in data.items() if k not in d.TESTS}
        initial["outsourced_to"] = data.get("outsourced_to") or ""
        for test in d.TESTS:
            initial[f"{test}_rating"] = data[test]["rating"] or ""
            initial[f"{test}_rationale"] = data[test]["rationale"]
        return initial


class ResourceForm(DocumentForm):
    schema = d.Resource
    name = _name("Resource")
    category = _select("Category", d.CATEGORIES)
    why_strategic = _text("Why it is strategic")
    risk_if_lost = _text("Risk if lost")
    replacement_months = _amount("Months to replace", help_text="Leave empty if unknown.")


class HeaderForm(DocumentForm):
    schema = d.Venture
    name = _name("Venture name")
    solution_type = _select("Solution type", d.SOLUTION_TYPES)
    market_stage = _select("Market stage", d.MARKET_STAGES)
    revenue_model = _select("Revenue model", d.REVENUE_MODELS)


class FinancesForm(DocumentForm):
    schema = d.Finances
    cash_on_hand = _amount("Cash on hand")
    monthly_burn = _amount("Monthly burn")
    currency = forms.CharField(
        label="Currency",
        max_length=3,
        min_length=3,
        initial="USD",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": "4"}),
    )
    next_milestone = forms.CharField(
        label="Next fundable milestone",
        max_length=d.MAX_TEXT,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="What the cash must reach: the result an investor will fund next.",
    )
    months_to_milestone = _amount(
        "Months to the milestone", help_text="Leave empty if you cannot yet say."
    )

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not answered")]
_ANSWER_VALUES = {"yes": True, "no": False, "": None}


class ReadinessForm(DocumentForm):
    schema = d.Readiness

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for question, text in d.READINESS_QUESTIONS.items():
            self.fields[question] = forms.ChoiceField(
                label=text, choices=ANSWER_CHOICES, required=False, widget=forms.RadioSelect
            )

    def document_data(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        return {q: _ANSWER_VALUES[cleaned.get(q) or ""] for q in d.READINESS_QUESTIONS}

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        words = {True: "yes", False: "no", None: ""}
        return {q: words[data.get(q)] for q in d.READINESS_QUESTIONS}


ENTRY_FORMS: dict[str, type[DocumentForm]] = {
    "channels": ChannelForm,
    "partners": PartnerForm,
    "vendors": VendorForm,
    "activities": ActivityForm,
    "resources": ResourceForm,
}
