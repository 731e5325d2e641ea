"""Create the founders and ventures a load test drives (bench/load_test.py, tests).

    python manage.py load_setup --founders 20 --password SECRET [--prefix load]
    python manage.py load_setup --founders 4 --output setup.json

Creates founder users ``<prefix>-01@example.org`` ... each the founder of their own
venture ``<prefix>-01`` ..., and all of them founders of one shared venture
``<prefix>-shared``, every canvas loaded from the sepsis-dx worked example. Idempotent:
an existing user gets the given password again, an existing canvas is reloaded.
Nothing here has a default password: the caller makes one up, or gives none, and then
the users get an unusable password and a signed-in session each (as the test client's
force_login makes), which skips the deliberately slow password hashing when only the
writes are under test.

``--output FILE`` writes what a client needs as JSON: each founder's username (and
session key when there is no password), and each venture's entries with their primary
keys, versions and document values::

    {"founders": [{"username": "load-01@example.org", "session": "..."}, ...],
     "ventures": {"load-01": {"entries": {"resources": [{"pk": 1, "version": 1,
                                                         "data": {...}}, ...], ...}}}}
"""

from __future__ import annotations

import json
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from canvas.cli import read_document
from canvas.models import (
    ENTRY_MODELS,
    Canvas,
    CanvasVersion,
    Membership,
    Venture,
    create_venture,
    save_document,
)


def founder_username(prefix: str, index: int) -> str:
    return f"{prefix}-{index:02d}@example.org"


def signed_in_session(user) -> str:
    """A new session in which ``user`` is signed in; returns its key."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def entries(venture: Venture) -> dict:
    canvas = Canvas.objects.select_related("venture").get(venture=venture)
    return {
        "venture_version": canvas.venture.version,
        "finances_version": canvas.finances_version,
        "readiness_version": canvas.readiness_version,
        "entries": {
            block: [
                {"pk": row.pk, "version": row.version, "data": row.to_data()}
                for row in model.objects.filter(canvas=canvas).order_by("position", "id")
            ]
            for block, model in ENTRY_MODELS.items()
        },
    }


class Command(BaseCommand):
    help = "Create founders, their ventures and one shared venture for a load test."

    def add_arguments(self, parser):
        parser.add_argument("--founders", type=int, default=20)
        parser.add_argument("--password", help="a password for every founder (else unusable)")
        parser.add_argument("--output", help="write founders and entries as JSON to this file")
        parser.add_argument("--prefix", default="load")
        parser.add_argument(
            "--fixture", default=str(Path(settings.BASE_DIR) / "fixtures" / "sepsis-dx.json")
        )

    @transaction.atomic
    def handle(self, *args, founders, password, output, prefix, fixture, **options):
        if not 1 <= founders <= 200:
            raise CommandError("--founders must be between 1 and 200")
        if password is not None and len(password) < 12:
            raise CommandError("--password must have at least 12 characters")
        if password is None and not output:
            raise CommandError("give --password, --output or both")
        doc = read_document(fixture)
        User = get_user_model()

        def venture(slug: str, name: str) -> Venture:
            named = doc.model_copy(
                update={"venture": doc.venture.model_copy(update={"name": name})}
            )
            existing = Venture.objects.filter(slug=slug).first()
            if existing is None:
                return create_venture(slug, named, label="Load test", source=CanvasVersion.IMPORT)
            save_document(existing, named, label="Load test reset", source=None, log_action=None)
            return existing

        shared = venture(f"{prefix}-shared", "Shared load-test venture")
        hashed = make_password(password) if password is not None else None
        people: list[dict[str, str]] = []
        ventures = [shared]
        for index in range(1, founders + 1):
            username = founder_username(prefix, index)
            user, _ = User.objects.get_or_create(username=username, defaults={"email": username})
            person = {"username": username}
            if password is None:
                user.set_unusable_password()
                person["session"] = signed_in_session(user)
            else:
                user.password = hashed  # hashed once: the hasher is slow on purpose
            user.save()
            people.append(person)
            own = venture(f"{prefix}-{index:02d}", f"Load-test venture {index:02d}")
            ventures.append(own)
            for v in (own, shared):
                Membership.objects.get_or_create(
                    venture=v, user=user, defaults={"role": Membership.FOUNDER}
                )
        if output:
            manifest = {"founders": people, "ventures": {v.slug: entries(v) for v in ventures}}
            Path(output).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        self.stdout.write(
            f"{founders} founders ({founder_username(prefix, 1)} ...), "
            f"{founders} ventures and {prefix}-shared ready."
        )
