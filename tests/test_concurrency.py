"""Concurrent writers against a live server: no lost update, no 500, positions consistent.

A real gunicorn with several worker processes serves a database of its own (a SQLite file
with WAL and IMMEDIATE transactions, or a temporary PostgreSQL database when DATABASE_URL
is set: `make test` runs this on both). Writer processes then send their edits at the same
time, each posting the version it last saw, re-reading after a conflict and trying again.

What must hold afterwards:
- every acknowledged edit is in the data: each writer appends its own marker to the text it
  read, so the stored text lists the acknowledged markers in order, and the entry's version
  went up by exactly one per acknowledgement;
- the activity log holds one "edited" line per acknowledged edit, no more, no less;
- every refused edit got the conflict answer (409), never a 500 or a lock error;
- concurrent moves keep the positions a permutation 0..n-1, and replaying the logged
  moves on the starting order gives the stored order (no move lost);
- restores and uploads that replace every entry while others edit them end in a whole canvas (each
  block numbered 0..n-1, one log line per acknowledged restore and edit), never a 500;
- the cached evaluation equals a fresh evaluation of the stored canvas.
"""

from __future__ import annotations

import html
import multiprocessing
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))


from liveserver import LiveServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = "load-shared"
WRITERS = 4  # processes editing the same two entries
EDITS = 12  # acknowledged edits each writer makes
FINANCE_WRITERS = 2
FINANCE_EDITS = 8
MOVERS = 2
MOVES = 12
OWN = "load-01"  # founder 1's own venture: replaced while two more processes edit it
REPLACEMENTS = 6  # restores and uploads, by turns
CHURN_EDITORS = 2
CHURN_ATTEMPTS = 15
DEADLINE_SECONDS = 90  # every worker stops by then, whatever happened
MAX_ATTEMPTS = 60  # conflicts tolerated for one edit before the writer gives up

VERSION_RE = re.compile(r'name="version" value="(\d+)"')
RISK_RE = re.compile(r'<textarea name="risk_if_lost"[^>]*>\n?(.*?)</textarea>', re.S)


def _client(url: str, session: str):
    import httpx

    client = httpx.Client(base_url=url, timeout=30, headers={"HX-Request": "true"})
    client.cookies.set("sessionid", session, domain="127.0.0.1")
    return client


def _post(client, path: str, data: dict):
    return client.post(path, data=data, headers={"X-CSRFToken": client.cookies["csrftoken"]})


def _resource_form(data: dict, version: int, risk: str) -> dict:
    months = data["replacement_months"]
    return {
        "name": data["name"],
        "category": data["category"],
        "why_strategic": data["why_strategic"],
        "risk_if_lost": risk,
        "replacement_months": "" if months is None else str(months),
        "version": str(version),
    }


