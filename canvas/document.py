"""The canvas document (SPEC §2): the one schema for import, export, versions,
the evaluator and the PDF.

Pure pydantic; no Django imports. ``parse_document`` turns raw JSON (bytes, str)
or an already-decoded object into a ``CanvasDocument`` or raises
``DocumentError`` whose ``problems`` each name a JSON path
(``activities.2.relevance.rating``) and a message a founder understands.

The *canonical form* of a document is ``doc.to_data()``: schema version 2,
``vendors``, ``readiness`` and ``finances`` always present (a ``null`` readiness or
finances becomes all-``null`` answers), whole-number money written as an integer.
Import followed by export gives back the canonical form exactly.

Version 1 documents (no vendors, no milestone) are read too and upgraded on read:
``upgrade_v1`` is the one place that knows the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 is upgraded on read (SPEC §2)
MAX_TEXT = 2000
MAX_ENTRIES = 200

# --- vocabularies (JSON value -> readable label) ---------------------------------

SOLUTION_TYPES = {"healthtech": "HealthTech", "digital_medicine": "Digital Medicine"}
MARKET_STAGES = {
    "beachhead": "Beachhead market",
    "target": "Target market",
    "expansion": "Expansion",
}
REVENUE_MODELS = {
    "capital_sale": "Capital sale",
    "subscription": "Subscription",
    "per_use": "Per use",
    "reimbursement": "Reimbursement",
    "other": "Other",
}
# The canvas's blocks and the other parts a comment can be about, as pages and PDFs title them.
BLOCK_TITLES = {
    "channels": "Channels & Customer Relationships",
    "partners": "Key Partners",
    "activities": "Key Activities",
    "resources": "Key Resources",
    "finances": "Finances",
    "readiness": "Operational readiness",
}
# the blocks made of entries, in the canvas's order
ENTRY_BLOCKS = ("channels", "partners", "activities", "resources")
# every list of entries in the document, in document order (vendors sit beside the canvas)
ENTRY_LISTS = ("channels", "partners", "vendors", "activities", "resources")
VENDORS_TITLE = "Vendors"
STAGES = {"get": "Get", "keep": "Keep", "grow": "Grow"}
ROUTES = {
    "direct": "Direct (own staff or founders)",
    "distributor": "Distributor",
    "platform": "Platform (EHR marketplace, app store)",
    "partner": "Channel or referral partner",
    "self_serve": "Self-serve (portal, webinar, content)",
}
MODES = {"in_person": "In person", "remote": "Remote", "digital": "Digital"}
TAGS = {
    "clinical_partnership": "Clinical partnership",
    "pilot": "Pilot",
    "pilot_conversion": "Pilot-to-enterprise conversion",
    "conference": "Conference",
    "scientific_content": "Scientific content",
    "advisory_board": "Advisory board",
    "accelerator": "Accelerator",
    "clinical_training": "Clinical training",
    "clinical_support": "Clinical support",
    "field_clinical_engineering": "Field clinical engineering",
    "evidence_partnership": "Evidence partnership",
    "it_security_review": "IT security review",
    "ehr_integration": "EHR integration",
    "marketplace_listing": "Marketplace listing",
    "reference_site": "Reference site",
    "internal_expansion": "Internal expansion",
    "enterprise_expansion": "Enterprise expansion",
    "publication": "Publication",
    "direct_to_clinician": "Direct to clinician",
    "direct_to_patient": "Direct to patient",
    "distributor_management": "Distributor management",
    "inside_sales": "Inside sales",
}
PARTNER_TYPES = {
    "clinical_research": "Clinical research partner",
    "contract_manufacturer": "Contract manufacturer (CMO)",
    "contract_research": "Contract research organisation (CRO)",
    "technology": "Technology partner",
    "market_access": "Market access partner",
    "component_supplier": "Component supplier",
    "academic": "Academic collaborator",
    "ehr_platform": "EHR platform",
    "distributor": "Distributor",
    "channel": "Channel partner",
    "referral": "Referral partner",
    "technology_alliance": "Technology alliance",
    "other": "Other",
}
RECOVERY_TIMES = {"weeks": "Weeks (under a month)", "months": "Months", "years": "Years"}
REPLACEMENT_COSTS = {"minimal": "Minimal", "moderate": "Moderate", "significant": "Significant"}
RATINGS = {"high": "High", "medium": "Medium", "low": "Low"}
NOT_RATED = "Not yet rated"  # a rating of null
NOT_ASSESSED = "Not yet assessed"  # a recovery time or replacement cost of null
TESTS = {
    "relevance": "Relevance",
    "imitation": "Difficulty of imitation",
    "breadth": "Breadth of application",
}
CATEGORIES = {
    "human": "Human",
    "physical": "Physical",
    "intellectual": "Intellectual",
    "regulatory": "Regulatory",
    "financial": "Financial",
}
READINESS_QUESTIONS = {
    "assessment_before_signature": (
        "An operational readiness assessment is done before contract signature"
    ),
    "requirements_mapped": (
        "The operational requirements on the customer's lab, IT and clinical teams are mapped"
    ),
    "customer_success_owns_adoption": (
        "A customer-success function owns adoption outcomes, not only implementation"
    ),
    "operational_case_studies": "Commercial materials include operational case studies",
    "frontline_staff_engaged": (
        "Frontline clinical and lab staff are part of stakeholder engagement, "
        "not only decision-makers"
    ),
}

LABELS: dict[str, dict[str, str]] = {
    "solution_type": SOLUTION_TYPES,
    "market_stage": MARKET_STAGES,
    "revenue_model": REVENUE_MODELS,
    "stage": STAGES,
    "route": ROUTES,
    "mode": MODES,
    "tag": TAGS,
    "partner_type": PARTNER_TYPES,
    "recovery_time": RECOVERY_TIMES,
    "replacement_cost": REPLACEMENT_COSTS,
    "rating": RATINGS,
    "test": TESTS,
    "category": CATEGORIES,
    "question": READINESS_QUESTIONS,
}


def label(kind: str, value: str | None) -> str:
    """Readable label for a vocabulary value ('' for None, the value itself if unknown)."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(value, value)


