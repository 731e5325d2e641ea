from pathlib import Path

from django.core.management.base import BaseCommand

from canvas.cli import Error, read_document
from canvas.models import CanvasVersion, Venture, save_document


class Command(BaseCommand):
    help = "Save a canvas document as a new version of a venture's canvas, atomically."

    def add_arguments(self, parser):
        parser.add_argument("file", help="canvas document (JSON), or - for standard input")
        parser.add_argument("--venture", required=True, help="the venture's slug")
        parser.add_argument("--label", default="", help="label of the new version")

    def handle(self, *args, file, venture, label, **options):
        doc = read_document(file)
        target = Venture.objects.filter(slug=venture).first()
        if target is None:
            raise Error(f"No venture has the slug '{venture}'. Nothing was written.")
        source = "standard input" if file == "-" else Path(file).name
        version = save_document(
            target,
            doc,
            label=label or f"Imported from {source}",
            source=CanvasVersion.IMPORT,
        )
        self.stdout.write(
            f"Imported {source} into {target.slug} as version {version.number} "
            f"(score {version.score})."
        )
