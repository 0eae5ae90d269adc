"""Scenario 5, freshness: how long after the gateway answers is the effect visible in the tracker's API?

wrk holds about 1,000 lookups/s on the gateway (each writes an audit record and an outbox row that the
relay publishes and the tracker applies). Meanwhile a probe agency files one dossier at a time and polls
``/v1/indicators?agency=<probe>`` every few milliseconds until the tracker counts it; the time from the
gateway's response to that moment is one sample.
"""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import httpx

from bench.harness import Row, Run, load_average, scenario_args, stack, write_rows, wrk

TARGET_RATE = 1000
CONNECTIONS = 20
POLL_SECONDS = 0.005


def _received(client: httpx.Client, tracker: str, agency: str) -> int:
    body = client.get(f"{tracker}/v1/indicators", params={"agency": agency}).json()
    return max(int(i["denominator"]) for i in body["indicators"] if i["name"] == "reuse_rate")


def main() -> None:
    args = scenario_args(__doc__)
    info = stack()
    seconds = 15 if args.quick else 30
    gateway = f"http://127.0.0.1:{info['ports']['gateway']}"
    tracker = f"http://127.0.0.1:{info['ports']['tracker']}"
    applicant = Path(info["applicants"]).read_text().split("\t", 1)[0]
    # Each connection pauses so that all of them together offer about TARGET_RATE requests/s.
    env = {
        "BENCH_IDS": info["ids"],
        "BENCH_KEY": info["keys"]["BENCH-LOAD"],
        "BENCH_PROCEDURE": info["lookup_procedure"],
        "BENCH_DOSSIER_PREFIX": info["dossier_prefix"],
        "BENCH_DELAY_MS": str(round(1000 * CONNECTIONS / TARGET_RATE)),
    }
    load = load_average()
    background: list[Run] = []
    thread = threading.Thread(
        target=lambda: background.append(
            wrk(gateway, "citizens.lua", connections=CONNECTIONS, seconds=seconds, env=env)
        )
    )
    thread.start()
    time.sleep(2)  # let the load settle before probing
    headers = {"Authorization": f"Bearer {info['keys']['BENCH-PROBE']}"}
    samples: list[float] = []
    stamp = int(time.time())
    with httpx.Client(timeout=10) as client:
        seen = _received(client, tracker, "BENCH-PROBE")
        deadline = time.monotonic() + seconds - 4
        while time.monotonic() < deadline:
            body = {
                "dossier_id": f"BENCH-PROBE-{stamp}-{len(samples)}",
                "procedure_code": "1.004227",
                "applicant_personal_id": applicant,
                "channel": "counter",
                "components": [{"code": "to_khai", "state": 1}],
            }
            response = client.post(f"{gateway}/v1/dossiers", json=body, headers=headers)
            answered = time.perf_counter()
            response.raise_for_status()
            seen += 1
            while _received(client, tracker, "BENCH-PROBE") < seen:
                if time.perf_counter() - answered > 30:
                    raise SystemExit("a probe dossier did not reach the tracker within 30 s")
                time.sleep(POLL_SECONDS)
            samples.append((time.perf_counter() - answered) * 1000)
            time.sleep(0.2)
    thread.join()
    rate = background[0].throughput if background else 0.0
    samples.sort()
    p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
    shortfall = (
        ""
        if rate >= 0.9 * TARGET_RATE
        else f"; NOT under the goal's load: the gateway sustained {rate:,.0f} of the {TARGET_RATE:,} req/s "
        "offered (its own ceiling in this run), so the latency part is met only at this lower rate"
    )
    write_rows(
        args.out,
        [
            Row(
                scenario="freshness: gateway response -> visible in tracker API",
                throughput=round(rate, 1),
                unit="req/s",
                p50_ms=round(statistics.median(samples), 1),
                p99_ms=round(p99, 1),
                goal="p99 <= 2 s under ~1,000 gateway req/s",
                met=p99 <= 2000 and rate >= 0.9 * TARGET_RATE,
                notes=(
                    f"throughput is the background lookup load (wrk, {CONNECTIONS} paced connections); "
                    f"{len(samples)} probe dossiers, max {samples[-1]:.0f} ms; polled every "
                    f"{POLL_SECONDS * 1000:.0f} ms; load {load} at start{shortfall}"
                ),
            )
        ],
    )


if __name__ == "__main__":
    main()
