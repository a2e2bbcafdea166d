"""A small office at work over HTTP: writers that register and classify cases at the same moment.

Used by test_concurrent_writes.py against a live `scripts/run.sh` server, and runnable by hand against any
server to measure it:

    python -m tests.embedded.load http://127.0.0.1:8000 tokens.tsv --writers 8 --seconds 10

(`tokens.tsv` is what `manage.py issue_tokens beijie_shuji beijie_staff …` prints.) Standard library only.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)  # the first few 5xx bodies / connection errors
    latencies: list[float] = field(default_factory=list)
    lock = threading.Lock()

    def add(self, status: int, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latencies.append(seconds)
            if (status >= 500 or status == 0) and len(self.errors) < 5:
                self.errors.append(f"{status}: {detail[:300]}")

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 or status == 0)

    def summary(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p50, p95 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        return (
            f"{len(self.latencies)} requests, statuses {dict(sorted(self.statuses.items()))}, "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms"
        )


def call(base: str, token: str, method: str, path: str, payload: dict | None, tally: Tally) -> dict | None:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            tally.add(response.status, time.monotonic() - started)
            return json.loads(body) if body else {}
    except urllib.error.HTTPError as e:
        tally.add(e.code, time.monotonic() - started, e.read().decode("utf-8", "replace"))
    except OSError as e:  # refused, reset, timed out: the server did not answer, which counts as a failure
        tally.add(0, time.monotonic() - started, repr(e))
    return None


def office_worker(base: str, token: str, seconds: float, start: threading.Barrier, tally: Tally) -> None:
    """Register a hall-window case in the writer's own community, then classify it as a 承诺件 (its
    deadline goes through the working-day calendar), again and again until the time is up."""
    me = call(base, token, "GET", "/api/v1/me/", None, tally) or {}
    community = next((r["community"] for r in me.get("roles", []) if r.get("community")), None)
    if community is None:
        raise RuntimeError(f"the token's login has no community: {me}")
    start.wait()
    until = time.monotonic() + seconds
    n = 0
    while time.monotonic() < until:
        n += 1
        case = call(
            base,
            token,
            "POST",
            "/api/v1/cases/",
            {"community": community, "channel": "hall_window", "content": f"并发登记测试 {n}：楼道灯不亮"},
            tally,
        )
        if case and case.get("id"):
            call(
                base,
                token,
                "POST",
                f"/api/v1/cases/{case['id']}/classify/",
                {"handling_type": "promised", "time_limit_days": 5, "note": "并发分类"},
                tally,
            )


def run(base: str, tokens: list[str], *, writers: int, seconds: float) -> Tally:
    tally = Tally()
    start = threading.Barrier(writers)
    threads = [
        threading.Thread(target=office_worker, args=(base, tokens[i % len(tokens)], seconds, start, tally))
        for i in range(writers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base")
    parser.add_argument("tokens", help="a file of username<TAB>token lines")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with open(args.tokens, encoding="utf-8") as fh:
        tokens = [line.split("\t")[1].strip() for line in fh if "\t" in line]
    tally = run(args.base.rstrip("/"), tokens, writers=args.writers, seconds=args.seconds)
    print(tally.summary())
    for error in tally.errors:
        print("  ", error)


if __name__ == "__main__":
    main()
