"""Load test: simulated founders editing canvases against a production-like server.

    python bench/load_test.py [--seconds 60] [--founders 20] [--workers 3]

Starts gunicorn as `make serve` does (DEBUG off, static files collected, several worker
processes) on a free loopback port, against a database of its own: a SQLite file, or a
temporary PostgreSQL database when DATABASE_URL is set (`make load` runs both). Then
``--founders`` founders sign in through the login form and, for ``--seconds``, each opens
their canvas and saves edits to it (resource entries, mostly; sometimes the finances),
posting the version they last saw; one founder in ``--share-every`` also works on one
shared canvas, so that their saves collide. A refused save (409) is re-read and re-applied.

It prints requests per second, p50/p95/p99 latency per kind of request and in all, the
error count (any answer other than the expected ones, or no answer), and then checks in
the database that every acknowledged save is there:
- each entry's version went up by exactly one per acknowledged save (two acknowledgements
  of the same version would mean a lost update) and holds the last acknowledged value;
- the activity log has one line per acknowledged save.
The exit status is 1 when there was any error or any acknowledged save is missing.
Traffic stays on 127.0.0.1; the run is bounded in time (``--seconds``, at most 600) and in
requests (``--max-requests``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import secrets
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from liveserver import LiveServer, on_postgres  # noqa: E402
from run_all import load_average, machine  # noqa: E402

SHARED = "load-shared"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
MAX_RETRIES = 8  # conflicts tolerated for one save before the founder moves on


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    gave_up: int = 0
    # acknowledged saves: (slug, "resources", pk) or (slug, "finances", 0) -> [(version, value)]
    acks: dict[tuple, list[tuple[int, object]]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0


class Budget:
    """Stops every founder at the deadline or after ``max_requests`` requests in all."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.left = max_requests

    def open(self) -> bool:
        return self.left > 0 and time.monotonic() < self.deadline

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


