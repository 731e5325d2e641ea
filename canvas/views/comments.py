"""Comment threads in the margin of the canvas.

Founders and advisors comment on a block or on one entry of it, and reply; founders resolve a
thread and can reopen it. Cohort staff and outsiders see no comments (404): the threads are
the venture's conversation with its advisors. Comments are plain text, escaped wherever they
are shown. Advisors' open comments also go to the PDF's review appendix (canvas/views/exports).

- ``GET  /ventures/<slug>/comments/<block>/``: the block's threads (htmx: the panel fragment)
- ``POST /ventures/<slug>/comments/<block>/``: start a thread (``body``, optional ``entry``)
- ``POST /ventures/<slug>/comments/<id>/reply/``: reply in a thread
- ``POST /ventures/<slug>/comments/<id>/resolve/`` and ``.../reopen/``: founders only
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .. import document as d
from ..board import entry_dom_id
from ..http import HtmxHttpRequest
from ..models import ENTRY_MODELS, Comment, Membership, Venture, ensure_canvas, log
from ..permissions import member_venture, role_for
from ..review import entry_marker, open_comments

BLOCK_TITLES = d.BLOCK_TITLES  # the blocks a comment can be about (Comment.BLOCKS)
BLOCKS = tuple(BLOCK_TITLES)


def _who(user) -> str:
    if user is None:
        return "Someone"
    return user.get_full_name() or user.email or user.get_username()


def _where(block: str, entry_name: str) -> str:
    """What a comment is about, for the activity log: the block, and the entry if any."""
    return BLOCK_TITLES[block] + (f" — {entry_name}" if entry_name else "")


def _entries(venture: Venture, block: str) -> list[tuple[int, str]]:
    """(pk, name) of the block's entries, in canvas order; none for finances/readiness."""
    model = ENTRY_MODELS.get(block)
    if model is None:
        return []
    name_field = "channel" if block == "channels" else "name"
    rows = model.objects.filter(canvas__venture=venture).order_by("position", "id")
    return list(rows.values_list("pk", name_field))


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=d.MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write something before sending."},
    )
    entry = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, block: str, entries: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.entry_names = dict(entries)
        self.fields["entry"].choices = [("", f"{BLOCK_TITLES[block]} as a whole")] + [
            (pk, name[:80]) for pk, name in entries
        ]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply",
        max_length=d.MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write something before sending."},
    )


def _threads(venture: Venture, block: str) -> tuple[list[Comment], list[Comment]]:
    """(open, resolved) threads of a block, with replies, authors and their roles
    (3 queries)."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    threads = list(
        Comment.objects.filter(canvas__venture=venture, block=block, parent__isnull=True)
        .select_related("author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("created_at", "id")
    )
    roles = dict(Membership.objects.filter(venture=venture).values_list("user_id", "role"))
    for thread in threads:
        for comment in (thread, *thread.replies.all()):
            comment.author_role = roles.get(comment.author_id, "")
    return (
        [t for t in threads if t.resolved_at is None],
        [t for t in threads if t.resolved_at is not None],
    )


def _context(
    venture: Venture,
    role: str | None,
    block: str,
    *,
    form: CommentForm | None = None,
    reply_forms: dict[int, ReplyForm] | None = None,
) -> dict[str, Any]:
    open_threads, resolved = _threads(venture, block)
    entries = _entries(venture, block)
    return {
        "venture": venture,
        "slug": venture.slug,
        "role": role,
        "is_founder": role == Membership.FOUNDER,
        "block": block,
        "block_title": BLOCK_TITLES[block],
        "open_threads": open_threads,
        "resolved_threads": resolved,
        "form": form or CommentForm(block=block, entries=entries),
        "reply_forms": reply_forms or {},
        "count": len(open_threads),
        "max_text": d.MAX_TEXT,
    }


def _panel(request, ctx: dict[str, Any], *, status: int = 200, oob_count: bool = False):
    """The thread panel: a fragment for htmx (plus the block's count, out of band), the
    full page otherwise."""
    if not request.htmx:
        return render(request, "canvas/_comments.html", ctx, status=status)
    html = render_to_string("canvas/_comments.html#panel", ctx, request=request).strip()
    if oob_count:
        html += render_to_string(
            "canvas/_comments.html#count",
            {**ctx, "comment_counts": {ctx["block"]: ctx["count"]}, "oob": True},
            request=request,
        )
        html += _entry_markers(ctx["venture"], ctx["block"])
    return HttpResponse(html, status=status)


def _entry_markers(venture: Venture, block: str) -> str:
    """The block's entry markers, out of band: the canvas shows the new counts at once."""
    entries = _entries(venture, block)
    if not entries:
        return ""
    counts = open_comments(venture.pk)
    marker = get_template("canvas/_board.html#comment-marker")
    return "".join(
        marker.render(
            {
                "oob": True,
                "item": {
                    "dom_id": entry_dom_id(block, pk=pk),
                    "name": name,
                    "comments": entry_marker(venture.slug, block, pk, counts),
                },
            }
        )
        for pk, name in entries
    )


def _check_block(block: str) -> None:
    if block not in BLOCK_TITLES:
        raise Http404("No such block")


def _back(venture: Venture, block: str, anchor: str = "") -> HttpResponseRedirect:
    url = f"/ventures/{venture.slug}/comments/{block}/"
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""), status=303)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comments(request: HtmxHttpRequest, slug: str, block: str) -> HttpResponse:
    """A block's threads; POST starts a new thread (founders and advisors)."""
    venture = member_venture(request.user, slug)
    _check_block(block)
    role = role_for(request.user, venture)
    if request.method != "POST":
        return _panel(request, _context(venture, role, block))
    entries = _entries(venture, block)
    form = CommentForm(request.POST, block=block, entries=entries)
    if not form.is_valid():
        return _panel(request, _context(venture, role, block, form=form), status=422)
    entry_id = form.cleaned_data["entry"]
    entry_name = form.entry_names.get(entry_id, "") if entry_id else ""
    comment = Comment.objects.create(
        canvas=ensure_canvas(venture),
        author=request.user,
        block=block,
        entry_id=entry_id,
        entry_name=entry_name,
        body=form.cleaned_data["body"],
    )
    where = _where(block, entry_name)
    log(comment.canvas, request.user, "comment_added", f"{_who(request.user)} commented on {where}")
    if not request.htmx:
        return _back(venture, block, f"comment-{comment.pk}")
    return _panel(request, _context(venture, role, block), oob_count=True)


