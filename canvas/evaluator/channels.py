"""Channels and customer relationships: rules CH01-CH12."""

from __future__ import annotations

from canvas.document import STAGES

from .registry import NO_PARAMS, Facts, Hits, rule

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
    about="stage",
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
    stage="keep",
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
    solution_type="digital_medicine",
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
    solution_type="digital_medicine",
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
    solution_type="digital_medicine",
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
    solution_type="healthtech",
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
    stage="grow",
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
    stage="keep",
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
    solution_type="digital_medicine",
)
def _ch10(f: Facts) -> Hits:
    if f.doc.venture.solution_type == "digital_medicine" and "ehr_integration" not in f.tags:
        yield None, NO_PARAMS


@rule(
    "CH11",
    "warning",
    "channels",
    title="Distributor not a partner",
    summary="A channel through a distributor needs that distributor among the key partners.",
    message=(
        "“{subject}” goes through a distributor, but no partner on the canvas is a distributor. "
        "Choosing a distributor is a strategic decision, not a procurement one: it holds your "
        "customer relationships and shapes how clinicians meet your product. Add the distributor "
        "as a partner and put it through the vendor test."
    ),
)
def _ch11(f: Facts) -> Hits:
    if any(p.partner_type == "distributor" for p in f.doc.partners):
        return
    for ch in f.doc.channels:
        if ch.route == "distributor":
            yield ch.channel, NO_PARAMS


_DIRECT_TAGS = {"direct_to_patient": "patients", "direct_to_clinician": "clinicians"}


@rule(
    "CH12",
    "warning",
    "channels",
    title="Direct channel without coverage",
    summary=(
        "Under a reimbursement model, selling straight to patients or clinicians earns nothing "
        "until a coverage pathway exists."
    ),
    message=(
        "“{subject}” sells directly to {whom}, but your revenue model is reimbursement. Until a "
        "payer covers the product, such channels bring users but no reimbursable revenue. Map the "
        "coverage pathway first (codes, payer evidence, a market access partner), or price these "
        "channels on a model that does not wait for it."
    ),
    solution_type="digital_medicine",
)
def _ch12(f: Facts) -> Hits:
    venture = f.doc.venture
    if venture.solution_type != "digital_medicine" or venture.revenue_model != "reimbursement":
        return
    for ch in f.doc.channels:
        whom = [who for tag, who in _DIRECT_TAGS.items() if tag in ch.tags]
        if whom:
            yield ch.channel, {"whom": " and ".join(whom)}
