"""The canvas document (SPEC §2): parsing, validation paths, canonical form, JSON Schema,
document version 2 (vendors, null ratings and answers, the milestone) and the upgrade of
version 1 on read.

Pure pydantic: no database.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest

from canvas.document import DocumentError, json_schema, parse_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DEMO_FILES = sorted(p for p in FIXTURES.glob("*.json") if not p.name.startswith("invalid_"))
V1_FILES = sorted((FIXTURES / "v1").glob("*.json"))

# Each invalid sample fails for exactly one reason, at this JSON path ("" = the whole document).
INVALID_SAMPLES = [
    ("invalid_unknown_field.json", "channels.0.budget"),
    ("invalid_vocabulary.json", "venture.solution_type"),
    ("invalid_nested_rating.json", "activities.2.relevance.rating"),
    ("invalid_duplicate_partner.json", "partners.1.name"),
    ("invalid_long_text.json", "channels.0.relationship"),
    ("invalid_negative_money.json", "finances.monthly_burn"),
    ("invalid_malformed.json", ""),
    ("invalid_schema_version.json", "schema_version"),
    ("invalid_empty_name.json", "partners.0.name"),
    ("invalid_duplicate_vendor.json", "vendors.0.name"),
    ("invalid_null_vendors.json", "vendors"),
    ("invalid_vendors_in_version_1.json", "vendors"),
    ("invalid_nul_character.json", "partners.0.strategic_value"),
]

# The vocabularies exactly as SPEC §2 lists them.
SPEC_VOCABULARIES = {
    ("Venture", "solution_type"): ["healthtech", "digital_medicine"],
    ("Venture", "market_stage"): ["beachhead", "target", "expansion"],
    ("Venture", "revenue_model"): [
        "capital_sale",
        "subscription",
        "per_use",
        "reimbursement",
        "other",
    ],
    ("Channel", "stage"): ["get", "keep", "grow"],
    ("Channel", "route"): ["direct", "distributor", "platform", "partner", "self_serve"],
    ("Channel", "mode"): ["in_person", "remote", "digital"],
    ("Channel", "tags"): [
        "clinical_partnership",
        "pilot",
        "pilot_conversion",
        "conference",
        "scientific_content",
        "advisory_board",
        "accelerator",
        "clinical_training",
        "clinical_support",
        "field_clinical_engineering",
        "evidence_partnership",
        "it_security_review",
        "ehr_integration",
        "marketplace_listing",
        "reference_site",
        "internal_expansion",
        "enterprise_expansion",
        "publication",
        "direct_to_clinician",
        "direct_to_patient",
        "distributor_management",
        "inside_sales",
    ],
    ("Partner", "partner_type"): [
        "clinical_research",
        "contract_manufacturer",
        "contract_research",
        "technology",
        "market_access",
        "component_supplier",
        "academic",
        "ehr_platform",
        "distributor",
        "channel",
        "referral",
        "technology_alliance",
        "other",
    ],
    ("Partner", "recovery_time"): ["weeks", "months", "years"],
    ("Partner", "replacement_cost"): ["minimal", "moderate", "significant"],
    ("Assessment", "rating"): ["high", "medium", "low"],
    ("Resource", "category"): ["human", "physical", "intellectual", "regulatory", "financial"],
}

READINESS_QUESTIONS = [
    "assessment_before_signature",
    "requirements_mapped",
    "customer_success_owns_adoption",
    "operational_case_studies",
    "frontline_staff_engaged",
]


# --- helpers ---------------------------------------------------------------------------


def minimal() -> dict[str, Any]:
    """A small valid version-2 document with one entry in each list."""
    return {
        "schema_version": 2,
        "venture": {
            "name": "Test Venture",
            "solution_type": "healthtech",
            "market_stage": "beachhead",
            "revenue_model": "capital_sale",
        },
        "channels": [
            {"stage": "get", "channel": "Pilot at one academic ED", "route": "direct"},
        ],
        "partners": [
            {
                "name": "Acme Labs",
                "partner_type": "clinical_research",
                "recovery_time": "months",
                "replacement_cost": "significant",
            },
        ],
        "vendors": [{"name": "Ledgerline Bookkeeping", "service": "Monthly books"}],
        "activities": [
            {
                "name": "Sensor design",
                "relevance": {"rating": "high"},
                "imitation": {"rating": "medium"},
                "breadth": {"rating": "low"},
            },
        ],
        "resources": [{"name": "Patent portfolio", "category": "intellectual"}],
        "finances": {
            "cash_on_hand": 100000,
            "monthly_burn": 10000,
            "currency": "USD",
            "next_milestone": "510(k) submitted",
            "months_to_milestone": 14,
        },
        "readiness": {"requirements_mapped": True},
    }


def minimal_v1() -> dict[str, Any]:
    """The same document as version 1 wrote it: no vendors, no milestone."""
    data = minimal()
    data["schema_version"] = 1
    del data["vendors"]
    del data["finances"]["next_milestone"], data["finances"]["months_to_milestone"]
    return data


def problems_of(raw: Any) -> list[tuple[str, str]]:
    with pytest.raises(DocumentError) as caught:
        parse_document(raw)
    return [(p.path, p.message) for p in caught.value.problems]


def paths_of(raw: Any) -> list[str]:
    return [path for path, _ in problems_of(raw)]


def entry(block: str, i: int) -> dict[str, Any]:
    """A valid entry number ``i`` of a block (partner names kept distinct)."""
    entries = {
        "channels": {"stage": "get", "channel": f"Channel {i}", "route": "direct"},
        "partners": {
            "name": f"Partner {i}",
            "partner_type": "other",
            "recovery_time": "weeks",
            "replacement_cost": "minimal",
        },
        "activities": {
            "name": f"Activity {i}",
            "relevance": {"rating": "low"},
            "imitation": {"rating": "low"},
            "breadth": {"rating": "low"},
        },
        "resources": {"name": f"Resource {i}", "category": "human"},
        "vendors": {"name": f"Vendor {i}", "service": ""},
    }
    return entries[block]


def looks_like_a_traceback(message: str) -> bool:
    leaks = ("Traceback", "pydantic", "Input should", "type=", "<class", "errors.pydantic.dev")
    return any(leak in message for leak in leaks)


# --- the fixtures ------------------------------------------------------------------------


@pytest.mark.parametrize(("filename", "path"), INVALID_SAMPLES)
def test_each_invalid_sample_is_refused_at_its_json_path(filename: str, path: str) -> None:
    problems = problems_of((FIXTURES / filename).read_bytes())

    assert [p for p, _ in problems] == [path]
    message = problems[0][1]
    assert message.strip()
    assert not looks_like_a_traceback(message), message


def test_every_invalid_sample_file_is_in_the_table() -> None:
    on_disk = {p.name for p in FIXTURES.glob("invalid_*.json")}

    assert on_disk == {name for name, _ in INVALID_SAMPLES}


@pytest.mark.parametrize("path", DEMO_FILES, ids=lambda p: p.stem)
def test_every_demo_fixture_parses_and_is_canonical(path: Path) -> None:
    raw = path.read_bytes()
    doc = parse_document(raw)

    assert doc.to_data() == json.loads(raw)
    assert raw.decode("utf-8") == json.dumps(doc.to_data(), indent=2, ensure_ascii=False) + "\n"


def test_demo_fixtures_hold_both_worked_examples_and_four_more_ventures() -> None:
    ventures = {p.stem: parse_document(p.read_bytes()).venture for p in DEMO_FILES}

    assert ventures["sepsis-dx"].solution_type == "healthtech"
    assert ventures["sepsis-predict"].solution_type == "digital_medicine"
    others = [slug for slug in ventures if slug.startswith("demo-")]
    assert len(others) >= 4
    assert {v.solution_type for v in ventures.values()} == {"healthtech", "digital_medicine"}


def test_sepsis_dx_holds_every_row_of_the_worked_example_tables() -> None:
    doc = parse_document((FIXTURES / "sepsis-dx.json").read_bytes())

    assert [c.stage for c in doc.channels] == ["get", "get", "keep", "keep", "grow", "grow"]
    assert len(doc.partners) == 5
    assert [a.declared_core for a in doc.activities] == [True, True, True, False, False]
    assert len(doc.resources) == 6
    assert doc.finances.cash_on_hand == 2400000
    assert round(doc.finances.cash_on_hand / doc.finances.monthly_burn) == 18


def test_sepsis_predict_holds_every_row_of_the_worked_example_tables() -> None:
    doc = parse_document((FIXTURES / "sepsis-predict.json").read_bytes())

    assert [c.stage for c in doc.channels] == ["get", "get", "keep", "keep", "grow", "grow"]
    # "outsource audit, maintain controls internally": one source row, two activities
    assert len(doc.activities) == 6
    assert [a.name for a in doc.activities if a.name.startswith("Security compliance")] == [
        "Security compliance (SOC 2, HIPAA): controls",
        "Security compliance (SOC 2, HIPAA): independent audit",
    ]
    assert [v.name for v in doc.vendors] == ["SOC 2 audit firm", "Cloud infrastructure provider"]
    assert len(doc.resources) == 6
    assert "physical" not in {r.category for r in doc.resources}
    assert round(doc.finances.cash_on_hand / doc.finances.monthly_burn) == 20


# --- text ----------------------------------------------------------------------------------


def test_text_fields_are_trimmed() -> None:
    data = minimal()
    data["venture"]["name"] = "  Test Venture \n"
    data["channels"][0]["relationship"] = "\tCollaborative  "
    data["partners"][0]["name"] = " Acme Labs "
    data["activities"][0]["outsourced_to"] = "  acme labs  "

    doc = parse_document(data)

    assert doc.venture.name == "Test Venture"
    assert doc.channels[0].relationship == "Collaborative"
    assert doc.partners[0].name == "Acme Labs"
    assert doc.activities[0].outsourced_to == "acme labs"
    assert doc.partner_named(doc.activities[0].outsourced_to) is doc.partners[0]


def test_text_of_2000_characters_is_allowed_and_2001_refused() -> None:
    data = minimal()
    data["channels"][0]["relationship"] = "x" * 2000
    assert len(parse_document(data).channels[0].relationship) == 2000

    data["channels"][0]["relationship"] = "x" * 2001
    assert paths_of(data) == ["channels.0.relationship"]


def test_a_name_of_only_spaces_is_refused_but_an_empty_rationale_is_allowed() -> None:
    data = minimal()
    data["activities"][0]["relevance"]["rationale"] = "   "
    assert parse_document(data).activities[0].relevance.rationale == ""

    data["activities"][0]["name"] = "   "
    assert paths_of(data) == ["activities.0.name"]


# --- lists ---------------------------------------------------------------------------------


@pytest.mark.parametrize("block", ["channels", "partners", "vendors", "activities", "resources"])
def test_a_block_of_200_entries_is_allowed_and_201_refused(block: str) -> None:
    data = minimal()
    data[block] = [entry(block, i) for i in range(200)]
    assert len(getattr(parse_document(data), block)) == 200

    data[block].append(entry(block, 200))
    assert paths_of(data) == [block]


def test_a_tag_listed_twice_is_refused() -> None:
    data = minimal()
    data["channels"][0]["tags"] = ["pilot", "conference", "pilot"]

    assert paths_of(data) == ["channels.0.tags.2"]


def test_an_unknown_tag_is_refused() -> None:
    data = minimal()
    data["channels"][0]["tags"] = ["pilot", "webinar"]

    assert paths_of(data) == ["channels.0.tags.1"]


def test_partner_names_are_unique_ignoring_case() -> None:
    data = minimal()
    data["partners"].append({**data["partners"][0], "name": "aCmE lAbS"})

    problems = problems_of(data)

    assert [p for p, _ in problems] == ["partners.1.name"]
    assert "aCmE lAbS" in problems[0][1]


def test_partners_with_different_names_are_accepted() -> None:
    data = minimal()
    data["partners"].append({**data["partners"][0], "name": "Acme Labs Europe"})

    assert len(parse_document(data).partners) == 2


def test_outsourced_to_naming_no_partner_is_not_a_validation_error() -> None:
    data = minimal()
    data["activities"][0]["outsourced_to"] = "Somebody Not On The Canvas"

    doc = parse_document(data)

    assert doc.activities[0].outsourced_to == "Somebody Not On The Canvas"
    assert doc.partner_named("Somebody Not On The Canvas") is None


def test_an_empty_outsourced_to_is_refused() -> None:
    data = minimal()
    data["activities"][0]["outsourced_to"] = ""

    assert paths_of(data) == ["activities.0.outsourced_to"]


def test_empty_blocks_are_accepted() -> None:
    data = minimal()
    for block in ("channels", "partners", "activities", "resources"):
        data[block] = []

    doc = parse_document(data)

    assert (doc.channels, doc.partners, doc.activities, doc.resources) == ([], [], [], [])


# --- readiness and finances -------------------------------------------------------------------


@pytest.mark.parametrize("readiness", ["omitted", None, {}])
def test_omitted_or_null_readiness_becomes_all_null_answers(readiness: Any) -> None:
    data = minimal()
    if readiness == "omitted":
        del data["readiness"]
    else:
        data["readiness"] = readiness

    canonical = parse_document(data).to_data()

    assert canonical["readiness"] == dict.fromkeys(READINESS_QUESTIONS)
    assert list(canonical["readiness"]) == READINESS_QUESTIONS


def test_a_single_readiness_answer_may_be_null() -> None:
    data = minimal()
    data["readiness"] = {"requirements_mapped": None, "frontline_staff_engaged": False}

    readiness = parse_document(data).to_data()["readiness"]

    assert readiness["requirements_mapped"] is None
    assert readiness["frontline_staff_engaged"] is False


@pytest.mark.parametrize("finances", ["omitted", None])
def test_null_or_omitted_finances_is_accepted(finances: Any) -> None:
    data = minimal()
    if finances == "omitted":
        del data["finances"]
    else:
        data["finances"] = finances

    canonical = parse_document(data).to_data()

    assert canonical["finances"] == {
        "cash_on_hand": None,
        "monthly_burn": None,
        "currency": "USD",
        "next_milestone": "",
        "months_to_milestone": None,
    }


def test_currency_in_lower_case_is_normalised_to_upper_case() -> None:
    data = minimal()
    data["finances"]["currency"] = " eur "

    assert parse_document(data).finances.currency == "EUR"


@pytest.mark.parametrize("currency", ["US", "USDX", "U$D", "", None])
def test_a_currency_that_is_not_three_letters_is_refused(currency: Any) -> None:
    data = minimal()
    data["finances"]["currency"] = currency

    assert paths_of(data) == ["finances.currency"]


def test_whole_number_money_is_written_as_an_integer_and_fractions_are_kept() -> None:
    data = minimal()
    data["finances"] = {"cash_on_hand": 2400000.0, "monthly_burn": 133333.5}
    data["resources"][0]["replacement_months"] = 12.0

    canonical = parse_document(data).to_data()

    assert canonical["finances"]["cash_on_hand"] == 2400000
    assert isinstance(canonical["finances"]["cash_on_hand"], int)
    assert canonical["finances"]["monthly_burn"] == 133333.5
    assert isinstance(canonical["resources"][0]["replacement_months"], int)


def test_zero_money_is_allowed() -> None:
    data = minimal()
    data["finances"] = {"cash_on_hand": 0, "monthly_burn": 0}

    assert parse_document(data).finances.monthly_burn == 0


def test_replacement_months_may_be_null() -> None:
    data = minimal()
    data["resources"][0]["replacement_months"] = None

    assert parse_document(data).resources[0].replacement_months is None


def test_negative_replacement_months_is_refused() -> None:
    data = minimal()
    data["resources"][0]["replacement_months"] = -1

    assert paths_of(data) == ["resources.0.replacement_months"]


# --- strict types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("finances", "cash_on_hand"), "finances.cash_on_hand"),
        (("finances", "monthly_burn"), "finances.monthly_burn"),
        (("resources", 0, "replacement_months"), "resources.0.replacement_months"),
    ],
)
@pytest.mark.parametrize("value", ["12", "12 months", True])
def test_strings_and_booleans_for_numbers_are_refused(
    where: tuple[Any, ...], path: str, value: Any
) -> None:
    data = minimal()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value

    assert paths_of(data) == [path]


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("activities", 0, "declared_core"), "activities.0.declared_core"),
        (("readiness", "requirements_mapped"), "readiness.requirements_mapped"),
    ],
)
@pytest.mark.parametrize("value", ["true", "yes", 1, 0])
def test_strings_and_numbers_for_booleans_are_refused(
    where: tuple[Any, ...], path: str, value: Any
) -> None:
    data = minimal()
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value

    problems = problems_of(data)

    assert [p for p, _ in problems] == [path]
    assert "true" in problems[0][1]


def test_nan_in_json_text_is_refused() -> None:
    text = json.dumps(minimal()).replace('"cash_on_hand": 100000', '"cash_on_hand": NaN')
    assert "NaN" in text

    assert paths_of(text) == [""]


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_nan_and_infinity_in_decoded_data_are_refused(value: float) -> None:
    data = minimal()
    data["finances"]["monthly_burn"] = value

    assert paths_of(data) == ["finances.monthly_burn"]


def test_infinity_in_json_text_is_refused() -> None:
    text = json.dumps(minimal()).replace('"monthly_burn": 10000', '"monthly_burn": Infinity')

    assert paths_of(text) == [""]


def test_duplicate_json_keys_are_refused() -> None:
    text = json.dumps(minimal())
    text = text.replace('"stage": "get"', '"stage": "get", "stage": "keep"')

    problems = problems_of(text)

    assert [p for p, _ in problems] == [""]
    assert "stage" in problems[0][1]


@pytest.mark.parametrize("raw", [b"[]", b'[{"schema_version": 1}]', b'"canvas"', b"42", b"null"])
def test_a_top_level_value_that_is_not_an_object_is_refused(raw: bytes) -> None:
    assert paths_of(raw) == [""]


def test_text_that_is_not_utf8_is_refused() -> None:
    assert paths_of(b'{"schema_version": 1, "venture": "\xff"}') == [""]


def test_a_utf8_byte_order_mark_is_accepted() -> None:
    raw = b"\xef\xbb\xbf" + json.dumps(minimal()).encode("utf-8")

    assert parse_document(raw).venture.name == "Test Venture"


# --- shape -----------------------------------------------------------------------------------


def test_an_unknown_field_is_refused_at_any_depth() -> None:
    data = minimal()
    data["notes"] = "x"
    data["activities"][0]["relevance"]["score"] = 3

    assert sorted(paths_of(data)) == ["activities.0.relevance.score", "notes"]


def test_every_problem_is_reported_with_its_own_path() -> None:
    data = minimal()
    data["venture"]["market_stage"] = "seed"
    data["channels"][0]["mode"] = "phone"
    del data["partners"][0]["recovery_time"]

    assert sorted(paths_of(data)) == [
        "channels.0.mode",
        "partners.0.recovery_time",
        "venture.market_stage",
    ]


def test_parsing_accepts_bytes_text_and_decoded_data_alike() -> None:
    data = minimal()
    text = json.dumps(data)

    expected = parse_document(data).to_data()

    assert parse_document(text).to_data() == expected
    assert parse_document(text.encode("utf-8")).to_data() == expected


def test_the_canonical_form_lists_every_field_in_schema_order() -> None:
    canonical = parse_document(minimal()).to_data()

    assert list(canonical) == [
        "schema_version",
        "venture",
        "channels",
        "partners",
        "vendors",
        "activities",
        "resources",
        "finances",
        "readiness",
    ]
    assert canonical["channels"][0] == {
        "stage": "get",
        "channel": "Pilot at one academic ED",
        "relationship": "",
        "route": "direct",
        "mode": None,
        "tags": [],
    }
    assert canonical["schema_version"] == 2
    assert canonical["vendors"] == [{"name": "Ledgerline Bookkeeping", "service": "Monthly books"}]
    assert list(canonical["finances"]) == [
        "cash_on_hand",
        "monthly_burn",
        "currency",
        "next_milestone",
        "months_to_milestone",
    ]
    assert canonical["activities"][0]["declared_core"] is False
    assert canonical["activities"][0]["outsourced_to"] is None
    assert parse_document(canonical).to_data() == canonical


def test_a_document_is_not_changed_by_parsing() -> None:
    data = minimal()
    before = copy.deepcopy(data)

    parse_document(data)

    assert data == before


# --- JSON Schema ---------------------------------------------------------------------------------


def test_json_schema_forbids_additional_properties_on_every_object() -> None:
    schema = json_schema()
    objects = [schema, *schema["$defs"].values()]

    assert set(schema["$defs"]) == {
        "Venture",
        "Channel",
        "Partner",
        "Vendor",
        "Assessment",
        "Activity",
        "Resource",
        "Finances",
        "Readiness",
    }
    for obj in objects:
        assert obj["type"] == "object"
        assert obj["additionalProperties"] is False, obj.get("title")


def _enum(prop: dict[str, Any]) -> list[str]:
    if "items" in prop:
        prop = prop["items"]
    for option in prop.get("anyOf", [prop]):
        if "enum" in option:
            return option["enum"]
    raise AssertionError(f"no enum in {prop}")


@pytest.mark.parametrize(("where", "values"), SPEC_VOCABULARIES.items(), ids=lambda v: str(v))
def test_json_schema_lists_the_vocabulary(where: tuple[str, str], values: list[str]) -> None:
    model, field = where
    prop = json_schema()["$defs"][model]["properties"][field]

    assert _enum(prop) == values


def test_json_schema_caps_text_length_and_list_size() -> None:
    schema = json_schema()

    assert schema["$defs"]["Channel"]["properties"]["relationship"]["maxLength"] == 2000
    assert schema["$defs"]["Partner"]["properties"]["name"]["minLength"] == 1
    assert schema["$defs"]["Vendor"]["properties"]["name"]["minLength"] == 1
    assert "minLength" not in schema["$defs"]["Vendor"]["properties"]["service"]
    for block in ("channels", "partners", "vendors", "activities", "resources"):
        assert schema["properties"][block]["maxItems"] == 200


# --- schema_version ----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [True, False, 1.0, 2.0, "1", "2", 0, 3, None, [2]])
def test_a_schema_version_other_than_1_or_2_is_refused_at_schema_version(version: Any) -> None:
    data = minimal()
    data["schema_version"] = version

    problems = problems_of(data)

    assert [p for p, _ in problems] == ["schema_version"]
    assert "must be 2" in problems[0][1]


def test_a_document_without_schema_version_is_refused() -> None:
    data = minimal()
    del data["schema_version"]

    assert problems_of(data) == [("schema_version", "is required")]


def test_schema_version_3_is_refused_naming_what_this_app_reads() -> None:
    problems = problems_of((FIXTURES / "invalid_schema_version.json").read_bytes())

    assert problems == [
        (
            "schema_version",
            "must be 2 (this app reads schema versions 1 and 2, and writes version 2)",
        )
    ]


def test_deeply_nested_json_is_refused_as_a_document_error() -> None:
    assert paths_of('{"notes": ' + "[" * 100_000) == [""]


@pytest.mark.parametrize("block", ["finances", "readiness"])
def test_json_schema_allows_null_finances_and_readiness(block: str) -> None:
    prop = json_schema()["properties"][block]

    assert {"type": "null"} in prop.get("anyOf", [])


@pytest.mark.parametrize("block", ["channels", "partners", "activities", "resources"])
def test_every_block_must_be_present_even_when_empty(block: str) -> None:
    data = json.loads((FIXTURES / "sepsis-dx.json").read_text())
    del data[block]
    with pytest.raises(DocumentError) as raised:
        parse_document(data)
    assert [(p.path, p.message) for p in raised.value.problems] == [(block, "is required")]


# --- version 2: vendors -------------------------------------------------------------------------


def test_vendors_are_read_with_their_service_which_may_be_empty() -> None:
    data = minimal()
    data["vendors"] = [
        {"name": " Ledgerline Bookkeeping ", "service": "  Monthly books "},
        {"name": "Cloud host", "service": ""},
    ]

    doc = parse_document(data)

    assert [(v.name, v.service) for v in doc.vendors] == [
        ("Ledgerline Bookkeeping", "Monthly books"),
        ("Cloud host", ""),
    ]


def test_omitted_vendors_mean_an_empty_list_written_out_in_the_canonical_form() -> None:
    data = minimal()
    del data["vendors"]

    canonical = parse_document(data).to_data()

    assert canonical["vendors"] == []
    assert list(canonical).index("vendors") == list(canonical).index("partners") + 1


def test_null_vendors_are_refused() -> None:
    data = minimal()
    data["vendors"] = None

    assert paths_of(data) == ["vendors"]


@pytest.mark.parametrize(
    ("vendor", "path"),
    [
        ({"name": "", "service": "Books"}, "vendors.0.name"),
        ({"name": "   ", "service": "Books"}, "vendors.0.name"),
        ({"service": "Books"}, "vendors.0.name"),
        ({"name": "Books Co"}, "vendors.0.service"),
        ({"name": "Books Co", "service": None}, "vendors.0.service"),
        ({"name": "Books Co", "service": "x" * 2001}, "vendors.0.service"),
        ({"name": "Books Co", "service": "", "partner_type": "other"}, "vendors.0.partner_type"),
        ({"name": "Books Co", "service": "", "recovery_time": "weeks"}, "vendors.0.recovery_time"),
        ("Books Co", "vendors.0"),
    ],
)
def test_a_vendor_needs_a_name_and_a_service_and_has_no_vendor_test(vendor: Any, path: str) -> None:
    data = minimal()
    data["vendors"] = [vendor]

    assert paths_of(data) == [path]


# --- version 2: names unique across partners and vendors --------------------------------------


def test_a_vendor_named_like_a_partner_is_reported_at_the_vendor() -> None:
    data = minimal()
    data["vendors"] = [{"name": "Ledgerline", "service": ""}, {"name": "ACME labs", "service": ""}]

    problems = problems_of(data)

    assert [p for p, _ in problems] == ["vendors.1.name"]
    assert "ACME labs" in problems[0][1]
    assert "partners.0" in problems[0][1]


def test_a_repeated_vendor_name_is_reported_at_the_later_vendor() -> None:
    data = minimal()
    data["vendors"] = [{"name": "Ledgerline", "service": ""}, {"name": "ledgerLINE", "service": ""}]

    assert paths_of(data) == ["vendors.1.name"]


def test_a_repeated_partner_name_is_reported_before_a_repeated_vendor_name() -> None:
    data = minimal()
    data["partners"].append({**data["partners"][0], "name": "acme LABS"})
    data["vendors"] = [{"name": "Acme Labs", "service": ""}]

    assert paths_of(data) == ["partners.1.name"]


def test_names_are_compared_after_trimming() -> None:
    data = minimal()
    data["vendors"] = [{"name": "  Acme Labs\t", "service": ""}]

    assert paths_of(data) == ["vendors.0.name"]


def test_distinct_partner_and_vendor_names_are_accepted_and_found_ignoring_case() -> None:
    data = minimal()
    data["activities"][0]["outsourced_to"] = "LEDGERLINE bookkeeping"

    doc = parse_document(data)

    assert doc.provider_named(doc.activities[0].outsourced_to) is doc.vendors[0]
    assert doc.provider_named("acme labs") is doc.partners[0]
    assert doc.partner_named("Ledgerline Bookkeeping") is None
    assert doc.provider_named("Nobody") is None


# --- version 2: null ratings and answers, the milestone -----------------------------------------


def test_ratings_and_vendor_test_answers_may_be_null_for_not_yet_rated() -> None:
    data = minimal()
    data["activities"][0]["relevance"] = {"rating": None, "rationale": ""}
    data["activities"][0]["breadth"] = {"rating": None}
    data["partners"][0]["recovery_time"] = None
    data["partners"][0]["replacement_cost"] = None

    canonical = parse_document(data).to_data()

    assert canonical["activities"][0]["relevance"] == {"rating": None, "rationale": ""}
    assert canonical["activities"][0]["breadth"] == {"rating": None, "rationale": ""}
    assert canonical["partners"][0]["recovery_time"] is None
    assert canonical["partners"][0]["replacement_cost"] is None


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (("activities", 0, "relevance", "rating"), "activities.0.relevance.rating"),
        (("partners", 0, "recovery_time"), "partners.0.recovery_time"),
        (("partners", 0, "replacement_cost"), "partners.0.replacement_cost"),
    ],
)
def test_a_rating_or_answer_left_out_is_required_not_taken_as_null(
    where: tuple[Any, ...], path: str
) -> None:
    data = minimal()
    target: Any = data
    for key in where[:-1]:
        target = target[key]
    del target[where[-1]]

    assert problems_of(data) == [(path, "is required")]


def test_the_milestone_is_read_with_its_months() -> None:
    data = minimal()
    data["finances"]["next_milestone"] = "  510(k) submitted  "
    data["finances"]["months_to_milestone"] = 14.5

    finances = parse_document(data).to_data()["finances"]

    assert finances["next_milestone"] == "510(k) submitted"
    assert finances["months_to_milestone"] == 14.5


def test_months_to_milestone_may_be_0_and_whole_months_are_written_as_integers() -> None:
    data = minimal()
    data["finances"]["months_to_milestone"] = 0.0

    value = parse_document(data).to_data()["finances"]["months_to_milestone"]

    assert value == 0
    assert isinstance(value, int)


def test_the_milestone_may_be_left_out() -> None:
    data = minimal()
    del data["finances"]["next_milestone"], data["finances"]["months_to_milestone"]

    finances = parse_document(data).to_data()["finances"]

    assert (finances["next_milestone"], finances["months_to_milestone"]) == ("", None)


@pytest.mark.parametrize("value", [-1, -0.5, "14", True, math.inf])
def test_months_to_milestone_must_be_a_number_of_0_or_more_or_null(value: Any) -> None:
    data = minimal()
    data["finances"]["months_to_milestone"] = value

    assert paths_of(data) == ["finances.months_to_milestone"]


@pytest.mark.parametrize("value", [None, 14, "x" * 2001])
def test_next_milestone_must_be_text_of_at_most_2000_characters(value: Any) -> None:
    data = minimal()
    data["finances"]["next_milestone"] = value

    assert paths_of(data) == ["finances.next_milestone"]


# --- the upgrade of version 1 --------------------------------------------------------------------


def upgraded(v1: dict[str, Any]) -> dict[str, Any]:
    """What a version-1 document reads as: version 2, no vendors (after the partners), no
    milestone; everything else as it was."""
    out: dict[str, Any] = {}
    for key, value in v1.items():
        out[key] = 2 if key == "schema_version" else value
        if key == "partners":
            out["vendors"] = []
    if isinstance(out.get("finances"), dict):
        out["finances"] = {**out["finances"], "next_milestone": "", "months_to_milestone": None}
    return out


def test_there_is_a_version_1_copy_of_every_demo_fixture() -> None:
    assert [p.name for p in V1_FILES] == [p.name for p in DEMO_FILES]
    assert all(json.loads(p.read_text())["schema_version"] == 1 for p in V1_FILES)


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: f"v1/{p.stem}")
def test_each_version_1_fixture_reads_as_the_same_canvas_with_no_vendors_and_no_milestone(
    path: Path,
) -> None:
    v1 = json.loads(path.read_text())

    canonical = parse_document(path.read_bytes()).to_data()

    assert canonical == upgraded(v1)
    assert list(canonical) == list(upgraded(v1))
    assert canonical["schema_version"] == 2
    assert canonical["vendors"] == []
    assert canonical["finances"]["next_milestone"] == ""
    assert canonical["finances"]["months_to_milestone"] is None
    # the upgrade is done once: the canonical form reads back as itself
    assert parse_document(canonical).to_data() == canonical


@pytest.mark.parametrize("path", V1_FILES, ids=lambda p: f"v1/{p.stem}")
def test_the_version_2_fixture_differs_from_its_version_1_copy_only_by_version_2_content(
    path: Path,
) -> None:
    """The fixtures moved to version 2 keep their ventures (the worked examples may move
    partners to the vendor list and name a milestone, nothing else about the venture)."""
    old = parse_document(path.read_bytes())
    new = parse_document((FIXTURES / path.name).read_bytes())

    assert new.venture == old.venture
    assert [c.channel for c in new.channels] == [c.channel for c in old.channels]
    assert [r.name for r in new.resources] == [r.name for r in old.resources]
    moved = {v.name for v in new.vendors}
    assert {p.name for p in new.partners} | moved >= {p.name for p in old.partners}


def test_a_version_1_document_reads_as_version_2_without_vendors_or_milestone() -> None:
    expected = minimal()
    expected["vendors"] = []
    expected["finances"]["next_milestone"] = ""
    expected["finances"]["months_to_milestone"] = None

    canonical = parse_document(json.dumps(minimal_v1()).encode()).to_data()

    assert canonical == parse_document(expected).to_data()
    assert canonical["finances"] == {
        "cash_on_hand": 100000,
        "monthly_burn": 10000,
        "currency": "USD",
        "next_milestone": "",
        "months_to_milestone": None,
    }


@pytest.mark.parametrize("finances", ["omitted", None])
def test_a_version_1_document_without_finances_is_upgraded(finances: Any) -> None:
    data = minimal_v1()
    if finances == "omitted":
        del data["finances"]
    else:
        data["finances"] = finances

    canonical = parse_document(data).to_data()

    assert canonical["finances"]["next_milestone"] == ""
    assert canonical["finances"]["months_to_milestone"] is None


def test_upgrading_does_not_change_the_data_it_was_given() -> None:
    data = minimal_v1()
    before = copy.deepcopy(data)

    parse_document(data)

    assert data == before


@pytest.mark.parametrize(
    ("edit", "paths"),
    [
        ({"vendors": []}, ["vendors"]),
        ({"vendors": [{"name": "Ledgerline", "service": ""}]}, ["vendors"]),
        ({"vendors": None}, ["vendors"]),
        ({"finances.next_milestone": "510(k)"}, ["finances.next_milestone"]),
        ({"finances.months_to_milestone": 14}, ["finances.months_to_milestone"]),
        ({"finances.months_to_milestone": None}, ["finances.months_to_milestone"]),
        (
            {"vendors": [], "finances.next_milestone": "", "finances.months_to_milestone": 3},
            ["vendors", "finances.next_milestone", "finances.months_to_milestone"],
        ),
    ],
)
def test_version_2_fields_in_a_version_1_document_are_errors_at_their_path(
    edit: dict[str, Any], paths: list[str]
) -> None:
    data = minimal_v1()
    for key, value in edit.items():
        if key.startswith("finances."):
            data["finances"][key.split(".", 1)[1]] = value
        else:
            data[key] = value

    problems = problems_of(data)

    assert [p for p, _ in problems] == paths
    assert all("schema version 1" in message for _, message in problems)


def test_a_version_1_document_is_still_validated_after_the_upgrade() -> None:
    data = minimal_v1()
    data["channels"][0]["route"] = "carrier pigeon"
    data["finances"]["monthly_burn"] = -1

    assert sorted(paths_of(data)) == ["channels.0.route", "finances.monthly_burn"]


# --- NUL characters ------------------------------------------------------------------------------

TEXT_PATHS = [
    "venture.name",
    "channels.0.channel",
    "channels.0.relationship",
    "partners.0.name",
    "partners.0.strategic_value",
    "partners.0.what_would_be_lost",
    "vendors.0.name",
    "vendors.0.service",
    "activities.0.name",
    "activities.0.relevance.rationale",
    "activities.0.imitation.rationale",
    "activities.0.breadth.rationale",
    "activities.0.outsourced_to",
    "resources.0.name",
    "resources.0.why_strategic",
    "resources.0.risk_if_lost",
    "finances.next_milestone",
]


def set_text(data: dict[str, Any], path: str, value: str) -> None:
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    target[last] = value


@pytest.mark.parametrize("path", TEXT_PATHS)
def test_a_nul_character_in_any_text_field_is_refused_at_its_path(path: str) -> None:
    data = minimal()
    set_text(data, path, "Acme\x00 Labs")

    problems = problems_of(data)

    assert [p for p, _ in problems] == [path]
    assert "NUL character" in problems[0][1]
    assert not looks_like_a_traceback(problems[0][1])


@pytest.mark.parametrize("path", ["channels.0.relationship", "finances.next_milestone"])
def test_a_nul_escape_in_json_text_is_refused_at_its_path(path: str) -> None:
    data = minimal()
    set_text(data, path, "before\x00after")
    raw = json.dumps(data).encode()
    assert b"\\u0000" in raw

    assert paths_of(raw) == [path]


def test_a_nul_character_at_either_end_is_refused_not_trimmed() -> None:
    data = minimal()
    set_text(data, "resources.0.why_strategic", "\x00")

    assert paths_of(data) == ["resources.0.why_strategic"]


def test_every_text_field_of_the_document_is_checked_for_nul() -> None:
    """TEXT_PATHS lists every text field of the schema (so a new one gets the check too)."""
    schema = json_schema()
    defs = schema["$defs"]
    found = set()

    def walk(node: dict[str, Any], prefix: str) -> None:
        node = defs[node["$ref"].rsplit("/", 1)[-1]] if "$ref" in node else node
        for name, prop in node.get("properties", {}).items():
            options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
            target = options[0]
            if target.get("type") == "array":
                walk(target["items"], f"{prefix}{name}.0.")
            elif "$ref" in target:
                walk(target, f"{prefix}{name}.")
            elif target.get("type") == "string" and "enum" not in target and name != "currency":
                found.add(f"{prefix}{name}")

    walk(schema, "")
    assert found == set(TEXT_PATHS)


# --- JSON Schema of version 2 ---------------------------------------------------------------------


def test_json_schema_describes_version_2_and_the_version_1_it_reads() -> None:
    prop = json_schema()["properties"]["schema_version"]

    assert prop["enum"] == [1, 2]
    assert "2" in prop["description"]


def test_json_schema_describes_vendors() -> None:
    schema = json_schema()
    vendors = schema["properties"]["vendors"]

    assert vendors["type"] == "array"
    assert vendors["items"] == {"$ref": "#/$defs/Vendor"}
    assert "vendors" not in schema["required"]
    assert {"type": "null"} not in vendors.get("anyOf", [])
    assert list(schema["properties"]) == [
        "schema_version",
        "venture",
        "channels",
        "partners",
        "vendors",
        "activities",
        "resources",
        "finances",
        "readiness",
    ]
    vendor = schema["$defs"]["Vendor"]
    assert set(vendor["properties"]) == {"name", "service"}
    assert set(vendor["required"]) == {"name", "service"}


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("Assessment", "rating"),
        ("Partner", "recovery_time"),
        ("Partner", "replacement_cost"),
        ("Finances", "months_to_milestone"),
    ],
)
def test_json_schema_allows_null_for_not_yet_rated_assessed_or_known(
    model: str, field: str
) -> None:
    prop = json_schema()["$defs"][model]["properties"][field]

    assert {"type": "null"} in prop["anyOf"]
    assert field in json_schema()["$defs"][model].get("required", []) or model == "Finances"


def test_json_schema_describes_the_milestone() -> None:
    finances = json_schema()["$defs"]["Finances"]["properties"]

    assert finances["next_milestone"]["type"] == "string"
    assert finances["next_milestone"]["maxLength"] == 2000
    assert finances["months_to_milestone"]["anyOf"][0] == {"minimum": 0, "type": "number"}
