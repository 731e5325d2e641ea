"""Benchmark: evaluate() over 1,000 varied canvas documents (version 2) in one process.

Run from the repository root:
    python bench/bench_evaluator.py [--count N] [--seed S] [--repeat R] [--v1]

No Django. Documents are built deterministically and parsed once, then each is evaluated
once per round after a warm-up; the best round and the median are reported (the best is the
figure to compare: a busy machine only ever makes a round slower).

The documents are in version 2: the channels, partners, activities, resources and finances
of the version-1 benchmark (the same random stream, so the same entries), plus what version 2
brings from a second stream: vendors (some activities outsourced to them), ratings and
vendor-test answers not yet given, a reimbursement revenue model, and a next milestone.
``--v1`` builds the version-1 documents alone, as the benchmark did before rule set 2 (read
and upgraded like any version-1 document), to compare with figures measured then.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from canvas.document import (  # noqa: E402
    CATEGORIES,
    PARTNER_TYPES,
    READINESS_QUESTIONS,
    TAGS,
    CanvasDocument,
    parse_document,
)
from canvas.evaluator import RULESET_VERSION, evaluate  # noqa: E402

STAGES = ("get", "keep", "grow")
ROUTES = ("direct", "distributor", "platform", "partner", "self_serve")
RATINGS = ("high", "medium", "low")
TESTS = ("relevance", "imitation", "breadth")


def text(rng: random.Random, words: int = 6) -> str:
    vocab = ("clinical", "pilot", "sepsis", "device", "ED", "support", "data", "site", "review")
    return " ".join(rng.choice(vocab) for _ in range(words)) if rng.random() > 0.1 else ""


def build_v1(rng: random.Random, index: int) -> dict[str, Any]:
    """A version-1 document (the benchmark's documents before rule set 2)."""
    size = rng.choice((3, 5, 10, 20, 35, 50))
    n = {block: rng.randint(0, size) for block in ("ch", "pa", "ac", "re")}
    partners = [
        {
            "name": f"Partner {index}-{i}",
            "partner_type": rng.choice(tuple(PARTNER_TYPES)),
            "strategic_value": text(rng),
            "what_would_be_lost": text(rng),
            "recovery_time": rng.choice(("weeks", "months", "years")),
            "replacement_cost": rng.choice(("minimal", "moderate", "significant")),
        }
        for i in range(n["pa"])
    ]
    names = [p["name"] for p in partners] + ["Unknown Ltd"]
    return {
        "schema_version": 1,
        "venture": {
            "name": f"Venture {index}",
            "solution_type": rng.choice(("healthtech", "digital_medicine")),
            "market_stage": rng.choice(("beachhead", "target", "expansion")),
            "revenue_model": rng.choice(("capital_sale", "subscription", "per_use", "other")),
        },
        "channels": [
            {
                "stage": rng.choice(STAGES),
                "channel": f"Channel {i}",
                "relationship": text(rng),
                "route": rng.choice(ROUTES),
                "mode": rng.choice(("in_person", "remote", "digital", None)),
                "tags": rng.sample(tuple(TAGS), rng.randint(0, 4)),
            }
            for i in range(n["ch"])
        ],
        "partners": partners,
        "activities": [
            {
                "name": f"Activity {i}",
                **{test: {"rating": rng.choice(RATINGS), "rationale": text(rng)} for test in TESTS},
                "declared_core": rng.random() < 0.4,
                "outsourced_to": rng.choice(names) if rng.random() < 0.5 else None,
            }
            for i in range(n["ac"])
        ],
        "resources": [
            {
                "name": f"Resource {i}",
                "category": rng.choice(tuple(CATEGORIES)),
                "why_strategic": text(rng),
                "risk_if_lost": text(rng),
                "replacement_months": rng.choice((None, 3, 12, 24.5)),
            }
            for i in range(n["re"])
        ],
        "finances": rng.choice(
            (
                None,
                {"cash_on_hand": rng.randint(0, 5_000_000), "monthly_burn": 150_000},
                {"cash_on_hand": 1_000_000, "monthly_burn": 0},
                {"cash_on_hand": None, "monthly_burn": 90_000},
            )
        ),
        "readiness": {q: rng.choice((True, False, None)) for q in READINESS_QUESTIONS},
    }


def build(rng: random.Random, extra: random.Random, index: int) -> dict[str, Any]:
    """A version-2 document: ``build_v1``'s from ``rng``, plus version 2 from ``extra``."""
    data = build_v1(rng, index)
    data["schema_version"] = 2
    vendors = [
        {"name": f"Vendor {index}-{i}", "service": text(extra)}
        for i in range(extra.choice((0, 0, 1, 2, 5)))
    ]
    data["vendors"] = vendors
    if extra.random() < 0.2:
        data["venture"]["revenue_model"] = "reimbursement"
    for partner in data["partners"]:
        if extra.random() < 0.1:
            partner[extra.choice(("recovery_time", "replacement_cost"))] = None
    for activity in data["activities"]:
        for test in TESTS:
            if extra.random() < 0.05:
                activity[test]["rating"] = None
        if vendors and activity["outsourced_to"] is not None and extra.random() < 0.3:
            activity["outsourced_to"] = extra.choice(vendors)["name"].upper()
    if data["finances"] is not None:
        data["finances"]["next_milestone"] = text(extra)
        data["finances"]["months_to_milestone"] = extra.choice((None, 0, 6, 12, 18.5, 30))
    return data


def documents(count: int, seed: int, *, v1: bool = False) -> list[CanvasDocument]:
    rng, extra = random.Random(seed), random.Random(seed + 1)
    if v1:
        return [parse_document(build_v1(rng, i)) for i in range(count)]
    return [parse_document(build(rng, extra, i)) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=7, help="rounds over all the documents")
    parser.add_argument("--v1", action="store_true", help="the version-1 documents alone")
    args = parser.parse_args()

    docs = documents(args.count, args.seed, v1=args.v1)
    for doc in docs[:50]:  # warm-up
        evaluate(doc)

    rounds = []
    for _ in range(max(1, args.repeat)):
        start = time.perf_counter()
        findings = sum(len(evaluate(doc).findings) for doc in docs)
        rounds.append(time.perf_counter() - start)
    best, median = min(rounds), statistics.median(rounds)

    entries = sum(
        len(d.channels) + len(d.partners) + len(d.vendors) + len(d.activities) + len(d.resources)
        for d in docs
    )
    kind = "version 1, upgraded" if args.v1 else "version 2"
    each = best / len(docs) * 1e6
    print(
        f"evaluate: {len(docs)} documents in {best:.3f} s ({each:.0f} µs each; best of "
        f"{len(rounds)} rounds, median {median / len(docs) * 1e6:.0f} µs)"
    )
    print(
        f"  documents in {kind}, rule set {RULESET_VERSION}: {entries} entries, "
        f"{findings} findings in total"
    )


if __name__ == "__main__":
    main()