def _edit_writer(url: str, session: str, index: int, targets: list[dict], edits: int) -> dict:
    """Append ``w<index>e<k>`` to risk_if_lost of the targets in turn, ``edits`` times."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    base = f"/ventures/{SHARED}/canvas/resources/"
    statuses: Counter = Counter()
    acks: list[tuple[int, int, str]] = []  # (pk, version it created, marker)
    problems: list[str] = []
    with _client(url, session) as client:

        def read(pk: int) -> tuple[int, str]:
            response = client.get(f"{base}{pk}/edit/")
            statuses[f"GET {response.status_code}"] += 1
            if response.status_code != 200:
                raise RuntimeError(f"GET {response.status_code}: {response.text[:300]}")
            version = int(VERSION_RE.search(response.text).group(1))
            risk = html.unescape(RISK_RE.search(response.text).group(1))
            return version, risk

        for k in range(edits):
            target = targets[(index + k) % len(targets)]
            marker = f"w{index}e{k}"
            version, risk = read(target["pk"])
            for _attempt in range(MAX_ATTEMPTS):
                if time.monotonic() > deadline:
                    problems.append("deadline reached")
                    break
                form = _resource_form(target["data"], version, f"{risk} {marker}")
                response = _post(client, f"{base}{target['pk']}/", form)
                statuses[f"POST {response.status_code}"] += 1
                if response.status_code == 200:
                    acks.append((target["pk"], version + 1, marker))
                    break
                if response.status_code != 409:
                    problems.append(f"{response.status_code}: {response.text[:300]}")
                    break
                version, risk = read(target["pk"])  # someone else saved: re-read, re-apply
            else:
                problems.append(f"gave up on {marker} after {MAX_ATTEMPTS} conflicts")
    return {"acks": acks, "statuses": statuses, "problems": problems}


def _finance_writer(url: str, session: str, index: int, version: int, edits: int) -> dict:
    """Set cash on hand to a value of its own ``edits`` times, re-reading after conflicts."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    path = f"/ventures/{SHARED}/canvas/finances/"
    statuses: Counter = Counter()
    acks: list[tuple[int, float]] = []  # (version it created, cash)
    problems: list[str] = []
    with _client(url, session) as client:
        client.get(f"/ventures/{SHARED}/canvas/resources/new/")  # any fragment: CSRF cookie
        for k in range(edits):
            cash = float(1_000_000 + index * 10_000 + k)
            for _attempt in range(MAX_ATTEMPTS):
                if time.monotonic() > deadline:
                    problems.append("deadline reached")
                    break
                form = {
                    "cash_on_hand": str(cash),
                    "monthly_burn": "100000",
                    "currency": "USD",
                    "version": str(version),
                }
                response = _post(client, path, form)
                statuses[f"POST {response.status_code}"] += 1
                if response.status_code == 200:
                    acks.append((version + 1, cash))
                    version += 1
                    break
                if response.status_code != 409:
                    problems.append(f"{response.status_code}: {response.text[:300]}")
                    break
                version = int(VERSION_RE.search(response.text).group(1))  # the saved version
            else:
                problems.append(f"gave up after {MAX_ATTEMPTS} conflicts")
    return {"acks": acks, "statuses": statuses, "problems": problems}


def _mover(url: str, session: str, index: int, pks: list[int], moves: int) -> dict:
    """Move partners up or down, ``moves`` times (a move carries no version: it applies
    to the order as it is when the server runs it)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    statuses: Counter = Counter()
    problems: list[str] = []
    acked = 0
    with _client(url, session) as client:
        client.get(f"/ventures/{SHARED}/canvas/resources/new/")  # any fragment: CSRF cookie
        for k in range(moves):
            if time.monotonic() > deadline:
                problems.append("deadline reached")
                break
            pk = pks[(index * 7 + k * 3) % len(pks)]
            direction = "up" if (index + k) % 2 else "down"
            path = f"/ventures/{SHARED}/canvas/partners/{pk}/move/"
            response = _post(client, path, {"direction": direction})
            statuses[f"POST {response.status_code}"] += 1
            if response.status_code == 200:
                acked += 1
            else:
                problems.append(f"{response.status_code}: {response.text[:300]}")
    return {"acked": acked, "statuses": statuses, "problems": problems}


RESOURCE_EDIT_RE = re.compile(r"/canvas/resources/(\d+)/edit/")


def _replacer(url: str, session: str, count: int) -> dict:
    """Replace every entry of OWN ``count`` times, by turns restoring version 1 and uploading
    the same document (new rows each time)."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    document = (ROOT / "fixtures" / "sepsis-dx.json").read_bytes()
    statuses: Counter = Counter()
    problems: list[str] = []
    acked = 0
    with _client(url, session) as client:
        client.get(f"/ventures/{OWN}/canvas/resources/new/")  # any fragment: CSRF cookie
        for k in range(count):
            if time.monotonic() > deadline:
                problems.append("deadline reached")
                break
            if k % 2:
                files = {"document": ("canvas.json", document, "application/json")}
                path = f"/ventures/{OWN}/upload/"
                token = {"X-CSRFToken": client.cookies["csrftoken"]}
                response = client.post(path, files=files, data={"label": ""}, headers=token)
            else:
                response = _post(client, f"/ventures/{OWN}/versions/1/restore/", {})
            statuses[f"POST {response.status_code}"] += 1
            if response.status_code == 303:
                acked += 1
            else:
                problems.append(f"replace {response.status_code}: {response.text[:300]}")
            time.sleep(0.1)
    return {"acked": acked, "statuses": statuses, "problems": problems}


