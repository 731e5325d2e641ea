import json
import sys

from django.core.management.base import BaseCommand

from canvas import document as d
from canvas.cli import read_document
from canvas.evaluator import BLOCKS, SEVERITY_LABELS, VERDICT_LABELS, evaluate, runway_summary


class Command(BaseCommand):
    help = (
        "Evaluate a canvas document (FILE, or - for standard input). Exit 0 when there is "
        "no error finding, 1 when there is, 2 when the document is unreadable or invalid."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="canvas document (JSON), or - for standard input")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, format, **options):
        doc = read_document(file)
        result = evaluate(doc)
        if format == "json":
            self.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(doc, result))
        if result.errors:
            sys.exit(1)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(doc: d.CanvasDocument, result) -> str:
    v = doc.venture
    lines = [
        f"{v.name} — {d.label('solution_type', v.solution_type)}, "
        f"{d.label('market_stage', v.market_stage)}, {d.label('revenue_model', v.revenue_model)}",
        f"Score {result.score}/100 (rule set {result.ruleset}) · "
        f"{_count(result.errors, 'error')} · {_count(result.warnings, 'warning')} · "
        f"{result.infos} info",
        f"Runway: {runway_summary(doc.finances, result)}",
    ]
    if result.partners:
        lines += ["", "Vendor test"]
        lines += [f"  {VERDICT_LABELS[p.verdict]:<17} {p.name}" for p in result.partners]
    if doc.vendors:
        lines += ["", "Vendors (no vendor test)"]
        lines += [f"  {x.name}" + (f": {x.service}" if x.service else "") for x in doc.vendors]
    if result.activities:
        lines += ["", "Three tests"]
        for a in result.activities:
            failed = ", ".join(d.label("test", t) for t in a.failed_tests)
            unrated = ", ".join(d.label("test", t) for t in a.unrated_tests)
            verdict = "Core" if a.core else "Not core" if a.rated else d.NOT_RATED
            lines.append(f"  {verdict:<14} {a.name}")
            if failed:
                lines.append(f"  {'':<14} fails: {failed}")
            if unrated:
                lines.append(f"  {'':<14} not yet rated: {unrated}")
    for block in BLOCKS:
        title = d.BLOCK_TITLES[block]
        findings = result.findings_for(block)
        if not findings:
            continue
        lines += ["", title]
        for f in findings:
            subject = f" [{f.subject}]" if f.subject else ""
            cost = f" (-{f.points})" if f.points else ""
            lines.append(f"  {SEVERITY_LABELS[f.severity]:<8} {f.rule}{cost}{subject}")
            lines.append(f"           {f.message}")
    if not result.findings:
        lines += ["", "No findings: the canvas passes every rule."]
    return "\n".join(lines)