class Founder:
    def __init__(self, index: int, username: str, password: str, url: str, stats: Stats):
        self.index = index
        self.username = username
        self.password = password
        self.stats = stats
        self.client = httpx.AsyncClient(base_url=url, timeout=30, follow_redirects=False)
        self.known: dict[tuple, int] = {}  # (slug, block, pk) -> version last seen
        self.seq = 0

    async def request(self, kind: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            response = await self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.stats.errors.append(f"{kind} {path}: {exc!r}")
            return None
        finally:
            self.stats.requests += 1
        self.stats.latencies[kind].append((time.perf_counter() - start) * 1000)
        self.stats.statuses[f"{kind} {response.status_code}"] += 1
        return response

    def expect(self, response: httpx.Response | None, *statuses: int) -> bool:
        if response is None:
            return False
        if response.status_code not in statuses:
            self.stats.errors.append(
                f"{response.request.method} {response.request.url.path}: "
                f"{response.status_code} {response.text[:200]!r}"
            )
            return False
        return True

    def htmx(self) -> dict[str, str]:
        return {"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")}

    async def login(self) -> bool:
        page = await self.request("login", "GET", "/accounts/login/")
        if not self.expect(page, 200):
            return False
        token = CSRF_INPUT.search(page.text)
        form = {
            "username": self.username,
            "password": self.password,
            "csrfmiddlewaretoken": token.group(1) if token else "",
            "next": "/",
        }
        response = await self.request("login", "POST", "/accounts/login/", data=form)
        return self.expect(response, 302)

    async def open_canvas(self, slug: str) -> None:
        response = await self.request("page", "GET", f"/ventures/{slug}/canvas/")
        self.expect(response, 200)

    async def reread(self, slug: str, pk: int) -> int | None:
        path = f"/ventures/{slug}/canvas/resources/{pk}/edit/"
        response = await self.request("reread", "GET", path, headers=self.htmx())
        if not self.expect(response, 200):
            return None
        match = VERSION_INPUT.search(response.text)
        return int(match.group(1)) if match else None

    async def save_resource(self, budget: Budget, slug: str, entry: dict) -> None:
        pk, data = entry["pk"], entry["data"]
        self.seq += 1
        value = f"{data['risk_if_lost'][:120]} [f{self.index:02d}-{self.seq}]"
        months = data["replacement_months"]
        form = {
            "name": data["name"],
            "category": data["category"],
            "why_strategic": data["why_strategic"],
            "risk_if_lost": value,
            "replacement_months": "" if months is None else str(months),
        }

        async def saved_version(response) -> int | None:
            if not budget.take():
                return None
            return await self.reread(slug, pk)  # someone else saved it: re-read, re-apply

        key = (slug, "resources", pk)
        path = f"/ventures/{slug}/canvas/resources/{pk}/"
        await self.save(budget, key, path, form, entry["version"], value, saved_version)

    async def save_finances(self, budget: Budget, slug: str, start_version: int) -> None:
        self.seq += 1
        cash = float(1_000_000 + self.index * 100_000 + self.seq)
        form = {"cash_on_hand": str(cash), "monthly_burn": "120000", "currency": "USD"}

        async def saved_version(response) -> int | None:
            match = VERSION_INPUT.search(response.text)  # the 409 carries the saved version
            if not match:
                self.stats.errors.append("409 without the saved version")
                return None
            return int(match.group(1))

        key = (slug, "finances", 0)
        path = f"/ventures/{slug}/canvas/finances/"
        await self.save(budget, key, path, form, start_version, cash, saved_version)

    async def save(
        self,
        budget: Budget,
        key: tuple[str, str, int],
        path: str,
        form: dict,
        start_version: int,
        value: object,
        saved_version: Callable[[httpx.Response], Awaitable[int | None]],
    ) -> None:
        """POST ``form`` at the version last known for ``key``; on a 409, take the saved
        version from ``saved_version`` and apply the same change again (at most
        MAX_RETRIES times). An acknowledged save is recorded with the value it wrote."""
        version = self.known.get(key, start_version)
        for _attempt in range(MAX_RETRIES):
            if not budget.take():
                return
            form["version"] = str(version)
            response = await self.request("save", "POST", path, data=form, headers=self.htmx())
            if response is not None and response.status_code == 200:
                self.stats.acks[key].append((version + 1, value))
                self.known[key] = version + 1
                return
            if not self.expect(response, 409):
                return
            self.stats.conflicts += 1
            fresh = await saved_version(response)
            if fresh is None:
                return
            version = fresh
        self.stats.gave_up += 1

    async def run(self, budget: Budget, manifest: dict, own: str, shares: bool, think: float):
        rng = random.Random(self.index)
        try:
            await self.open_canvas(own)
            while budget.open():
                slug = SHARED if shares and rng.random() < 0.4 else own
                venture = manifest["ventures"][slug]
                roll = rng.random()
                if roll < 0.1:
                    if budget.take():
                        await self.open_canvas(slug)
                elif roll < 0.2:
                    await self.save_finances(budget, slug, venture["finances_version"])
                else:
                    entry = rng.choice(venture["entries"]["resources"])
                    await self.save_resource(budget, slug, entry)
                if think:
                    await asyncio.sleep(rng.uniform(0, think))
        finally:
            await self.client.aclose()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def verify(server: LiveServer, stats: Stats) -> tuple[int, list[str]]:
    """(lost acknowledged saves, problems) from what the database holds."""
    manifest = server.manifest["ventures"]
    slugs = sorted({key[0] for key in stats.acks})
    stored = server.snapshot(*slugs) if slugs else {}
    lost = 0
    problems: list[str] = []
    logged: dict[tuple[str, str], int] = defaultdict(int)
    for slug in slugs:
        for line in stored[slug]["log"]:
            if line["action"] == "edited":
                logged[(slug, line["summary"])] += 1
    for (slug, block, pk), acks in sorted(stats.acks.items()):
        acks = sorted(acks, key=lambda a: a[0])
        versions = [v for v, _ in acks]
        if block == "finances":
            start = manifest[slug]["finances_version"]
            finances = stored[slug]["finances"]
            final, value = finances["version"], finances["cash_on_hand"]
            summary = "Edited the finances"
        else:
            entry = next(e for e in manifest[slug]["entries"]["resources"] if e["pk"] == pk)
            row = next(r for r in stored[slug]["entries"]["resources"] if r["pk"] == pk)
            start, final, value = entry["version"], row["version"], row["data"]["risk_if_lost"]
            summary = f"Edited resource “{entry['data']['name']}”"
        where = f"{slug} {block} {pk or ''}".strip()
        # every acknowledged save made its own version step, and no other step happened
        missing = len(acks) - len(set(versions)) + max(0, len(acks) - (final - start))
        if versions != list(range(start + 1, start + 1 + len(acks))) or final != versions[-1]:
            problems.append(f"{where}: versions {start}->{final}, acknowledged {versions}")
        if value != acks[-1][1]:
            problems.append(f"{where}: holds {value!r}, last acknowledged {acks[-1][1]!r}")
            missing = max(missing, 1)
        if logged[(slug, summary)] != len(acks):
            problems.append(f"{where}: {logged[(slug, summary)]} log lines, {len(acks)} saves")
            missing = max(missing, abs(len(acks) - logged[(slug, summary)]))
        lost += missing
    for slug in slugs:
        if stored[slug]["cached_evaluation"] != stored[slug]["fresh_evaluation"]:
            problems.append(f"{slug}: the cached evaluation is not that of the stored canvas")
    return lost, problems


