"""Data model. The model <-> document mapping lives here, once each way:
``Canvas.to_document()`` and ``save_document()``.

Permission scopes are queryset methods (``Venture.objects.visible_to(user)``,
``editable_by(user)``, ``Cohort.objects.visible_to(user)``) so that every view
starts from what the signed-in person may see.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from . import document as d
from .evaluator import RULESET_VERSION, Evaluation, evaluate

# --- cohorts, ventures, memberships -----------------------------------------------


class CohortQuerySet(models.QuerySet):
    def visible_to(self, user) -> CohortQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(staff__user=user).distinct()


class Cohort(models.Model):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CohortStaff(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_roles"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="uniq_cohort_staff")]
        verbose_name_plural = "cohort staff"

    def __str__(self) -> str:
        return f"{self.user} — staff of {self.cohort}"


class VentureQuerySet(models.QuerySet):
    def visible_to(self, user) -> VentureQuerySet:
        """Ventures the person belongs to (founder, advisor) or whose cohort they staff."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(pk__in=Membership.objects.filter(user=user).values("venture"))
            | Q(cohort__in=CohortStaff.objects.filter(user=user).values("cohort"))
        )

    def editable_by(self, user) -> VentureQuerySet:
        """Ventures whose canvas the person may change: founders only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            pk__in=Membership.objects.filter(user=user, role=Membership.FOUNDER).values("venture")
        )


class Venture(models.Model):
    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=d.MAX_TEXT)
    solution_type = models.CharField(max_length=20, choices=d.choice_list(d.SOLUTION_TYPES))
    market_stage = models.CharField(max_length=20, choices=d.choice_list(d.MARKET_STAGES))
    revenue_model = models.CharField(max_length=20, choices=d.choice_list(d.REVENUE_MODELS))
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.SET_NULL, related_name="ventures"
    )
    version = models.PositiveIntegerField(default=1)  # optimistic lock for the header fields
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VentureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def role_of(self, user) -> str | None:
        """'founder', 'advisor', 'staff' or None (uses the DB; views may pass it instead)."""
        if not user.is_authenticated:
            return None
        membership = self.memberships.filter(user=user).first()
        if membership:
            return membership.role
        if self.cohort_id and CohortStaff.objects.filter(cohort_id=self.cohort_id, user=user):
            return "staff"
        return None


class Membership(models.Model):
    FOUNDER = "founder"
    ADVISOR = "advisor"
    ROLES = [(FOUNDER, "Founder"), (ADVISOR, "Advisor")]

    venture = models.ForeignKey(Venture, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=ROLES)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the person last opened the venture's canvas: the home page lists what others
    # changed since then (null: never opened).
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venture", "user"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.venture}"


# --- the canvas and its entries ----------------------------------------------------


class Canvas(models.Model):
    """One canvas per venture: finances, readiness and the cached evaluation."""

    venture = models.OneToOneField(Venture, on_delete=models.CASCADE, related_name="canvas")
    cash_on_hand = models.FloatField(null=True, blank=True)
    monthly_burn = models.FloatField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    next_milestone = models.TextField(max_length=d.MAX_TEXT, blank=True, default="")
    months_to_milestone = models.FloatField(null=True, blank=True)
    finances_version = models.PositiveIntegerField(default=1)
    assessment_before_signature = models.BooleanField(null=True, blank=True)
    requirements_mapped = models.BooleanField(null=True, blank=True)
    customer_success_owns_adoption = models.BooleanField(null=True, blank=True)
    operational_case_studies = models.BooleanField(null=True, blank=True)
    frontline_staff_engaged = models.BooleanField(null=True, blank=True)
    readiness_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    # Cached evaluation (SPEC §3 output), refreshed on every change; the cohort
    # dashboard reads these instead of evaluating a whole cohort per request.
    evaluation = models.JSONField(default=dict, blank=True)
    ruleset = models.PositiveIntegerField(default=RULESET_VERSION)  # the evaluation's rule set
    score = models.IntegerField(default=0)
    error_count = models.IntegerField(default=0)
    warning_count = models.IntegerField(default=0)
    info_count = models.IntegerField(default=0)
    runway_months = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "canvases"

    def __str__(self) -> str:
        return f"Canvas of {self.venture}"

    # -- model -> document (the one place) --
    def to_document(self) -> d.CanvasDocument:
        """Build the canvas document. Uses prefetched entries when present
        (see ``Canvas.objects.for_document()``), so the query count is constant."""
        v = self.venture
        data: dict[str, Any] = {
            "schema_version": d.SCHEMA_VERSION,
            "venture": {
                "name": v.name,
                "solution_type": v.solution_type,
                "market_stage": v.market_stage,
                "revenue_model": v.revenue_model,
            },
            "channels": [e.to_data() for e in self.channels.all()],
            "partners": [e.to_data() for e in self.partners.all()],
            "vendors": [e.to_data() for e in self.vendors.all()],
            "activities": [e.to_data() for e in self.activities.all()],
            "resources": [e.to_data() for e in self.resources.all()],
            "finances": {
                "cash_on_hand": self.cash_on_hand,
                "monthly_burn": self.monthly_burn,
                "currency": self.currency,
                "next_milestone": self.next_milestone,
                "months_to_milestone": self.months_to_milestone,
            },
            "readiness": {q: getattr(self, q) for q in d.READINESS_QUESTIONS},
        }
        return d.CanvasDocument.model_validate(data)

    def refresh_evaluation(self, doc: d.CanvasDocument | None = None) -> Evaluation:
        """Re-evaluate and store the cached figures (one UPDATE)."""
        doc = doc or self.to_document()
        result = evaluate(doc)
        self.evaluation = result.to_dict()
        self.ruleset = result.ruleset
        self.score = result.score
        self.error_count = result.errors
        self.warning_count = result.warnings
        self.info_count = result.infos
        self.runway_months = result.runway_months
        self.updated_at = timezone.now()
        Canvas.objects.filter(pk=self.pk).update(
            evaluation=self.evaluation,
            ruleset=self.ruleset,
            score=self.score,
            error_count=self.error_count,
            warning_count=self.warning_count,
            info_count=self.info_count,
            runway_months=self.runway_months,
            updated_at=self.updated_at,
        )
        return result

    def cached_evaluation(self) -> Evaluation | None:
        """The stored evaluation, or None when there is none or it was made under an older
        rule set (which is never shown as current)."""
        if not self.evaluation or self.evaluation.get("ruleset") != RULESET_VERSION:
            return None
        return Evaluation.from_dict(self.evaluation)


def canvas_for_document():
    """Queryset of canvases with everything ``to_document`` needs (6 queries in all)."""
    return Canvas.objects.select_related("venture").prefetch_related(*d.ENTRY_LISTS)


def reevaluate_all(stdout=None) -> int:
    """Evaluate every current canvas again under the current rule set and store the result
    (``manage.py reevaluate``; each canvas in its own transaction). Returns the count."""
    count = 0
    for canvas in canvas_for_document().order_by("pk").iterator(chunk_size=100):
        with transaction.atomic():
            canvas.refresh_evaluation()
        count += 1
    return count


class Entry(models.Model):
    """Common columns of the four kinds of canvas entry."""

    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)  # optimistic lock: a stale save is refused

    class Meta:
        abstract = True
        ordering = ["position", "id"]


def _text(max_length: int = d.MAX_TEXT) -> models.TextField:
    return models.TextField(max_length=max_length, blank=True, default="")


class ChannelEntry(Entry):
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="channels")
    stage = models.CharField(max_length=10, choices=d.choice_list(d.STAGES))
    channel = models.TextField(max_length=d.MAX_TEXT)
    relationship = _text()
    route = models.CharField(max_length=20, choices=d.choice_list(d.ROUTES))
    # null mirrors the document's null ("not set"), which differs from any value
    mode = models.CharField(max_length=20, choices=d.choice_list(d.MODES), null=True, blank=True)  # noqa: DJ001
    tags = models.JSONField(default=list, blank=True)

    class Meta(Entry.Meta):
        verbose_name = "channel"

    def __str__(self) -> str:
        return self.channel

    @property
    def name(self) -> str:  # the subject of a channel's findings
        return self.channel

    def to_data(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "channel": self.channel,
            "relationship": self.relationship,
            "route": self.route,
            "mode": self.mode,
            "tags": list(self.tags or []),
        }


class PartnerEntry(Entry):
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="partners")
    name = models.TextField(max_length=d.MAX_TEXT)
    partner_type = models.CharField(max_length=30, choices=d.choice_list(d.PARTNER_TYPES))
    strategic_value = _text()
    what_would_be_lost = _text()
    # null: not yet assessed (the document's null); never pre-filled
    recovery_time = models.CharField(  # noqa: DJ001
        max_length=10, choices=d.choice_list(d.RECOVERY_TIMES), null=True, blank=True
    )
    replacement_cost = models.CharField(  # noqa: DJ001
        max_length=12, choices=d.choice_list(d.REPLACEMENT_COSTS), null=True, blank=True
    )

    class Meta(Entry.Meta):
        verbose_name = "partner"

    def __str__(self) -> str:
        return self.name

    def to_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "partner_type": self.partner_type,
            "strategic_value": self.strategic_value,
            "what_would_be_lost": self.what_would_be_lost,
            "recovery_time": self.recovery_time,
            "replacement_cost": self.replacement_cost,
        }


class VendorEntry(Entry):
    """A commodity provider, listed beside the canvas; no vendor test, no partner rule."""

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="vendors")
    name = models.TextField(max_length=d.MAX_TEXT)
    service = _text()

    class Meta(Entry.Meta):
        verbose_name = "vendor"

    def __str__(self) -> str:
        return self.name

    def to_data(self) -> dict[str, Any]:
        return {"name": self.name, "service": self.service}


RATING_CHOICES = d.choice_list(d.RATINGS)


def _rating() -> models.CharField:
    # null: not yet rated (the document's null); never pre-filled
    return models.CharField(max_length=6, choices=RATING_CHOICES, null=True, blank=True)  # noqa: DJ001


class ActivityEntry(Entry):
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="activities")
    name = models.TextField(max_length=d.MAX_TEXT)
    relevance_rating = _rating()
    relevance_rationale = _text()
    imitation_rating = _rating()
    imitation_rationale = _text()
    breadth_rating = _rating()
    breadth_rationale = _text()
    declared_core = models.BooleanField(default=False)
    outsourced_to = models.TextField(max_length=d.MAX_TEXT, null=True, blank=True)  # noqa: DJ001

    class Meta(Entry.Meta):
        verbose_name = "activity"
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.name

    def to_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **{
                test: {
                    "rating": getattr(self, f"{test}_rating"),
                    "rationale": getattr(self, f"{test}_rationale"),
                }
                for test in d.TESTS
            },
            "declared_core": self.declared_core,
            "outsourced_to": self.outsourced_to,
        }


class ResourceEntry(Entry):
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="resources")
    name = models.TextField(max_length=d.MAX_TEXT)
    category = models.CharField(max_length=20, choices=d.choice_list(d.CATEGORIES))
    why_strategic = _text()
    risk_if_lost = _text()
    replacement_months = models.FloatField(null=True, blank=True)

    class Meta(Entry.Meta):
        verbose_name = "resource"

    def __str__(self) -> str:
        return self.name

    def to_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "why_strategic": self.why_strategic,
            "risk_if_lost": self.risk_if_lost,
            "replacement_months": self.replacement_months,
        }


ENTRY_MODELS: dict[str, type[Entry]] = {
    "channels": ChannelEntry,
    "partners": PartnerEntry,
    "vendors": VendorEntry,
    "activities": ActivityEntry,
    "resources": ResourceEntry,
}


def entry_fields(block: str, item: Any) -> dict[str, Any]:
    """Document entry -> model column values (document -> model, the one place)."""
    data = item.model_dump(mode="python")
    if block == "activities":
        for test in d.TESTS:
            assessment = data.pop(test)
            data[f"{test}_rating"] = assessment["rating"]
            data[f"{test}_rationale"] = assessment["rationale"]
    return data


# --- versions ----------------------------------------------------------------------


class CanvasVersion(models.Model):
    """An immutable document snapshot with its evaluation."""

    MANUAL = "manual"
    IMPORT = "import"
    UPLOAD = "upload"
    RESTORE = "restore"
    AUTO = "auto"  # the state kept just before a restore
    SOURCES = [
        (MANUAL, "Saved"),
        (IMPORT, "Imported (command line)"),
        (UPLOAD, "Uploaded"),
        (RESTORE, "Restored"),
        (AUTO, "Kept before restore"),
    ]

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=10, choices=SOURCES, default=MANUAL)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    document = models.JSONField()
    evaluation = models.JSONField()  # as it was made: under the rule set ``ruleset``
    ruleset = models.PositiveIntegerField(default=RULESET_VERSION)
    score = models.IntegerField()

    class Meta:
        ordering = ["canvas", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["canvas", "number"], name="uniq_version_number")
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.label}".strip()

    def to_document(self) -> d.CanvasDocument:
        return d.parse_document(self.document)  # reads an older schema version too

    @property
    def is_current_ruleset(self) -> bool:
        return self.ruleset == RULESET_VERSION


def record_version(
    canvas: Canvas,
    doc: d.CanvasDocument,
    *,
    author=None,
    label: str = "",
    source: str = CanvasVersion.MANUAL,
    evaluation: Evaluation | None = None,
) -> CanvasVersion:
    """Append a version snapshot (call inside a transaction)."""
    evaluation = evaluation or evaluate(doc)
    last = (
        CanvasVersion.objects.filter(canvas=canvas)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return CanvasVersion.objects.create(
        canvas=canvas,
        number=(last or 0) + 1,
        label=label[:200],
        source=source,
        author=author,
        document=doc.to_data(),
        evaluation=evaluation.to_dict(),
        ruleset=evaluation.ruleset,
        score=evaluation.score,
    )


# --- document -> model (the one place) ---------------------------------------------


def ensure_canvas(venture: Venture) -> Canvas:
    canvas, _ = Canvas.objects.get_or_create(venture=venture)
    return canvas


def lock_canvas(venture: Venture) -> Canvas:
    """Lock the venture's canvas row, then the venture row (inside a transaction), and return
    the canvas. Every writer takes the canvas row first (the editor does, through
    ``select_for_update`` on the canvas), so on PostgreSQL two writers never wait on each
    other's rows in opposite orders: a restore that locked the venture and deleted entries
    while an edit held the canvas and updated an entry was a deadlock, answered 500."""
    canvas = ensure_canvas(venture)
    canvas = Canvas.objects.select_for_update().get(pk=canvas.pk)
    list(Venture.objects.select_for_update().filter(pk=venture.pk).values_list("pk"))
    return canvas


@transaction.atomic
def save_document(
    venture: Venture,
    doc: d.CanvasDocument,
    *,
    author=None,
    label: str = "",
    source: str | None = CanvasVersion.IMPORT,
    log_action: str | None = "imported",
) -> CanvasVersion | None:
    """Replace the venture's canvas with ``doc``, atomically.

    Venture header fields, every entry, finances and readiness are replaced; the
    evaluation cache is refreshed; a version is recorded unless ``source`` is None.
    """
    canvas = lock_canvas(venture)
    Venture.objects.filter(pk=venture.pk).update(
        name=doc.venture.name,
        solution_type=doc.venture.solution_type,
        market_stage=doc.venture.market_stage,
        revenue_model=doc.venture.revenue_model,
        version=F("version") + 1,
    )
    for block, model in ENTRY_MODELS.items():
        model.objects.filter(canvas=canvas).delete()
        model.objects.bulk_create(
            model(canvas=canvas, position=i, **entry_fields(block, item))
            for i, item in enumerate(getattr(doc, block))
        )
    finances, readiness = doc.finances, doc.readiness
    canvas.cash_on_hand = finances.cash_on_hand
    canvas.monthly_burn = finances.monthly_burn
    canvas.currency = finances.currency
    canvas.next_milestone = finances.next_milestone
    canvas.months_to_milestone = finances.months_to_milestone
    for question, answer in readiness.answers():
        setattr(canvas, question, answer)
    canvas.finances_version += 1
    canvas.readiness_version += 1
    canvas.save()
    result = canvas.refresh_evaluation(doc)
    version = None
    if source is not None:
        version = record_version(
            canvas, doc, author=author, label=label, source=source, evaluation=result
        )
    if log_action:
        log(canvas, author, log_action, label or f"Canvas replaced ({source or 'direct'})")
    return version


def create_venture(
    slug: str, doc: d.CanvasDocument, *, cohort: Cohort | None = None, author=None, **kwargs
) -> Venture:
    with transaction.atomic():
        venture = Venture.objects.create(
            slug=slug,
            name=doc.venture.name,
            solution_type=doc.venture.solution_type,
            market_stage=doc.venture.market_stage,
            revenue_model=doc.venture.revenue_model,
            cohort=cohort,
        )
        Canvas.objects.create(venture=venture)
        save_document(venture, doc, author=author, log_action="created", **kwargs)
    return Venture.objects.select_related("canvas").get(pk=venture.pk)


# --- review, sharing, invitations, activity log ------------------------------------


class ActivityLog(models.Model):
    ACTIONS = [
        ("created", "Created"),
        ("edited", "Edited"),
        ("deleted", "Deleted"),
        ("imported", "Imported"),
        ("version_saved", "Version saved"),
        ("restored", "Restored"),
        ("comment_added", "Comment added"),
        ("comment_resolved", "Comment resolved"),
        ("comment_reopened", "Comment reopened"),
        ("link_created", "Share link created"),
        ("link_revoked", "Share link revoked"),
        ("member_added", "Member added"),
        ("member_removed", "Member removed"),
    ]

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=20, choices=ACTIONS)
    summary = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.summary}"


def log(canvas: Canvas, actor, action: str, summary: str = "", **detail: Any) -> ActivityLog:
    return ActivityLog.objects.create(
        canvas=canvas,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        summary=summary[:500],
        detail=detail,
    )


class Comment(models.Model):
    """A comment on a block or one entry; top-level comments start threads."""

    BLOCKS = list(d.BLOCK_TITLES.items())
    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    block = models.CharField(max_length=20, choices=BLOCKS)
    entry_id = models.PositiveBigIntegerField(null=True, blank=True)  # id within the block
    entry_name = models.TextField(blank=True, default="")  # name at the time of writing
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=d.MAX_TEXT)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class ShareLink(models.Model):
    """A read-only link to the current canvas or one version. Only the token's
    SHA-256 is stored."""

    canvas = models.ForeignKey(Canvas, on_delete=models.CASCADE, related_name="share_links")
    version = models.ForeignKey(
        CanvasVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"


class Invitation(models.Model):
    """A single-use, expiring invitation; only the token's SHA-256 is stored."""

    ROLES = [("founder", "Founder"), ("advisor", "Advisor")]
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=ROLES)
    venture = models.ForeignKey(
        Venture, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    new_venture_name = models.CharField(max_length=200, blank=True)  # staff inviting a venture
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} as {self.role}"


