"""The evaluator (SPEC §3): pure rules over a canvas document.

No Django imports. ``evaluate(doc)`` turns a ``CanvasDocument`` into an ``Evaluation``:
the partner and activity verdicts, the runway and the findings, each with a message
written for a founder (what is wrong, why it matters, what to do).

Rules are data: each row of ``RULES`` carries its id, severity, block, title, a one-line
summary for the rule table, a message template and a small ``check`` function. A check
reads the precomputed ``Facts`` and yields ``(subject, params)`` for each hit, in document
order; ``params`` fill the message template (``{subject}`` is always available).
``RULES`` is sorted by block then id, so the findings come out in SPEC order as they are
produced.

The package, in the order the pieces build on each other:

- ``constants``: ruleset version, blocks, severities, labels and thresholds;
- ``verdicts``: the partner and activity verdicts and the runway;
- ``model``: ``Finding``, ``PartnerVerdict``, ``ActivityVerdict`` and ``Evaluation``;
- ``registry``: ``Facts``, the ``Rule`` row and the ``rule`` decorator;
- ``wording``: helpers shared by the messages;
- ``channels``, ``partners``, ``activities``, ``resources``, ``readiness``: the rules of
  each block;
- ``engine``: ``RULES``, ``RULES_BY_ID``, ``rules_by_block``, ``rules_for``, ``score`` and
  ``evaluate``;
- ``summaries``: the runway-against-milestone and readiness lines every page shares.

Callers import from ``canvas.evaluator`` itself; everything they use is re-exported here.
"""

from .constants import (
    BLOCK_LABELS,
    BLOCKS,
    KEY_PERSON_MONTHS,
    MONTHS_TO_RAISE,
    PASSING_RATINGS,
    POINTS,
    RULESET_VERSION,
    RUNWAY_COMFORTABLE,
    RUNWAY_CRITICAL,
    SEVERITIES,
    SEVERITY_LABELS,
    TEST_NAMES,
    VERDICT_LABELS,
)
from .engine import (
    RULES,
    RULES_BY_ID,
    about,
    evaluate,
    rules_by_block,
    rules_for,
    score,
    subject_label,
)
from .model import ActivityVerdict, Evaluation, Finding, PartnerVerdict
from .registry import NO_PARAMS, Facts, Hits, Rule, rule
from .summaries import (
    readiness_counts,
    readiness_line,
    readiness_summary,
    runway_level,
    runway_line,
    runway_summary,
)
from .verdicts import (
    failed_tests,
    is_core,
    milestone_months,
    partner_verdict,
    ratings_of,
    runway_is_unlimited,
    runway_months,
    three_tests,
    unrated_tests,
)

__all__ = [
    "BLOCK_LABELS",
    "BLOCKS",
    "KEY_PERSON_MONTHS",
    "MONTHS_TO_RAISE",
    "NO_PARAMS",
    "PASSING_RATINGS",
    "POINTS",
    "RULES",
    "RULES_BY_ID",
    "RULESET_VERSION",
    "RUNWAY_COMFORTABLE",
    "RUNWAY_CRITICAL",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "TEST_NAMES",
    "VERDICT_LABELS",
    "ActivityVerdict",
    "Evaluation",
    "Facts",
    "Finding",
    "Hits",
    "PartnerVerdict",
    "Rule",
    "about",
    "evaluate",
    "failed_tests",
    "is_core",
    "milestone_months",
    "partner_verdict",
    "ratings_of",
    "readiness_counts",
    "readiness_line",
    "readiness_summary",
    "rule",
    "rules_by_block",
    "rules_for",
    "runway_is_unlimited",
    "runway_level",
    "runway_line",
    "runway_months",
    "runway_summary",
    "score",
    "subject_label",
    "three_tests",
    "unrated_tests",
]
