"""Guidance shown next to each block of the canvas, in our own words.

Drawn from the Operations tier of the source document (blocks 9-12) and the operational
readiness audit. Pure data: the board (``canvas/board.py``) picks what fits the canvas's
solution type and market stage.
"""

from __future__ import annotations

# --- channels and customer relationships ----------------------------------------------

CHANNELS_INTRO = (
    "How you reach clinicians, buyers and influencers, and how you stay close to them. In "
    "healthcare this is about earning trust more than about marketing: hospitals move slowly, "
    "and the relationships you build before a sale decide whether there will be one."
)

STAGES = {
    "get": (
        "Find and win over the right people before anyone can buy. Early on this is personal: "
        "clinical partnerships and pilots, conferences, scientific content, advisory boards and "
        "accelerators. A pilot run with clinicians as co-designers yields evidence and allies at "
        "the same time."
    ),
    "keep": (
        "Training, onboarding and clinical support decide whether the product becomes routine or "
        "is quietly dropped. Keep direct contact with the people who use it: if intermediaries "
        "own every conversation you stop learning how it is really used. Help early sites measure "
        "and publish their outcomes."
    ),
    "grow": (
        "Spread within the institutions you already serve and use them to open new ones. A "
        "respected reference site that talks to its peers beats any campaign. Late adopters "
        "inside a hospital need their own introduction and training; the contract is not the end "
        "of the work."
    ),
}

MARKET_STAGES = {
    "beachhead": (
        "Beachhead: sell directly, with the founders in the room. The channel's job is to learn; "
        "treat every customer conversation as discovery as much as a sale."
    ),
    "target": (
        "Target market: build a structured direct sales effort and add distributors only where "
        "the economics and the relationship allow it. Where customers need a lot of clinical "
        "support, direct usually wins even though it costs more."
    ),
    "expansion": (
        "Expansion: new regions, segments or institution types usually need a fresh look at the "
        "channel model. What won your target market may not win the next one."
    ),
}

SOLUTION_TYPES = {
    "healthtech": {
        "title": "For devices and diagnostics (HealthTech)",
        "points": [
            (
                "Clinical training is a channel",
                "Complex devices are adopted only once users feel safe and confident with them, "
                "so training belongs to the sale, not to after-sales.",
            ),
            (
                "Field clinical engineers",
                "Technical staff who support clinicians during procedures cost a lot, and repay "
                "it in complex, high-stakes settings.",
            ),
            (
                "Choosing distributors",
                "Abroad, a distributor may handle registration, reimbursement and customers at "
                "once. Pick one for regulatory skill and access to institutions, not for price.",
            ),
        ],
    },
    "digital_medicine": {
        "title": "For software and SaMD (Digital Medicine)",
        "points": [
            (
                "IT security review",
                "Nothing is deployed until the CISO and IT team approve it, on criteria your "
                "clinical champions never see. Map that path next to the clinical one.",
            ),
            (
                "EHR integration",
                "Integration with the hospital's EHR is often a precondition, and a listing on "
                "an EHR marketplace can become a channel of its own.",
            ),
            (
                "Direct to clinician or patient",
                "App stores and consumer channels skip the institutional sale, but rarely bring "
                "reimbursed revenue until a payer or institution covers the product.",
            ),
            (
                "Subscriptions and distributors",
                "Partners used to one-off device sales are paid for transactions, not renewals; "
                "recurring revenue often calls for your own sales team.",
            ),
            (
                "From pilot to enterprise",
                "A departmental pilot is not an enterprise deal. Plan from day one who makes the "
                "wider decision and what evidence they will ask for.",
            ),
        ],
    },
}

# --- key partners --------------------------------------------------------------------

