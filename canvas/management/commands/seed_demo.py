"""Create the demo cohort, ventures and users (idempotent).

Demo users (password ``canvas-demo``) exist only where this command was run.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from canvas.cli import read_document
from canvas.models import (
    CanvasVersion,
    Cohort,
    CohortStaff,
    Comment,
    Membership,
    PartnerEntry,
    Venture,
    create_venture,
    log,
    save_document,
)

PASSWORD = "canvas-demo"
FOUNDER, ADVISOR, STAFF = "founder@example.com", "advisor@example.com", "staff@example.com"
COHORT_SLUG = "demo-cohort"
COHORT_NAME = "Northstar Health Accelerator — Winter 2026"
# The two worked examples of the source document; the founder and advisor work on these.
WORKED_EXAMPLES = ["sepsis-dx", "sepsis-predict"]


def fixture_files() -> list[tuple[str, Path]]:
    folder = Path(settings.BASE_DIR) / "fixtures"
    files = [(slug, folder / f"{slug}.json") for slug in WORKED_EXAMPLES]
    files += [
        (path.stem.removeprefix("demo-"), path) for path in sorted(folder.glob("demo-*.json"))
    ]
    return files


# An open advisor thread on the first worked example, so a new user sees comments at work:
# the entry's marker, the block's count, the home page and the PDF's review appendix.
THREAD_VENTURE = "sepsis-dx"
THREAD_PARTNER = "BioMed Contract Manufacturing"
THREAD = (
    "If BioMed's ISO 13485 line is booked by a bigger client, what is plan B? By your own "
    "estimate a second manufacturer takes 18-24 months to qualify: worth starting that "
    "conversation before the validation study, not after."
)
REPLY = (
    "Agreed. We have a call with a second contract manufacturer in March and will add them "
    "as a partner once we know their terms."
)


def advisor_thread(venture, advisor, founder) -> None:
    """Start the demo thread on the venture's contract manufacturer (once)."""
    canvas = venture.canvas
    if Comment.objects.filter(canvas=canvas).exists():
        return
    partners = PartnerEntry.objects.filter(canvas=canvas).order_by("position", "id")
    partner = partners.filter(name__iexact=THREAD_PARTNER).first() or partners.first()
    about = {"entry_id": partner.pk, "entry_name": partner.name} if partner else {}
    thread = Comment.objects.create(
        canvas=canvas, author=advisor, block="partners", body=THREAD, **about
    )
    Comment.objects.create(
        canvas=canvas, author=founder, block="partners", parent=thread, body=REPLY, **about
    )
    where = "Key Partners" + (f" — {partner.name}" if partner else "")
    log(canvas, advisor, "comment_added", f"{advisor.get_full_name()} commented on {where}")
    log(canvas, founder, "comment_added", f"{founder.get_full_name()} replied on {where}")


def first_draft(doc):
    """An earlier, thinner state of a canvas, so history and comparison have something
    to show: the last entry of each block was not written yet."""
    return doc.model_copy(
        update={
            block: getattr(doc, block)[:-1]
            for block in ("channels", "partners", "resources")
            if getattr(doc, block)
        }
    )


class Command(BaseCommand):
    help = "Create the demo cohort, ventures and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="reload the demo canvases even if they exist"
        )

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        User = get_user_model()
        users = {}
        for email, first in ((FOUNDER, "Alex"), (ADVISOR, "Morgan"), (STAFF, "Sam")):
            user, created = User.objects.get_or_create(
                username=email, defaults={"email": email, "first_name": first}
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[email] = user

        cohort, _ = Cohort.objects.get_or_create(slug=COHORT_SLUG, defaults={"name": COHORT_NAME})
        CohortStaff.objects.get_or_create(cohort=cohort, user=users[STAFF])

        created_count = 0
        for slug, path in fixture_files():
            doc = read_document(str(path))
            venture = Venture.objects.filter(slug=slug).first()
            if venture is None:
                history = slug in WORKED_EXAMPLES
                venture = create_venture(
                    slug,
                    first_draft(doc) if history else doc,
                    cohort=cohort,
                    author=users[FOUNDER] if history else None,
                    label="First draft" if history else "Demo data",
                    source=CanvasVersion.IMPORT,
                )
                if history:
                    save_document(
                        venture,
                        doc,
                        author=users[FOUNDER],
                        label="Before advisory board",
                        source=CanvasVersion.MANUAL,
                        log_action="edited",
                    )
                created_count += 1
            elif reset:
                save_document(venture, doc, label="Demo data reloaded")
            if venture.cohort_id != cohort.pk:
                Venture.objects.filter(pk=venture.pk).update(cohort=cohort)
            if slug in WORKED_EXAMPLES:
                Membership.objects.get_or_create(
                    venture=venture, user=users[FOUNDER], defaults={"role": Membership.FOUNDER}
                )
                Membership.objects.get_or_create(
                    venture=venture, user=users[ADVISOR], defaults={"role": Membership.ADVISOR}
                )
                if slug == THREAD_VENTURE:
                    advisor_thread(venture, users[ADVISOR], users[FOUNDER])

        self.stdout.write(
            f"Demo data ready: cohort '{cohort.name}', {created_count} venture(s) created, "
            f"{cohort.ventures.count()} in the cohort."
        )
        self.stdout.write("Demo logins (password 'canvas-demo'):")
        self.stdout.write(f"  {FOUNDER:<22} founder of {', '.join(WORKED_EXAMPLES)}")
        self.stdout.write(f"  {ADVISOR:<22} advisor of {', '.join(WORKED_EXAMPLES)}")
        self.stdout.write(f"  {STAFF:<22} staff of the cohort '{COHORT_SLUG}'")
