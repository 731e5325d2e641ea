"""``python manage.py prune_pdfs [--keep N] [--days D]``: delete old stored PDFs.

Keeps the N newest PDFs of each venture (default PDF_KEEP_PER_VENTURE, 20), whatever their
version or paper, and deletes the rest, files and rows; PDFs being rendered are left
alone. ``--days`` also deletes PDFs that belong to no venture any more, older than that.
A deleted PDF is simply rendered again the next time someone asks for it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from canvas.pdf import store


class Command(BaseCommand):
    help = "Delete stored PDFs but the newest --keep of each venture."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            default=settings.PDF_KEEP_PER_VENTURE,
            help="PDFs kept per venture (default %(default)s)",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=30,
            help="delete PDFs of no venture older than this many days (default %(default)s)",
        )

    def handle(self, *args, keep, days, **options):
        older_than = timezone.now() - timedelta(days=days)
        deleted = store.prune(max(0, keep), older_than=older_than)
        self.stdout.write(f"Deleted {deleted} stored PDF{'s' if deleted != 1 else ''}.")
