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
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from canvas.document import (
    CATEGORIES,
    READINESS_QUESTIONS,
    STAGES,
    TESTS,
    Activity,
    CanvasDocument,
    Finances,
    Partner,
)

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


# --- verdicts --------------------------------------------------------------------------


def partner_verdict(partner: Partner) -> str:
    """The vendor test: 'key_partner', 'vendor' or 'borderline'."""
    recovery, cost = partner.recovery_time, partner.replacement_cost
    if cost == "significant" and recovery in ("months", "years"):
        return "key_partner"
    if cost == "minimal" and recovery == "weeks":
        return "vendor"
    return "borderline"


def failed_tests(activity: Activity) -> tuple[str, ...]:
    """The Prahalad & Hamel tests the activity fails, in the order relevance, imitation, breadth."""
    return tuple(t for t in TEST_NAMES if getattr(activity, t).rating not in PASSING_RATINGS)


def is_core(activity: Activity) -> bool:
    return not failed_tests(activity)


def runway_is_unlimited(finances: Finances | None) -> bool:
    """True when nothing is burnt (or cash/burn is so large it cannot be expressed)."""
    if finances is None or finances.monthly_burn is None:
        return False
    if finances.monthly_burn == 0:
        return True
    return finances.cash_on_hand is not None and math.isinf(
        finances.cash_on_hand / finances.monthly_burn
    )


def runway_months(finances: Finances | None) -> float | None:
    """Cash on hand / monthly burn, unrounded; None when unknown or unlimited."""
    if finances is None or finances.cash_on_hand is None or not finances.monthly_burn:
        return None
    months = finances.cash_on_hand / finances.monthly_burn
    return None if math.isinf(months) else months


# --- results ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: str
    block: str
    subject: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "block": self.block,
            "subject": self.subject,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class PartnerVerdict:
    name: str
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "verdict": self.verdict}


@dataclass(frozen=True, slots=True)
class ActivityVerdict:
    name: str
    core: bool
    failed_tests: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "core": self.core, "failed_tests": list(self.failed_tests)}


