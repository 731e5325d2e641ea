"""The evaluator's vocabulary: ruleset version, blocks, severities, labels and thresholds."""

from canvas.document import TESTS

RULESET_VERSION = 2  # rule set 2 goes with document version 2 (SPEC §3)

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
VERDICT_LABELS = {
    "key_partner": "Key partner",
    "vendor": "Vendor",
    "borderline": "Borderline",
    "unassessed": "Not yet assessed",
}

TEST_NAMES = tuple(TESTS)  # ("relevance", "imitation", "breadth")
PASSING_RATINGS = frozenset({"medium", "high"})
# What a finding costs the score, by severity; a rule may cost more (KR02, KR03).
POINTS = {"error": 10, "warning": 3, "info": 0}
# Without a milestone, runway is judged against fixed 6 and 12 months; with one, against the
# months to the milestone, plus the months it takes to raise the next round.
RUNWAY_CRITICAL = 6.0
RUNWAY_COMFORTABLE = 12.0
MONTHS_TO_RAISE = 6.0
KEY_PERSON_MONTHS = 12.0