def choice_list(vocabulary: dict[str, str]) -> list[tuple[str, str]]:
    """A vocabulary as (value, label) choices for Django fields and forms."""
    return list(vocabulary.items())


def _literal(values: dict[str, str]) -> Any:
    return Literal[tuple(values)]  # type: ignore[valid-type]


SolutionType = _literal(SOLUTION_TYPES)
MarketStage = _literal(MARKET_STAGES)
RevenueModel = _literal(REVENUE_MODELS)
Stage = _literal(STAGES)
Route = _literal(ROUTES)
Mode = _literal(MODES)
Tag = _literal(TAGS)
PartnerType = _literal(PARTNER_TYPES)
RecoveryTime = _literal(RECOVERY_TIMES)
ReplacementCost = _literal(REPLACEMENT_COSTS)
Rating = _literal(RATINGS)
Category = _literal(CATEGORIES)

# --- field types -------------------------------------------------------------------


# Bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069):
# they can make "abc\u202egnp.exe" display as "abcexe.png" in a page or the PDF. Text keeps
# its letters, right-to-left ones included; only these invisible controls are dropped.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text, and no form can type one: refuse it with its path.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain a NUL character (\\u0000)")
    return value.translate(_BIDI_CONTROLS).strip()


def _non_empty(value: str) -> str:
    if not value:  # only spaces and bidi controls
        raise PydanticCustomError("string_too_short", "must not be empty")
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT), AfterValidator(_no_nul)
]
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
    AfterValidator(_no_nul),
    AfterValidator(_non_empty),
]
Amount = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
Answer = Annotated[bool | None, Field(strict=True)]


def _number_out(value: float | None) -> int | float | None:
    """Whole numbers are written as integers, so 2400000 round-trips as 2400000."""
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Venture(_Model):
    name: Name
    solution_type: SolutionType
    market_stage: MarketStage
    revenue_model: RevenueModel


class Channel(_Model):
    stage: Stage
    channel: Name
    relationship: Text = ""
    route: Route
    mode: Mode | None = None
    tags: Annotated[list[Tag], Field(max_length=len(TAGS))] = []

    @field_validator("tags")
    @classmethod
    def _tags_once(cls, tags: list[str]) -> list[str]:
        seen: set[str] = set()
        for i, tag in enumerate(tags):
            if tag in seen:
                raise PydanticCustomError(
                    "duplicate_tag", "lists the tag '{tag}' twice", {"tag": tag, "index": i}
                )
            seen.add(tag)
        return tags


class Partner(_Model):
    name: Name
    partner_type: PartnerType
    strategic_value: Text = ""
    what_would_be_lost: Text = ""
    recovery_time: RecoveryTime | None  # null: not yet assessed
    replacement_cost: ReplacementCost | None  # null: not yet assessed


class Vendor(_Model):
    """A commodity provider: beside the canvas, never put through the vendor test."""

    name: Name
    service: Text


class Assessment(_Model):
    rating: Rating | None  # null: not yet rated
    rationale: Text = ""