def _churn_editor(url: str, session: str, index: int, resources: list[dict], tries: int) -> dict:
    """Edit OWN's resources while they are being replaced: an entry deleted meanwhile gets
    409, and the editor looks the entries up again."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    base = f"/ventures/{OWN}/canvas/resources/"
    statuses: Counter = Counter()
    problems: list[str] = []
    acked = 0
    with _client(url, session) as client:
        pks: list[int] = []
        for k in range(tries):
            if time.monotonic() > deadline:
                problems.append("deadline reached")
                break
            if not pks:  # an entry that is gone answers with the block as it is now
                response = client.get(f"{base}0/")
                statuses[f"GET {response.status_code}"] += 1
                pks = list(dict.fromkeys(int(pk) for pk in RESOURCE_EDIT_RE.findall(response.text)))
                if not pks:
                    problems.append(f"no resources listed: {response.status_code}")
                    break
            i = k % len(pks)
            response = client.get(f"{base}{pks[i]}/edit/")
            statuses[f"GET {response.status_code}"] += 1
            version = VERSION_RE.search(response.text)
            if response.status_code != 200 or version is None:
                pks = []  # replaced meanwhile
                continue
            risk = f"{resources[i]['data']['risk_if_lost'][:100]} c{index}e{k}"
            form = _resource_form(resources[i]["data"], int(version.group(1)), risk)
            response = _post(client, f"{base}{pks[i]}/", form)
            statuses[f"POST {response.status_code}"] += 1
            if response.status_code == 200:
                acked += 1
            elif response.status_code == 409:
                pks = []
            else:
                problems.append(f"{response.status_code}: {response.text[:300]}")
                break
    return {"acked": acked, "statuses": statuses, "problems": problems}


WORKERS_BY_KIND = {
    "edit": _edit_writer,
    "finances": _finance_writer,
    "move": _mover,
    "replace": _replacer,
    "churn": _churn_editor,
}


def work(kind: str, *args) -> dict:
    """Run one worker in a pool process; an exception becomes a reported problem, so that
    the pool always gets a result back."""
    try:
        return WORKERS_BY_KIND[kind](*args)
    except Exception as exc:  # reported, and the test fails on it
        return {"acks": [], "acked": 0, "statuses": Counter(), "problems": [repr(exc)]}


MOVED_RE = re.compile(r"^Moved partner “(.*)” (up|down)$")


def replay_moves(names: list[str], log: list[dict]) -> list[str]:
    """Apply the logged moves, in the order they were logged, to the starting order."""
    order = list(names)
    for line in log:
        match = MOVED_RE.match(line["summary"])
        if not match:
            continue
        name, direction = match.groups()
        i = order.index(name)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
    return order


@pytest.fixture(scope="module")
def run():
    """Start the server, run every writer at once, and read back what was stored."""
    with LiveServer(workers=4, founders=WRITERS + FINANCE_WRITERS + MOVERS) as server:
        founders = server.manifest["founders"]
        shared = server.manifest["ventures"][SHARED]
        targets = shared["entries"]["resources"][:2]
        partners = shared["entries"]["partners"]
        session = [f["session"] for f in founders]
        pks = [p["pk"] for p in partners]
        first_mover = WRITERS + FINANCE_WRITERS
        finances_version = shared["finances_version"]
        jobs = [("edit", (server.url, session[i], i, targets, EDITS)) for i in range(WRITERS)]
        jobs += [
            ("finances", (server.url, session[WRITERS + i], i, finances_version, n))
            for i, n in enumerate([FINANCE_EDITS] * FINANCE_WRITERS)
        ]
        jobs += [
            ("move", (server.url, session[first_mover + i], i, pks, MOVES)) for i in range(MOVERS)
        ]
        first_restorer = len(jobs)
        own = server.manifest["ventures"][OWN]
        resources = own["entries"]["resources"]
        jobs += [("replace", (server.url, session[0], REPLACEMENTS))]
        jobs += [
            ("churn", (server.url, session[0], i, resources, CHURN_ATTEMPTS))
            for i in range(CHURN_EDITORS)
        ]
        context = multiprocessing.get_context("spawn")
        with context.Pool(len(jobs)) as pool:
            pending = [pool.apply_async(work, (kind, *args)) for kind, args in jobs]
            results = [p.get(timeout=DEADLINE_SECONDS + 60) for p in pending]
        stored = server.snapshot(SHARED, OWN)
        yield {
            "before": shared,
            "targets": targets,
            "edits": results[:WRITERS],
            "finances": results[WRITERS:first_mover],
            "moves": results[first_mover:first_restorer],
            "replacements": results[first_restorer],
            "churn": results[first_restorer + 1 :],
            "all": results,
            "own_before": own,
            "after": stored[SHARED],
            "own_after": stored[OWN],
            "request_lines": server.request_lines(),
            "server_log": server.server_log(),
        }


def test_every_refused_write_got_a_conflict_answer_never_a_500(run):
    statuses = sum((r["statuses"] for r in run["all"]), Counter())
    problems = [p for r in run["all"] for p in r["problems"]]
    assert problems == [], problems
    assert set(statuses) <= {"GET 200", "POST 200", "POST 303", "POST 409"}, statuses
    assert statuses["POST 409"] > 0, "the writers never collided: no concurrency was tested"
    lines = run["request_lines"]
    assert lines, "the server wrote no request log"
    assert [line for line in lines if line["status"] >= 500] == []
    assert "Traceback" not in run["server_log"]
    assert "database is locked" not in run["server_log"]


def test_every_acknowledged_entry_edit_is_stored_and_logged_once(run):
    acks = [a for r in run["edits"] for a in r["acks"]]
    assert len(acks) == WRITERS * EDITS
    stored = {row["pk"]: row for row in run["after"]["entries"]["resources"]}
    log = run["after"]["log"]
    for target in run["targets"]:
        mine = sorted((v, m) for pk, v, m in acks if pk == target["pk"])
        row = stored[target["pk"]]
        assert [v for v, _ in mine] == list(
            range(target["version"] + 1, target["version"] + 1 + len(mine))
        ), "two acknowledged edits claimed the same version: one of them was lost"
        assert row["version"] == target["version"] + len(mine)
        original = target["data"]["risk_if_lost"]
        assert row["data"]["risk_if_lost"] == " ".join([original] + [m for _, m in mine])
        edited = [
            line
            for line in log
            if line["action"] == "edited"
            and line["summary"] == f"Edited resource “{target['data']['name']}”"
        ]
        assert len(edited) == len(mine)


def test_every_acknowledged_finances_save_took_one_version_step(run):
    acks = sorted(a for r in run["finances"] for a in r["acks"])
    assert len(acks) == FINANCE_WRITERS * FINANCE_EDITS
    first = run["before"]["finances_version"] + 1
    assert [v for v, _ in acks] == list(range(first, first + len(acks)))
    after = run["after"]
    assert after["finances"]["version"] == acks[-1][0]
    assert after["finances"]["cash_on_hand"] == acks[-1][1]
    logged = [line for line in after["log"] if line["summary"] == "Edited the finances"]
    assert len(logged) == len(acks)


def test_concurrent_moves_keep_positions_a_permutation_and_lose_no_move(run):
    assert sum(r["acked"] for r in run["moves"]) == MOVERS * MOVES
    partners = run["before"]["entries"]["partners"]
    rows = run["after"]["entries"]["partners"]
    assert [row["position"] for row in rows] == list(range(len(partners)))
    assert sorted(row["pk"] for row in rows) == sorted(p["pk"] for p in partners)
    start = [p["data"]["name"] for p in partners]
    assert replay_moves(start, run["after"]["log"]) == [row["data"]["name"] for row in rows], (
        "the stored order is not the logged moves applied in turn: a move was lost"
    )


def test_the_cached_evaluation_is_that_of_the_stored_canvas(run):
    assert run["after"]["cached_evaluation"] == run["after"]["fresh_evaluation"]


def test_restores_and_uploads_while_others_edit_leave_a_whole_canvas(run):
    assert run["replacements"]["acked"] == REPLACEMENTS
    churned = sum(r["acked"] for r in run["churn"])
    before, after = run["own_before"], run["own_after"]
    for block, rows in after["entries"].items():
        assert [row["position"] for row in rows] == list(range(len(rows))), block
        assert len(rows) == len(before["entries"][block]), block
    log = after["log"]
    replaced = [line for line in log if line["action"] in ("restored", "imported")]
    assert len(replaced) == REPLACEMENTS
    edited = [line for line in log if line["summary"].startswith("Edited resource")]
    assert len(edited) == churned
    assert after["cached_evaluation"] == after["fresh_evaluation"]
