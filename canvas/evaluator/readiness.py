"""Operational readiness: rules RD01-RD02."""

from __future__ import annotations

from canvas.document import READINESS_QUESTIONS

from .registry import Facts, Hits, rule

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
    about="question",
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
    title="Unanswered readiness questions",
    summary="Each operational-readiness question should be answered yes or no.",
    message=(
        "Not yet answered: {questions}. Operational gaps are cheapest to fix when they surface "
        "before the contract is signed. Answer each yes or no so any gap shows up early."
    ),
)
def _rd02(f: Facts) -> Hits:
    unanswered = [q for q, answer in f.doc.readiness.answers() if answer is None]
    if unanswered:
        yield None, {"questions": "; ".join(f"“{READINESS_QUESTIONS[q]}”" for q in unanswered)}
