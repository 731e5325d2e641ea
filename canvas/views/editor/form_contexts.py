"""The editor's forms and the contexts the board renders them with.

A ``FormContext`` is what the board's form partials read (``fc.form``, ``fc.action``,
``fc.target``, ``fc.cancel_url``, ``fc.title``, ``fc.submit``, ``fc.conflict``); the views
put it in ``open_forms`` under the id of the element it replaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from ... import document as d
from ...board import SINGULAR, entry_dom_id
from ...forms import ENTRY_FORMS, DocumentForm
from .state import State


@dataclass(frozen=True)
class Conflict:
    """Why a form came back with a note: the part changed (``current``: the saved values
    are shown above the form) or was deleted meanwhile."""

    title: str
    text: str
    current: bool


@dataclass(frozen=True)
class FormContext:
    """A form as the board shows it: where it posts, what it replaces, how it is cancelled."""

    form: DocumentForm
    action: str
    target: str
    cancel_url: str
    title: str
    submit: str
    conflict: Conflict | None = None


def entry_form(
    block: str,
    state: State,
    *,
    row: Any | None = None,
    data: QueryDict | None = None,
    auto_id: str,
    stage: str | None = None,
) -> DocumentForm:
    """The form of an entry of ``block``: blank (``stage`` for a channel's lane), the saved
    ``row``, or posted ``data``; with the names it must check against."""
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


def edit_form_context(
    state: State,
    block: str,
    row: Any,
    form: DocumentForm,
    *,
    conflict: Conflict | None = None,
    submit: str = "Save",
) -> FormContext:
    """An entry's edit form, in place of the entry."""
    url = reverse("entry", args=(state.slug, block, row.pk))
    return FormContext(
        form=form,
        action=url,
        target=f"#{entry_dom_id(block, pk=row.pk)}",
        cancel_url=url,
        title=f"Edit {SINGULAR[block]}",
        submit=submit,
        conflict=conflict,
    )


def add_form_context(
    state: State, block: str, slot: str, form: DocumentForm, *, conflict: Conflict | None = None
) -> FormContext:
    """The add form of ``block`` in its add slot (``add-partners``, ``add-channels-get``), or
    in the place of an entry deleted meanwhile (``partner-12``) to add it again."""
    if slot.startswith("add-"):
        query = {"cancel": 1}
        if block == "channels":
            query["stage"] = slot.rsplit("-", 1)[-1]
        cancel = reverse("entry_new", args=(state.slug, block)) + "?" + urlencode(query)
    else:  # re-adding an entry deleted meanwhile: cancel shows the block as it is now
        cancel = reverse("entry", args=(state.slug, block, int(slot.rsplit("-", 1)[-1])))
    action = reverse("entry_create", args=(state.slug, block)) + "?" + urlencode({"slot": slot})
    return FormContext(
        form=form,
        action=action,
        target=f"#{slot}",
        cancel_url=cancel,
        title=f"New {SINGULAR[block]}",
        submit=f"Add {SINGULAR[block]}",
        conflict=conflict,
    )


def reapply(data: QueryDict, version: int) -> QueryDict:
    """The person's posted values with the current version: submitting them re-applies."""
    copy = data.copy()
    copy["version"] = str(version)
    return copy


def changed_meanwhile(kind: str, *, title: str = "") -> Conflict:
    """The note of a form whose part someone saved after it was opened (409)."""
    return Conflict(
        title=title or f"This {kind} changed meanwhile.",
        text="Someone saved it in another tab or session after you opened it, so your "
        "changes were not saved. The saved values are shown here; your own are in the form: "
        "re-apply them, or cancel to keep what is saved.",
        current=True,
    )


def deleted_meanwhile(kind: str) -> Conflict:
    """The note of a form whose entry someone deleted after it was opened."""
    return Conflict(
        title=f"This {kind} was deleted meanwhile.",
        text="Someone removed it in another tab or session. Your values are below: add "
        "it again with them, or cancel to let it go.",
        current=False,
    )
