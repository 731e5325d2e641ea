"""The evaluator's vocabulary: ruleset version, blocks, severities, labels and thresholds."""

from canvas.document import TESTS

RULESET_VERSION = "1"

BLOCKS = ("channels", "partners", "activities", "resources", "readiness")
BLOCK_LABELS = {
    "channels": "Channels and customer relationships",
    "partners": "Key partners",
    "activities": "Key activities",
    "resources": "Key resources",
    "readiness": "Operational readiness",
}
SEVERITIES = ("error", "warning", "info")
SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Info"}
VERDICT_LABELS = {"key_partner": "Key partner", "vendor": "Vendor", "borderline": "Borderline"}

TEST_NAMES = tuple(TESTS)  # ("relevance", "imitation", "breadth")
PASSING_RATINGS = frozenset({"medium", "high"})
RUNWAY_CRITICAL = 6.0
RUNWAY_COMFORTABLE = 12.0
KEY_PERSON_MONTHS = 12.0
