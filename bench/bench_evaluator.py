"""Benchmark: evaluate() over 1,000 varied canvas documents in one process.

Run from the repository root:  python bench/bench_evaluator.py [--count N] [--seed S]
No Django. Documents are built deterministically (random.Random(seed)) with a few to
about 50 entries per block, parsed once, then evaluated once each after a warm-up.
"""

from __future__ import annotations

import argparse
import random
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
from canvas.evaluator import evaluate  # noqa: E402

STAGES = ("get", "keep", "grow")
ROUTES = ("direct", "distributor", "platform", "partner", "self_serve")
RATINGS = ("high", "medium", "low")


def text(rng: random.Random, words: int = 6) -> str:
    vocab = ("clinical", "pilot", "sepsis", "device", "ED", "support", "data", "site", "review")
    return " ".join(rng.choice(vocab) for _ in range(words)) if rng.random() > 0.1 else ""


def build(rng: random.Random, index: int) -> dict[str, Any]:
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
                **{
                    test: {"rating": rng.choice(RATINGS), "rationale": text(rng)}
                    for test in ("relevance", "imitation", "breadth")
                },
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


def documents(count: int, seed: int) -> list[CanvasDocument]:
    rng = random.Random(seed)
    return [parse_document(build(rng, i)) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    docs = documents(args.count, args.seed)
    for doc in docs[:50]:  # warm-up
        evaluate(doc)

    start = time.perf_counter()
    findings = sum(len(evaluate(doc).findings) for doc in docs)
    elapsed = time.perf_counter() - start

    entries = sum(
        len(d.channels) + len(d.partners) + len(d.activities) + len(d.resources) for d in docs
    )
    each = elapsed / len(docs) * 1e6
    print(f"evaluate: {len(docs)} documents in {elapsed:.3f} s ({each:.0f} µs each)")
    print(f"  {entries} entries, {findings} findings in total")


if __name__ == "__main__":
    main()