def report(stats: Stats, elapsed: float, lost: int, problems: list[str], server_5xx: int):
    every = [ms for kind, values in stats.latencies.items() if kind != "login" for ms in values]
    acknowledged = sum(len(a) for a in stats.acks.values())
    logins = stats.latencies.get("login", [])
    if logins:
        print(
            f"sign-in before the timed window: {len(logins)} requests, "
            f"p50 {percentile(logins, 50):.0f} ms, max {max(logins):.0f} ms"
        )
    print(f"{'request':<8} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in ("page", "save", "reread"):
        values = stats.latencies.get(kind, [])
        if values:
            print(
                f"{kind:<8} {len(values):>7} {percentile(values, 50):>8.1f} "
                f"{percentile(values, 95):>8.1f} {percentile(values, 99):>8.1f}"
            )
    print(
        f"{'all':<8} {len(every):>7} {percentile(every, 50):>8.1f} "
        f"{percentile(every, 95):>8.1f} {percentile(every, 99):>8.1f}"
    )
    print(
        f"requests/s: {len(every) / elapsed if elapsed else 0:.1f} over {elapsed:.1f} s; "
        f"mean {statistics.fmean(every) if every else 0:.1f} ms"
    )
    print(
        f"saves acknowledged: {acknowledged}; conflicts answered 409 and re-applied: "
        f"{stats.conflicts}; given up after {MAX_RETRIES} conflicts: {stats.gave_up}"
    )
    print(f"errors: {len(stats.errors)} (server 5xx in its log: {server_5xx})")
    for error in stats.errors[:10]:
        print(f"  {error}")
    print(f"lost acknowledged saves: {lost}")
    for problem in problems[:10]:
        print(f"  {problem}")


async def drive(server: LiveServer, args, password: str) -> tuple[Stats, float]:
    stats = Stats()
    founders = [
        Founder(i + 1, person["username"], password, server.url, stats)
        for i, person in enumerate(server.manifest["founders"])
    ]
    # Everyone signs in through the login form first (the password hasher is slow on
    # purpose); the timed window starts once they all have a session.
    signed_in = await asyncio.wait_for(asyncio.gather(*(f.login() for f in founders)), timeout=300)
    if not all(signed_in):
        for f in founders:
            await f.client.aclose()
        return stats, 0.0
    budget = Budget(args.seconds, args.max_requests)
    start = time.perf_counter()
    tasks = [
        f.run(
            budget,
            server.manifest,
            own=f"load-{f.index:02d}",
            shares=(f.index - 1) % args.share_every == 0,
            think=args.think,
        )
        for f in founders
    ]
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=args.seconds + 120)
    return stats, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--founders", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--share-every", type=int, default=4, help="1 founder in N also edits the shared canvas"
    )
    parser.add_argument(
        "--think", type=float, default=0.25, help="pause after each action: 0..THINK s"
    )
    parser.add_argument("--max-requests", type=int, default=200_000)
    args = parser.parse_args()
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be in (0, 600]")
    if not 1 <= args.founders <= 100:
        parser.error("--founders must be between 1 and 100")

    database = "PostgreSQL" if on_postgres() else "SQLite"
    print(
        f"Load test: {args.founders} founders, {args.seconds:.0f} s, {args.workers} gunicorn "
        f"workers, {database}, think time 0-{args.think:g} s"
    )
    print(f"Machine: {machine()}; {load_average()}")
    password = secrets.token_urlsafe(18)
    print("preparing the database and starting gunicorn ...", flush=True)
    with LiveServer(
        workers=args.workers,
        founders=args.founders,
        password=password,
        collectstatic=True,
    ) as server:
        stats, elapsed = asyncio.run(drive(server, args, password))
        lost, problems = verify(server, stats)
        server_5xx = sum(1 for line in server.request_lines() if line["status"] >= 500)
    report(stats, elapsed, lost, problems, server_5xx)
    print(f"at the end: {load_average()}")
    ok = not stats.errors and not lost and not problems and not server_5xx
    print("result:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