PARTNERS_INTRO = (
    "Organisations without which you could not deliver your value proposition: they bring "
    "capabilities, assets or access you could not build yourselves in reasonable time or budget. "
    "Suppliers of commodity services (bookkeeping, general legal work, office IT, hosting) are "
    "vendors: list them under Vendors instead."
)
VENDORS_INTRO = (
    "Vendors provide a commodity service that any competent provider could fill. They sit beside "
    "the canvas, not on it: no vendor test and no partner rule applies to them. List them so "
    "that activities you outsource to them name who does the work. If a partner turns out to be "
    "a vendor (weeks to recover, minimal cost), move it here."
)
VENDOR_TEST = (
    "If this relationship ended tomorrow, how long would it take you to recover, and what would "
    "it cost you strategically?"
)
VENDOR_TEST_ANSWERS = [
    ("Key partner", "months or years to recover, and a significant cost"),
    ("Vendor", "a few weeks to recover, and a minimal cost"),
    ("Borderline", "any other mix: look again at both answers"),
    ("Not yet assessed", "either answer missing: no verdict yet, and it costs points (KP06)"),
]
PARTNERS_TIP = (
    "Sell your mission to key partners, not just your terms: a manufacturer or research site that "
    "understands the clinical need will invest more and carry more uncertainty with you."
)

# --- key activities ------------------------------------------------------------------

ACTIVITIES_INTRO = (
    "What you must do yourselves because your advantage depends on it; not everything the team "
    "does. Work that matters but does not set you apart is a candidate for a partner or for "
    "outsourcing."
)
TESTS = {
    "relevance": (
        "Does it strongly influence why customers choose you? Evidence generation, regulatory "
        "work and core technology usually do."
    ),
    "imitation": (
        "Would a well-funded competitor need years, not months, to copy it? Proprietary data, "
        "clinical relationships and rare expertise are hard to copy."
    ),
    "breadth": (
        "Does it open markets beyond today's beachhead: other indications, regions or customer "
        "segments?"
    ),
}
TESTS_PASS = (
    "A test passes with a Medium or High rating and fails with Low. An activity is core only when "
    "it passes all three. Write down why for every passing rating, so others can challenge it; a "
    "Low rating needs no defence."
)
UNRATED = (
    "New entries start unrated: the canvas never rates for you. An activity with a test not yet "
    "rated, or a partner not yet through the vendor test, has no verdict and costs points (KA08, "
    "KP06) until you decide, because a score built on answers nobody gave would flatter the "
    "canvas."
)

# --- key resources -------------------------------------------------------------------

RESOURCES_INTRO = (
    "The assets you must have to deliver your promise and stay defensible. Ask of each one: would "
    "losing it seriously weaken our position?"
)
CATEGORIES = {
    "human": (
        "Technical leads, clinical, regulatory and reimbursement experts, advisors who tell you "
        "the truth. Often the hardest to replace."
    ),
    "physical": (
        "Labs, prototyping and test equipment. Lease, borrow or share them early rather than own."
    ),
    "intellectual": (
        "Patents that protect the business rather than one technique, know-how, datasets, site "
        "databases, contracts and brand."
    ),
    "regulatory": (
        "Clearances, certifications, approved indications and IRB approvals: slow to earn, "
        "impossible to buy, and each one eases the next."
    ),
    "financial": (
        "Cash, grants, notes and equity. Managing them is about survival, and runway is the "
        "figure to always know."
    ),
}
RUNWAY = (
    "Runway is cash on hand divided by monthly burn. It only means something against what the "
    "cash must reach: your next fundable milestone. Cash that runs out before the milestone is "
    "the most costly finding on the canvas; reaching it with under six months left leaves too "
    "little time to raise the next round. With no milestone given, under 6 months is critical "
    "and under 12 means start raising now."
)
MILESTONE = (
    "The next fundable milestone is the result an investor will pay for next, such as a 510(k) "
    "submission with validation data, or pilots converted into paid contracts. Give the months "
    "it will take to reach it, and runway is judged against it plus six months to raise."
)

# --- operational readiness -----------------------------------------------------------

READINESS_INTRO = (
    "A signed contract is permission to start, not adoption. Gaps that surface after go-live "
    "stall deployments; found before signature, they are simply part of the plan."
)