def _thread(request: HtmxHttpRequest, slug: str, pk: int) -> tuple[Venture, str | None, Comment]:
    venture = member_venture(request.user, slug)
    thread = get_object_or_404(
        Comment.objects.select_related("canvas", "author"),
        pk=pk,
        canvas__venture=venture,
        parent__isnull=True,
    )
    return venture, role_for(request.user, venture), thread


@login_required
@require_POST
def reply(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """Reply in an open thread (founders and advisors)."""
    venture, role, thread = _thread(request, slug, pk)
    form = ReplyForm(request.POST)
    if thread.resolved_at is not None:
        form.is_valid()
        form.add_error(None, "This thread is resolved. A founder can reopen it to continue.")
        ctx = _context(venture, role, thread.block, reply_forms={thread.pk: form})
        return _panel(request, ctx, status=409)
    if not form.is_valid():
        ctx = _context(venture, role, thread.block, reply_forms={thread.pk: form})
        return _panel(request, ctx, status=422)
    Comment.objects.create(
        canvas=thread.canvas,
        author=request.user,
        block=thread.block,
        entry_id=thread.entry_id,
        entry_name=thread.entry_name,
        parent=thread,
        body=form.cleaned_data["body"],
    )
    where = _where(thread.block, thread.entry_name)
    log(thread.canvas, request.user, "comment_added", f"{_who(request.user)} replied on {where}")
    if not request.htmx:
        return _back(venture, thread.block, f"comment-{thread.pk}")
    return _panel(request, _context(venture, role, thread.block), oob_count=True)


def _set_resolved(request: HtmxHttpRequest, slug: str, pk: int, resolved: bool) -> HttpResponse:
    venture, role, thread = _thread(request, slug, pk)
    if role != Membership.FOUNDER:
        raise Http404("Only founders resolve threads")
    if (thread.resolved_at is not None) != resolved:
        thread.resolved_at = timezone.now() if resolved else None
        thread.resolved_by = request.user if resolved else None
        # The whole thread, replies included, so "open comments" is one simple filter
        # (the PDF appendix, for one, lists unresolved comments).
        Comment.objects.filter(Q(pk=thread.pk) | Q(parent=thread)).update(
            resolved_at=thread.resolved_at, resolved_by=thread.resolved_by
        )
        where = _where(thread.block, thread.entry_name)
        action = "comment_resolved" if resolved else "comment_reopened"
        verb = "resolved" if resolved else "reopened"
        author = _who(thread.author) if thread.author_id else "someone"
        log(
            thread.canvas,
            request.user,
            action,
            f"{_who(request.user)} {verb} {author}'s comment on {where}",
        )
    if not request.htmx:
        return _back(venture, thread.block, f"comment-{thread.pk}")
    return _panel(request, _context(venture, role, thread.block), oob_count=True)


@login_required
@require_POST
def resolve(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A founder marks a thread resolved."""
    return _set_resolved(request, slug, pk, True)


@login_required
@require_POST
def reopen(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A founder reopens a resolved thread."""
    return _set_resolved(request, slug, pk, False)