class Activity(_Model):
    name: Name
    relevance: Assessment
    imitation: Assessment
    breadth: Assessment
    declared_core: Annotated[bool, Field(strict=True)] = False
    outsourced_to: Name | None = None


class Resource(_Model):
    name: Name
    category: Category
    why_strategic: Text = ""
    risk_if_lost: Text = ""
    replacement_months: Amount | None = None

    @field_serializer("replacement_months")
    def _out(self, value: float | None) -> int | float | None:
        return _number_out(value)


class Finances(_Model):
    cash_on_hand: Amount | None = None
    monthly_burn: Amount | None = None
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    next_milestone: Text = ""  # the next fundable milestone, in the founder's words
    months_to_milestone: Amount | None = None

    @field_validator("currency", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_serializer("cash_on_hand", "monthly_burn", "months_to_milestone")
    def _out(self, value: float | None) -> int | float | None:
        return _number_out(value)


class Readiness(_Model):
    assessment_before_signature: Answer = None
    requirements_mapped: Answer = None
    customer_success_owns_adoption: Answer = None
    operational_case_studies: Answer = None
    frontline_staff_engaged: Answer = None

    def answers(self) -> list[tuple[str, bool | None]]:
        """(question, answer) pairs in SPEC order."""
        return [(q, getattr(self, q)) for q in READINESS_QUESTIONS]


# fields a version-1 document cannot have (they came with version 2)
_V2_ONLY = {"": ("vendors",), "finances": ("next_milestone", "months_to_milestone")}


def upgrade_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 document as version 2: no vendors, no milestone (SPEC §2). Fields that
    came with version 2 are refused in a version-1 document, each at its path."""
    errors = []
    finances = data.get("finances")
    for where, keys in _V2_ONLY.items():
        obj = data if where == "" else finances
        if isinstance(obj, dict):
            errors += [(where, key) for key in keys if key in obj]
    if errors:
        raise DocumentError(
            [
                Problem(
                    f"{where}.{key}" if where else key,
                    "is not a field of schema version 1 (write schema_version 2 to use it)",
                )
                for where, key in errors
            ]
        )
    return {**data, "schema_version": SCHEMA_VERSION, "vendors": []}


class CanvasDocument(_Model):
    schema_version: Literal[2]
    venture: Venture
    channels: Annotated[list[Channel], Field(max_length=MAX_ENTRIES)]
    partners: Annotated[list[Partner], Field(max_length=MAX_ENTRIES)]
    vendors: Annotated[list[Vendor], Field(max_length=MAX_ENTRIES)] = []
    activities: Annotated[list[Activity], Field(max_length=MAX_ENTRIES)]
    resources: Annotated[list[Resource], Field(max_length=MAX_ENTRIES)]
    finances: Finances = Field(default_factory=Finances)
    readiness: Readiness = Field(default_factory=Readiness)

    @field_validator("schema_version", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        # Literal[2] alone would accept true and 2.0
        if isinstance(value, bool) or not isinstance(value, int):
            raise PydanticCustomError("literal_error", "must be 2", {"expected": "2"})
        return value

    @field_validator("finances", "readiness", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value

    @model_validator(mode="after")
    def _unique_names(self) -> CanvasDocument:
        """A name is either a partner or a vendor, once (compared ignoring case); a repeat
        is reported at the later entry, partners before vendors."""
        seen: dict[str, str] = {}
        for block in ("partners", "vendors"):
            for i, entry in enumerate(getattr(self, block)):
                key = entry.name.casefold()
                if key in seen:
                    raise PydanticCustomError(
                        "duplicate_partner",
                        "'{name}' is already the name of {first} (partner and vendor names are "
                        "compared ignoring case); give each a distinct name",
                        {"name": entry.name, "first": seen[key], "block": block, "index": i},
                    )
                seen[key] = f"{block}.{i}"
        return self

    # --- helpers used by the evaluator, the pages and the PDF -----------------------

    def partner_named(self, name: str | None) -> Partner | None:
        if not name:
            return None
        key = name.casefold()
        return next((p for p in self.partners if p.name.casefold() == key), None)

    def vendor_named(self, name: str | None) -> Vendor | None:
        if not name:
            return None
        key = name.casefold()
        return next((v for v in self.vendors if v.name.casefold() == key), None)

    def provider_named(self, name: str | None) -> Partner | Vendor | None:
        """The partner or vendor of that name (ignoring case): whom an activity may be
        outsourced to."""
        return self.partner_named(name) or self.vendor_named(name)

    def to_data(self) -> dict[str, Any]:
        """The canonical JSON-ready form of this document."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False)


# --- parsing with founder-readable errors ---------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str  # JSON path such as "activities.2.relevance.rating"; "" for the whole document
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


class DocumentError(ValueError):
    """An unreadable or invalid canvas document; ``problems`` lists each one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _choices(error: dict[str, Any]) -> str:
    expected = str(error.get("ctx", {}).get("expected", ""))
    return expected.replace("'", "")


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of the canvas document (check the spelling)"
    if kind == "literal_error":
        if tuple(error["loc"]) == ("schema_version",):
            return (
                f"must be {SCHEMA_VERSION} (this app reads schema versions 1 and 2, "
                "and writes version 2)"
            )
        return f"must be one of: {_choices(error)}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than {MAX_TEXT:,} characters"
    if kind == "too_long":
        return f"holds more than {ctx.get('max_length', MAX_ENTRIES)} entries"
    if kind in ("greater_than_equal",):
        return "must be a number of 0 or more"
    if kind in ("float_type", "float_parsing", "finite_number"):
        return "must be a number (or null)"
    if kind == "bool_type":
        if error["loc"] and error["loc"][0] == "readiness":
            return "must be true, false or null"
        return "must be true or false"
    if kind == "string_type":
        return "must be text"
    if kind == "string_unicode":
        return "must be valid Unicode text"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be an object"
    if kind == "string_pattern_mismatch":
        return "must be a three-letter currency code such as USD or EUR"
    if kind in ("duplicate_partner", "duplicate_tag", "nul_character"):
        return str(error["msg"])
    return str(error.get("msg", "is not valid"))


def _path(error: dict[str, Any]) -> str:
    loc = list(error["loc"])
    if error["type"] == "duplicate_partner":
        loc += [error["ctx"]["block"], error["ctx"]["index"], "name"]
    elif error["type"] == "duplicate_tag":
        loc += [error["ctx"]["index"]]
    return ".".join(str(part) for part in loc)


def problems_from(exc: ValidationError) -> list[Problem]:
    return [Problem(_path(e), _message(e)) for e in exc.errors(include_url=False)]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key '{key}' appears twice in one object")
        result[key] = value
    return result


def load_json(raw: bytes | str) -> Any:
    """Decode JSON text strictly, raising DocumentError with a readable message."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DocumentError([Problem("", "is not UTF-8 text")]) from None
    try:
        return json.loads(
            raw, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys
        )
    except json.JSONDecodeError as exc:
        message = f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        raise DocumentError([Problem("", message)]) from None
    except ValueError as exc:
        raise DocumentError([Problem("", f"is not valid JSON: {exc}")]) from None
    except RecursionError:
        raise DocumentError([Problem("", "is nested too deeply to be a canvas document")]) from None


def parse_document(raw: bytes | str | dict[str, Any] | Any) -> CanvasDocument:
    """Validate raw JSON text or decoded data as a canvas document."""
    data = load_json(raw) if isinstance(raw, bytes | str) else raw
    if not isinstance(data, dict):
        raise DocumentError([Problem("", "must be a JSON object with the canvas fields")])
    version = data.get("schema_version")
    if type(version) is int and version == 1:  # not true, not 1.0: those are refused below
        data = upgrade_v1(data)
    try:
        return CanvasDocument.model_validate(data)
    except ValidationError as exc:
        raise DocumentError(problems_from(exc)) from None


def empty_document(name: str) -> CanvasDocument:
    """A canvas with only its venture's name: a new venture's, or the PDF child's warm-up."""
    return parse_document(
        {
            "schema_version": SCHEMA_VERSION,
            "venture": {
                "name": name,
                "solution_type": "healthtech",
                "market_stage": "beachhead",
                "revenue_model": "other",
            },
            "channels": [],
            "partners": [],
            "activities": [],
            "resources": [],
        }
    )


def json_schema() -> dict[str, Any]:
    schema = CanvasDocument.model_json_schema()
    # What the parser also accepts: null finances/readiness, currency in any case.
    for key in ("finances", "readiness"):
        prop = schema["properties"][key]
        ref = {"$ref": prop.pop("$ref")}
        prop["anyOf"] = [ref, {"type": "null"}]
    currency = schema["$defs"]["Finances"]["properties"]["currency"]
    currency["pattern"] = r"^\s*[A-Za-z]{3}\s*$"
    currency["description"] = "Three-letter currency code (stored upper-case)"
    # Version 1 is read too, and upgraded (SPEC §2); every writer writes version 2.
    schema["properties"]["schema_version"] = {
        "enum": list(READABLE_VERSIONS),
        "description": "2 (version 1 documents are read and upgraded: no vendors, no milestone)",
    }
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Operations Canvas document"
    return schema