class BulkExport(models.Model):
    """A cohort-wide PDF export running as a background task."""

    PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
    STATUSES = [(PENDING, "Waiting"), (RUNNING, "Running"), (DONE, "Done"), (FAILED, "Failed")]
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failures = models.JSONField(default=list, blank=True)  # [{"venture": slug, "error": "..."}]
    file = models.CharField(max_length=500, blank=True)  # path under MEDIA_ROOT
    task_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Export of {self.cohort} ({self.status})"


# --- stored PDFs and the background worker (canvas/pdf/store.py, canvas/worker.py) ---------


class StoredPdf(models.Model):
    """One canvas PDF, named by the hash of everything that shows on it and kept in Django's
    default storage. ``queued`` until the background worker takes it, ``rendering`` while
    it does (``worker`` says which), then ``done`` with its ``file`` or ``failed`` with
    the reason a person is shown. The unique key makes one render per PDF, however many
    people ask for it at once."""

    QUEUED, RENDERING, DONE, FAILED = "queued", "rendering", "done", "failed"
    STATUSES = [
        (QUEUED, "Waiting"),
        (RENDERING, "Rendering"),
        (DONE, "Done"),
        (FAILED, "Failed"),
    ]
    key = models.CharField(max_length=64, unique=True)
    venture = models.ForeignKey(
        Venture, null=True, blank=True, on_delete=models.CASCADE, related_name="pdfs"
    )
    paper = models.CharField(max_length=10, default="a3")
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    job = models.JSONField(default=dict, blank=True)  # what to render; emptied once done
    file = models.CharField(max_length=300, blank=True)  # its name in default storage
    size = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=64, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["venture", "created_at"], name="storedpdf_venture_idx")]

    def __str__(self) -> str:
        return f"PDF {self.key[:12]} ({self.status})"


@receiver(post_delete, sender=StoredPdf)
def _delete_stored_file(sender, instance: StoredPdf, **kwargs) -> None:
    """A stored PDF's file goes with its row, however the row goes (``prune_pdfs``, or its
    venture deleted), once the deletion is committed."""
    if instance.file:
        name = instance.file
        transaction.on_commit(lambda: default_storage.delete(name))


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life: ``beat_at`` is renewed every few seconds while
    it runs and can write to the database (``/healthz`` reads it)."""

    worker = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Worker {self.worker} (pid {self.pid})"
