"""The editor's forms and the contexts the board renders them with."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from ... import document as d
from ...board import SINGULAR, entry_dom_id
from ...forms import ENTRY_FORMS, DocumentForm, FinancesForm, HeaderForm, ReadinessForm
from .state import State

# --- forms and their contexts --------------------------------------------------------


def _entry_form(
    block: str,
    state: State,
    *,
    row: Any | None = None,
    data: QueryDict | None = None,
    auto_id: str,
    stage: str | None = None,
) -> DocumentForm:
    cls = ENTRY_FORMS[block]
    kwargs: dict[str, Any] = {"auto_id": f"{auto_id}-%s"}
    if block in ("partners", "vendors"):
        # a name is either a partner or a vendor, once (SPEC §2)
        kwargs["taken_names"] = {
            r.name.casefold()
            for other in ("partners", "vendors")
            for r in state.rows[other]
            if row is None or other != block or r.pk != row.pk
        }
    elif block == "activities":
        kwargs["partner_names"] = [r.name for r in state.rows["partners"]]
        kwargs["vendor_names"] = [r.name for r in state.rows["vendors"]]
        kwargs["current"] = data.get("outsourced_to") if data is not None else None
        if data is None and row is not None:
            kwargs["current"] = row.outsourced_to
    if data is not None:
        return cls(data, **kwargs)
    initial: dict[str, Any] = {}
    if row is not None:
        initial = cls.initial_from(row.to_data())
        initial["version"] = row.version
    elif stage in d.STAGES:
        initial["stage"] = stage
    return cls(initial=initial, **kwargs)


def _edit_fc(state: State, block: str, row: Any, form: DocumentForm, **extra: Any) -> dict:
    url = f"{state.base_url}{block}/{row.pk}/"
    return {
        "form": form,
        "action": url,
        "target": f"#{entry_dom_id(block, pk=row.pk)}",
        "cancel_url": url,
        "title": f"Edit {SINGULAR[block]}",
        "submit": "Save",
        "conflict": None,
        **extra,
    }


def _add_fc(state: State, block: str, slot: str, form: DocumentForm, **extra: Any) -> dict:
    stage = slot.rsplit("-", 1)[-1] if block == "channels" and slot.startswith("add-") else ""
    if slot.startswith("add-"):
        cancel = f"{state.base_url}{block}/new/?cancel=1" + (f"&stage={stage}" if stage else "")
    else:  # re-adding an entry deleted meanwhile: cancel shows the block as it is now
        cancel = f"{state.base_url}{block}/{slot.rsplit('-', 1)[-1]}/"
    return {
        "form": form,
        "action": f"{state.base_url}{block}/?slot={slot}",
        "target": f"#{slot}",
        "cancel_url": cancel,
        "title": f"New {SINGULAR[block]}",
        "submit": f"Add {SINGULAR[block]}",
        "conflict": None,
        **extra,
    }


def _header_fc(state: State, form: HeaderForm | None = None, **extra: Any) -> dict:
    venture = state.canvas.venture
    if form is None:
        form = HeaderForm(
            initial={**state.doc.venture.model_dump(), "version": venture.version},
            auto_id="venture-%s",
        )
    return {
        "form": form,
        "action": f"{state.base_url}header/",
        "target": "#venture",
        "cancel_url": f"{state.base_url}header/",
        "title": "Venture details",
        "submit": "Save details",
        "conflict": None,
        **extra,
    }


def _finances_fc(state: State, form: FinancesForm | None = None, **extra: Any) -> dict:
    if form is None:
        initial = state.doc.finances.model_dump()
        initial["version"] = state.canvas.finances_version
        form = FinancesForm(initial=initial, auto_id="finances-%s")
    return {
        "form": form,
        "action": f"{state.base_url}finances/",
        "target": "#finances",
        "cancel_url": f"{state.base_url}finances/",
        "title": "Finances",
        "submit": "Save finances",
        "conflict": None,
        **extra,
    }


def _readiness_fc(state: State, form: ReadinessForm | None = None, **extra: Any) -> dict:
    if form is None:
        initial = ReadinessForm.initial_from(state.doc.readiness.model_dump())
        initial["version"] = state.canvas.readiness_version
        form = ReadinessForm(initial=initial, auto_id="readiness-%s")
    return {
        "form": form,
        "action": f"{state.base_url}readiness/",
        "target": "#readiness",
        "cancel_url": f"{state.base_url}readiness/",
        "title": "Operational readiness",
        "submit": "Save answers",
        "conflict": None,
        **extra,
    }


def _reapply(data: QueryDict, version: int) -> QueryDict:
    """The person's posted values with the current version: submitting them re-applies."""
    copy = data.copy()
    copy["version"] = str(version)
    return copy


def _conflict(kind: str, *, deleted: bool = False) -> dict[str, Any]:
    if deleted:
        return {
            "title": f"This {kind} was deleted meanwhile.",
            "text": "Someone removed it in another tab or session. Your values are below: add "
            "it again with them, or cancel to let it go.",
            "current": False,
        }
    return {
        "title": f"This {kind} changed meanwhile.",
        "text": "Someone saved it in another tab or session after you opened it, so your "
        "changes were not saved. The saved values are shown here; your own are in the form: "
        "re-apply them, or cancel to keep what is saved.",
        "current": True,
    }