@dataclass(frozen=True, slots=True)
class Evaluation:
    score: int
    runway_months: float | None  # rounded to one decimal; None when unknown or unlimited
    runway_unlimited: bool
    partners: tuple[PartnerVerdict, ...]
    activities: tuple[ActivityVerdict, ...]
    findings: tuple[Finding, ...]

    def _count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self._count("error")

    @property
    def warnings(self) -> int:
        return self._count("warning")

    @property
    def infos(self) -> int:
        return self._count("info")

    def findings_for(self, block: str) -> list[Finding]:
        return [f for f in self.findings if f.block == block]

    def partner_verdict(self, name: str) -> str | None:
        key = name.casefold()
        return next((p.verdict for p in self.partners if p.name.casefold() == key), None)

    def activity_verdict(self, name: str) -> ActivityVerdict | None:
        exact = next((a for a in self.activities if a.name == name), None)
        if exact is not None:
            return exact
        key = name.casefold()
        return next((a for a in self.activities if a.name.casefold() == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The SPEC §3 'Evaluation output (JSON)' shape, nothing more."""
        return {
            "score": self.score,
            "runway_months": self.runway_months,
            "partners": [p.to_dict() for p in self.partners],
            "activities": [a.to_dict() for a in self.activities],
            "findings": [f.to_dict() for f in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evaluation:
        """Rebuild an evaluation from ``to_dict()`` output (for example a cached copy)."""
        findings = tuple(
            Finding(f["rule"], f["severity"], f["block"], f["subject"], f["message"])
            for f in data["findings"]
        )
        runway = data["runway_months"]
        return cls(
            score=int(data["score"]),
            runway_months=None if runway is None else float(runway),
            # Null runway without a KR02 finding can only mean an unlimited runway.
            runway_unlimited=runway is None and not any(f.rule == "KR02" for f in findings),
            partners=tuple(PartnerVerdict(p["name"], p["verdict"]) for p in data["partners"]),
            activities=tuple(
                ActivityVerdict(a["name"], bool(a["core"]), tuple(a["failed_tests"]))
                for a in data["activities"]
            ),
            findings=findings,
        )


# --- facts computed once per document --------------------------------------------------


class Facts:
    """What the checks need, computed once: verdicts, runway, channel tags."""

    __slots__ = ("doc", "partners", "activities", "runway", "unlimited", "tags", "stage_tags")

    def __init__(self, doc: CanvasDocument):
        self.doc = doc
        self.partners = [(p, partner_verdict(p)) for p in doc.partners]
        self.activities = [(a, failed_tests(a)) for a in doc.activities]
        self.runway = runway_months(doc.finances)
        self.unlimited = runway_is_unlimited(doc.finances)
        self.stage_tags: dict[str, set[str]] = {}
        for ch in doc.channels:
            self.stage_tags.setdefault(ch.stage, set()).update(ch.tags)
        self.tags = set().union(*self.stage_tags.values())


Hits = Iterator[tuple[str | None, dict[str, Any]]]
NO_PARAMS: dict[str, Any] = {}


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    block: str
    title: str  # short, for badges and headings
    summary: str  # one sentence, for the rule table shown to users
    message: str  # template; {subject} plus the params the check yields
    check: Callable[[Facts], Hits] = field(repr=False, compare=False)

    def findings(self, facts: Facts) -> Iterator[Finding]:
        for subject, params in self.check(facts):
            text = self.message.format(subject=subject, **params)
            yield Finding(self.id, self.severity, self.block, subject, text)


_registered: list[Rule] = []


def rule(
    id: str, severity: str, block: str, title: str, summary: str, message: str
) -> Callable[[Callable[[Facts], Hits]], Callable[[Facts], Hits]]:
    """Register the decorated check as a rule."""

    def register(check: Callable[[Facts], Hits]) -> Callable[[Facts], Hits]:
        _registered.append(Rule(id, severity, block, title, summary, message, check))
        return check

    return register


# --- wording helpers -------------------------------------------------------------------


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _months(value: float, limit: float) -> str:
    """Months for a message, to one decimal, never rounded up to the limit (5.99 reads 5.9)."""
    return f"{min(round(value, 1), limit - 0.1):.1f}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --- channels --------------------------------------------------------------------------

_STAGE_WHY = {
    "get": (
        "Hospitals adopt slowly and only once they trust you, so the relationships you build before"
        " a purchase decide whether a sale is ever possible."
    ),
    "keep": (
        "Training, onboarding and clinical support after the sale decide whether the product "
        "becomes part of clinical practice or is quietly abandoned."
    ),
    "grow": (
        "Wider use inside adopting institutions and peer advocacy from early sites are how one "
        "customer becomes many; a signed contract is not the finish line."
    ),
}


@rule(
    "CH01",
    "error",
    "channels",
    title="Missing stage",
    summary="Each of the Get, Keep and Grow stages needs at least one channel.",
    message=(
        "There is no channel for the {label} stage. {why} Add at least one {label} channel and "
        "describe the relationship it builds."
    ),
)
def _ch01(f: Facts) -> Hits:
    for stage in STAGES:
        if stage not in f.stage_tags:
            yield stage, {"label": STAGES[stage], "why": _STAGE_WHY[stage]}


@rule(
    "CH02",
    "warning",
    "channels",
    title="No direct Keep channel",
    summary="At least one Keep channel should be run directly by your own team.",
    message=(
        "None of your Keep channels is run by your own team. If intermediaries hold every customer "
        "relationship you lose sight of how clinicians really use the product, and that direct "
        "contact is a strategic asset. Add a direct Keep channel, such as clinical support by your "
        "own specialists."
    ),
)
def _ch02(f: Facts) -> Hits:
    keep = [ch for ch in f.doc.channels if ch.stage == "keep"]
    if keep and all(ch.route != "direct" for ch in keep):
        yield None, NO_PARAMS


@rule(
    "CH03",
    "warning",
    "channels",
    title="Distributor in beachhead",
    summary="In the beachhead market, channels should be direct and founder-led, not distributors.",
    message=(
        "“{subject}” goes through a distributor while you are still in your beachhead market. Here "
        "the channel exists to learn from every customer conversation, so it should be direct and "
        "founder-led. Run it yourselves and reconsider distribution once you reach your target "
        "market."
    ),
)
def _ch03(f: Facts) -> Hits:
    if f.doc.venture.market_stage == "beachhead":
        for ch in f.doc.channels:
            if ch.route == "distributor":
                yield ch.channel, NO_PARAMS


@rule(
    "CH04",
    "warning",
    "channels",
    title="No IT security review",
    summary="Digital medicine needs a channel for the customer's IT security review.",
    message=(
        "No channel covers the IT security review. Software cannot be deployed until the customer's"
        " CISO and IT team approve it, and they judge on criteria your clinical champions never "
        "see. Add a channel tagged IT security review and map the IT approval path next to the "
        "clinical one."
    ),
)
def _ch04(f: Facts) -> Hits:
    if f.doc.venture.solution_type == "digital_medicine" and "it_security_review" not in f.tags:
        yield None, NO_PARAMS


@rule(
    "CH05",
    "warning",
    "channels",
    title="No pilot conversion plan",
    summary="Digital medicine needs a plan to convert pilots into enterprise agreements.",
    message=(
        "No channel plans how pilots become enterprise agreements. Digital products usually enter "
        "through a departmental pilot, and the enterprise decision is a separate one with its own "
        "stakeholders and evidence needs. Add a channel tagged Pilot-to-enterprise conversion that "
        "names who decides and what they need to see."
    ),
)
def _ch05(f: Facts) -> Hits:
    if f.doc.venture.solution_type == "digital_medicine" and "pilot_conversion" not in f.tags:
        yield None, NO_PARAMS


@rule(
    "CH06",
    "warning",
    "channels",
    title="Distributor for subscription",
    summary="A digital subscription is poorly suited to distributors paid for one-time sales.",
    message=(
        "“{subject}” relies on a distributor to sell a subscription. Distributors are rewarded for "
        "one-time sales, so their incentives rarely fit recurring revenue. Consider selling "
        "directly, or agree partner terms that reward renewals and usage."
    ),
)
def _ch06(f: Facts) -> Hits:
    venture = f.doc.venture
    if venture.solution_type == "digital_medicine" and venture.revenue_model == "subscription":
        for ch in f.doc.channels:
            if ch.route == "distributor":
                yield ch.channel, NO_PARAMS


@rule(
    "CH07",
    "warning",
    "channels",
    title="No clinical training",
    summary="A device or diagnostic needs a channel for clinical training.",
    message=(
        "No channel covers clinical training. Clinicians adopt a device only once they can use it "
        "safely and confidently, so training is part of winning the customer, not after-sales "
        "overhead. Add a channel tagged Clinical training, such as hands-on support at first uses."
    ),
)
def _ch07(f: Facts) -> Hits:
    if f.doc.venture.solution_type == "healthtech" and "clinical_training" not in f.tags:
        yield None, NO_PARAMS


@rule(
    "CH08",
    "info",
    "channels",
    title="No reference site",
    summary="A Grow channel should turn early adopters into reference sites.",
    message=(
        "No Grow channel is tagged as a reference site. A respected institution willing to tell "
        "peers about its experience does more for growth than any marketing campaign. Plan how your"
        " first adopters will become reference sites."
    ),
)
def _ch08(f: Facts) -> Hits:
    if "reference_site" not in f.stage_tags.get("grow", ()):
        yield None, NO_PARAMS


@rule(
    "CH09",
    "info",
    "channels",
    title="No evidence partnership",
    summary="A Keep channel should help customers generate and publish evidence.",
    message=(
        "No Keep channel is tagged as an evidence partnership. Helping early adopters track and "
        "publish their outcomes deepens the relationship and builds the evidence your next "
        "customers will ask for. Consider a Keep channel tagged Evidence partnership."
    ),
)
def _ch09(f: Facts) -> Hits:
    if "evidence_partnership" not in f.stage_tags.get("keep", ()):
        yield None, NO_PARAMS


@rule(
    "CH10",
    "info",
    "channels",
    title="No EHR integration",
    summary="Digital medicine should plan EHR integration as a channel.",
    message=(
        "No channel covers EHR integration. Integration with the customer's record system is often "
        "a condition of adoption, and a partnership with the EHR vendor can be a channel in itself "
        "through its marketplace, easing IT approval. Consider a channel tagged EHR integration."
    ),
)
def _ch10(f: Facts) -> Hits:
    if f.doc.venture.solution_type == "digital_medicine" and "ehr_integration" not in f.tags:
        yield None, NO_PARAMS


# --- partners --------------------------------------------------------------------------


@rule(
    "KP01",
    "error",
    "partners",
    title="No key partner",
    summary="At least one partner should pass the vendor test as a key partner.",
    message=(
        "{lead} A key partner takes months or years and significant strategic cost to replace; "
        "anything you could replace in weeks is a vendor. Name the organisations your value "
        "proposition truly depends on and rate honestly how hard each would be to replace."
    ),
)
def _kp01(f: Facts) -> Hits:
    if all(verdict != "key_partner" for _, verdict in f.partners):
        lead = "No partner passes the key-partner test." if f.partners else "You list no partners."
        yield None, {"lead": lead}


@rule(
    "KP02",
    "warning",
    "partners",
    title="Vendor listed as partner",
    summary="A partner you could replace in weeks at minimal cost is a vendor, not a key partner.",
    message=(
        "“{subject}” is a vendor: you could replace it within weeks at minimal cost. Commodity "
        "providers belong on a vendor list, not among the partners that shape your competitive "
        "position. Remove it from the canvas, or correct its ratings if losing it would really "
        "hurt."
    ),
)
def _kp02(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict == "vendor":
            yield partner.name, NO_PARAMS


@rule(
    "KP03",
    "info",
    "partners",
    title="Borderline partner",
    summary="A partner whose recovery time and replacement cost disagree needs a second look.",
    message=(
        "“{subject}” sends mixed signals: {recovery} to recover, {cost} cost to replace. A key "
        "partner takes months or years and significant cost to replace, a vendor weeks and little "
        "cost. Review both answers and decide which this relationship really is."
    ),
)
def _kp03(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict == "borderline":
            params = {"recovery": partner.recovery_time, "cost": partner.replacement_cost}
            yield partner.name, params


@rule(
    "KP04",
    "warning",
    "partners",
    title="Key partner undocumented",
    summary="A key partner should state its strategic value and what would be lost without it.",
    message=(
        "“{subject}” is a key partner, but {missing} blank. Spelling out what the partner brings "
        "and what you would lose shows advisors and investors why it matters, and helps you sell "
        "your mission to the partner itself. Fill in what is missing."
    ),
)
def _kp04(f: Facts) -> Hits:
    for partner, verdict in f.partners:
        if verdict != "key_partner":
            continue
        missing = [
            text
            for text, value in (
                ("its strategic value", partner.strategic_value),
                ("what would be lost", partner.what_would_be_lost),
            )
            if not value
        ]
        if missing:
            yield partner.name, {"missing": _and(missing) + (" are" if len(missing) > 1 else " is")}


# --- activities ------------------------------------------------------------------------

_TEST_WHY = {
    "relevance": "customers would choose you just the same without it",
    "imitation": "a well-funded competitor could match it within months",
    "breadth": "it serves only your current, narrow application",
}


@rule(
    "KA01",
    "error",
    "activities",
    title="No core activity",
    summary="At least one activity should pass all three core-competency tests.",
    message=(
        "{lead} Without a core activity there is nothing a better-funded competitor could not "
        "copy. Name what you must do better than anyone and rate it honestly for relevance, "
        "difficulty of imitation and breadth of application."
    ),
)
def _ka01(f: Facts) -> Hits:
    if all(failed for _, failed in f.activities):
        if f.activities:
            lead = "No activity passes all three core-competency tests."
        else:
            lead = "You list no activities."
        yield None, {"lead": lead}


@rule(
    "KA02",
    "warning",
    "activities",
    title="Declared core but fails tests",
    summary="An activity declared core must pass all three core-competency tests.",
    message=(
        "“{subject}” is declared core but fails {failed}. Treat it as important but not "
        "core, a candidate for a partner or outsourcing, or strengthen the case and update the "
        "ratings."
    ),
)
def _ka02(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if activity.declared_core and failed:
            reasons = [f"{TESTS[t]} ({_TEST_WHY[t]})" for t in failed]
            yield activity.name, {"failed": _and(reasons)}


@rule(
    "KA03",
    "info",
    "activities",
    title="Core but not declared",
    summary="An activity that passes all three tests is core and should be declared so.",
    message=(
        "“{subject}” passes all three tests but is not declared core. Activities like this are "
        "where your advantage lies, and outsourcing or neglecting them leaves you exposed. Declare "
        "it core and keep it in-house, or revisit the ratings."
    ),
)
def _ka03(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if not activity.declared_core and not failed:
            yield activity.name, NO_PARAMS


@rule(
    "KA04",
    "warning",
    "activities",
    title="Missing rationale",
    summary="Each of an activity's three ratings needs a rationale.",
    message=(
        "“{subject}” gives no reason for its {missing}. A rating without a reason cannot be "
        "challenged by your advisors or your own team, and these tests are where teams are most "
        "tempted to flatter themselves. Write one sentence for each rating."
    ),
)
def _ka04(f: Facts) -> Hits:
    for activity, _ in f.activities:
        missing = [TESTS[t] for t in TEST_NAMES if not getattr(activity, t).rationale]
        if missing:
            noun = "ratings" if len(missing) > 1 else "rating"
            yield activity.name, {"missing": f"{_and(missing)} {noun}"}


@rule(
    "KA05",
    "info",
    "activities",
    title="Non-core activity not assigned",
    summary="An activity that is not core should name who does it instead.",
    message=(
        "“{subject}” is not core, and nobody is named to do it instead. Work that matters but does "
        "not set you apart is a candidate for outsourcing, so your team can focus on what does. "
        "Name the partner or provider that will handle it under Outsourced to."
    ),
)
def _ka05(f: Facts) -> Hits:
    for activity, failed in f.activities:
        if failed and activity.outsourced_to is None:
            yield activity.name, NO_PARAMS


@rule(
    "KA06",
    "warning",
    "activities",
    title="Unknown partner",
    summary="An activity's Outsourced to must name a partner on the canvas.",
    message=(
        "“{subject}” is outsourced to “{target}”, which is not a partner on this canvas. Whoever "
        "does this work should pass through the vendor test like every other relationship. Add "
        "“{target}” to the partners or correct the name."
    ),
)
def _ka06(f: Facts) -> Hits:
    for activity, _ in f.activities:
        target = activity.outsourced_to
        if target is not None and f.doc.partner_named(target) is None:
            yield activity.name, {"target": target}


# --- resources -------------------------------------------------------------------------

_CATEGORY_WHY = {
    "human": (
        "In a knowledge-intensive health business, people such as technical leads, clinical and "
        "regulatory experts and advisors are usually the hardest resource to replace."
    ),
    "physical": (
        "Even labs and equipment you lease or borrow through an incubator or partner should be "
        "listed if your development depends on them."
    ),
    "intellectual": (
        "Patents, know-how, datasets and contracts protect the business, not just the technology, "
        "and make up most of a company's value."
    ),
    "regulatory": (
        "Clearances, certifications and IRB approvals take years to earn, cannot be bought, and are"
        " among the most defensible assets you can hold."
    ),
    "financial": (
        "Cash, grants and investment decide how long you can keep going; managing them is about "
        "survival, not bookkeeping."
    ),
}


@rule(
    "KR01",
    "warning",
    "resources",
    title="Missing category",
    summary="List at least one resource in each of the five categories.",
    message=(
        "You list no {label} resource. {why} Add the {label} resources your model depends on and "
        "what losing them would cost."
    ),
)
def _kr01(f: Facts) -> Hits:
    present = {r.category for r in f.doc.resources}
    for category, label in CATEGORIES.items():
        if category not in present:
            yield category, {"label": label.lower(), "why": _CATEGORY_WHY[category]}


@rule(
    "KR02",
    "error",
    "resources",
    title="Runway unknown",
    summary="Cash on hand and monthly burn must both be given so runway is known.",
    message=(
        "Your runway is unknown because {missing}. Running out of cash before a fundable milestone "
        "is one of the most common and most avoidable reasons medtech ventures fail, so runway is "
        "the one figure to always know. Enter your cash on hand and monthly burn."
    ),
)
def _kr02(f: Facts) -> Hits:
    if f.runway is None and not f.unlimited:
        fin = f.doc.finances
        if fin.cash_on_hand is None and fin.monthly_burn is None:
            missing = "cash on hand and monthly burn are missing"
        else:
            missing = f"{'cash on hand' if fin.cash_on_hand is None else 'monthly burn'} is missing"
        yield None, {"missing": missing}


@rule(
    "KR03",
    "error",
    "resources",
    title="Runway under 6 months",
    summary="Runway under six months is critical.",
    message=(
        "Your runway is {months} months, under six. You risk running out of cash before a milestone"
        " investors will fund, or being pushed into a raise on poor terms. Cut burn or secure "
        "funding now, and aim the raise at your next milestone."
    ),
)
def _kr03(f: Facts) -> Hits:
    if f.runway is not None and f.runway < RUNWAY_CRITICAL:
        yield None, {"months": _months(f.runway, RUNWAY_CRITICAL)}


@rule(
    "KR04",
    "warning",
    "resources",
    title="Runway under 12 months",
    summary="Runway between six and twelve months calls for fundraising plans now.",
    message=(
        "Your runway is {months} months, under a year. Healthcare fundraising takes many months, "
        "and starting late risks a raise on unfavourable terms or losing key hires. Start preparing"
        " the next round, or extend runway, well before you reach six months."
    ),
)
def _kr04(f: Facts) -> Hits:
    if f.runway is not None and RUNWAY_CRITICAL <= f.runway < RUNWAY_COMFORTABLE:
        yield None, {"months": _months(f.runway, RUNWAY_COMFORTABLE)}


@rule(
    "KR05",
    "warning",
    "resources",
    title="Risk if lost missing",
    summary="Each resource should say what losing it would cost.",
    message=(
        "“{subject}” does not say what losing it would cost. Naming the damage and the time to "
        "replace it is what shows whether this is truly a key resource and how hard to protect it. "
        "Describe the risk if it were lost."
    ),
)
def _kr05(f: Facts) -> Hits:
    for resource in f.doc.resources:
        if not resource.risk_if_lost:
            yield resource.name, NO_PARAMS


@rule(
    "KR06",
    "info",
    "resources",
    title="Key-person risk",
    summary="A person who would take a year or more to replace is a key-person risk.",
    message=(
        "“{subject}” would take {months} months to replace. Losing someone that hard to replace "
        "would set back your technology, relationships or regulatory path. Plan retention and "
        "succession, and write down what only this person knows."
    ),
)
def _kr06(f: Facts) -> Hits:
    for resource in f.doc.resources:
        months = resource.replacement_months
        if resource.category == "human" and months is not None and months >= KEY_PERSON_MONTHS:
            yield resource.name, {"months": _number(months)}


# --- readiness -------------------------------------------------------------------------

_QUESTION_ADVICE = {
    "assessment_before_signature": (
        "A gap found before signature is a project plan; found after go-live it is a crisis for "
        "both sides. Review readiness with the lab, IT and compliance leads before the contract is "
        "signed."
    ),
    "requirements_mapped": (
        "Demands on the customer's teams that nobody scoped surface after the contract and stall "
        "deployment. List what your product asks of their lab, IT and clinical teams and check "
        "their capacity during the sale."
    ),
    "customer_success_owns_adoption": (
        "When the sellers move on after signature, nobody owns whether the product is used, and "
        "deployments plateau at low utilisation. Give a customer-success role ownership of "
        "utilisation and expansion, next to the account lead."
    ),
    "operational_case_studies": (
        "Buyers who see only clinical results cannot tell what deployment will ask of their teams. "
        "Add case studies showing how sites handled training, IT and workflow changes."
    ),
    "frontline_staff_engaged": (
        "Staff who use the product every day but had no say in buying it can resist the change it "
        "asks of them. Bring frontline clinicians and lab staff into your engagement plan early."
    ),
}


@rule(
    "RD01",
    "warning",
    "readiness",
    title="Readiness gap",
    summary="Each operational-readiness question answered no is a gap to close.",
    message="You answered no to “{question}”. {advice}",
)
def _rd01(f: Facts) -> Hits:
    for question, answer in f.doc.readiness.answers():
        if answer is False:
            label = READINESS_QUESTIONS[question]
            yield question, {"question": label, "advice": _QUESTION_ADVICE[question]}


@rule(
    "RD02",
    "info",
    "readiness",
    title="Unanswered readiness question",
    summary="Each operational-readiness question should be answered yes or no.",
    message=(
        "Not yet answered: “{question}”. Operational gaps are cheapest to fix when they surface "
        "before the contract is signed. Answer yes or no so any gap shows up early."
    ),
)
def _rd02(f: Facts) -> Hits:
    for question, answer in f.doc.readiness.answers():
        if answer is None:
            yield question, {"question": READINESS_QUESTIONS[question]}


# --- the table and the entry point -----------------------------------------------------

RULES: tuple[Rule, ...] = tuple(sorted(_registered, key=lambda r: (BLOCKS.index(r.block), r.id)))
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


def rules_by_block() -> dict[str, tuple[Rule, ...]]:
    """The rules grouped by block, blocks in SPEC order."""
    return {block: tuple(r for r in RULES if r.block == block) for block in BLOCKS}


def score(findings: tuple[Finding, ...] | list[Finding]) -> int:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    return max(0, 100 - 10 * errors - 3 * warnings)


def evaluate(doc: CanvasDocument) -> Evaluation:
    facts = Facts(doc)
    findings = tuple(finding for r in RULES for finding in r.findings(facts))
    runway = None if facts.runway is None else round(facts.runway, 1) + 0.0  # no "-0.0"
    return Evaluation(
        score=score(findings),
        runway_months=runway,
        runway_unlimited=facts.unlimited,
        partners=tuple(PartnerVerdict(p.name, verdict) for p, verdict in facts.partners),
        activities=tuple(
            ActivityVerdict(a.name, not failed, failed) for a, failed in facts.activities
        ),
        findings=findings,
    )
