from pathlib import Path

from django.core.management.base import BaseCommand

from canvas.cli import Error
from canvas.models import canvas_for_document


class Command(BaseCommand):
    help = "Write a venture's current canvas as a canvas document (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the venture's slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, slug, output, **options):
        canvas = canvas_for_document().filter(venture__slug=slug).first()
        if canvas is None:
            raise Error(f"No venture has the slug '{slug}'.")
        text = canvas.to_document().to_json() + "\n"
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise Error(f"{output}: cannot be written ({exc.strerror}).") from None
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
