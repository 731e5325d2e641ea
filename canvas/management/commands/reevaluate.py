"""``manage.py reevaluate``: evaluate every current canvas again under the current rule set.

Run it after the rule set changes (the migration that brings a new rule set does the same
once). Saved versions keep the evaluation they were made with, labelled with its rule set.
"""

from django.core.management.base import BaseCommand

from canvas.evaluator import RULESET_VERSION
from canvas.models import reevaluate_all


class Command(BaseCommand):
    help = "Evaluate every current canvas again under the current rule set."

    def handle(self, *args, **options) -> None:
        count = reevaluate_all()
        noun = "canvas" if count == 1 else "canvases"
        self.stdout.write(f"Re-evaluated {count} {noun} under rule set {RULESET_VERSION}.")
