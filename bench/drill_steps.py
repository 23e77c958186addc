"""The failure drill's steps and checks (`bench/cluster.py`), a mixin of `Drill`: each step
disturbs the running system and checks what users and the data saw."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.drill_services import INDEX_PREFIX, DrillError, log, re_numbers, wait_until


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str


class DrillSteps:
    """The steps of `Drill`; they use its processes, cluster, database and load."""

    def outbox(self) -> tuple[int, int]:
        rows = self.pg.query("SELECT (SELECT count(*) FROM search_outbox), "
                             "(SELECT count(*) FROM overlap_alert)")
        return int(rows[0][0]), int(rows[0][1])

    def wait_delivered(self, timeout: float) -> float:
        """Wait until every outbox row queued up to now is delivered (saves go on meanwhile:
        rows queued later do not count); returns the seconds it took."""
        mark = self.pg.query("SELECT now()")[0][0]
        return wait_until("the outbox to deliver what was queued", lambda: self.pg.query(
            "SELECT count(*) FROM search_outbox WHERE created_at <= %s", mark)[0][0] == 0,
            timeout, 0.5)

    def delivered(self, timeout: float) -> tuple[bool, str]:
        """Every save acknowledged so far is in the catalogue index with at least its version,
        once the outbox rows queued up to now are delivered (the load goes on meanwhile)."""
        assert self.load is not None
        with self.load.lock:
            wanted = {s.id: s.version for s in self.load.ledger.values()}
        waited = self.wait_delivered(timeout)
        found: dict[int, int] = {}
        ids = sorted(wanted)
        for i in range(0, len(ids), 500):
            body = {"ids": [f"project-{n}" for n in ids[i:i + 500]]}
            answer = self.cluster.request(
                "POST", f"/{INDEX_PREFIX}-catalogue/_mget?_source=false", body)
            for doc in answer["docs"]:
                if doc.get("found"):
                    found[int(doc["_id"].split("-")[1])] = int(doc["_version"])
        missing = sum(1 for n in ids if n not in found)
        behind = sum(1 for n in ids if n in found and found[n] < wanted[n])
        ok = missing == 0 and behind == 0
        return ok, (f"outbox delivered {waited:.1f} s later; index holds all {len(ids)} "
                    f"acknowledged drill projects at their version" if ok else
                    f"outbox delivered {waited:.1f} s later, but of {len(ids)} acknowledged "
                    f"projects {missing} are missing in the index and {behind} behind")

    def alerts_state(self) -> str:
        """Queued overlap checks (alerts) and their last error, if any."""
        rows = self.pg.query("SELECT count(*), max(attempts), "
                             "(SELECT last_error FROM overlap_alert WHERE last_error IS NOT NULL "
                             "ORDER BY id DESC LIMIT 1) FROM overlap_alert")
        count, attempts, error = rows[0]
        if not count:
            return "overlap checks: none pending"
        first = (error or "").splitlines()[0][:220] if error else ""
        return (f"overlap checks pending: {count} (up to {attempts} attempts"
                + (f"; last error: {first}" if first else "") + ")")

    def search_check(self) -> tuple[bool, str]:
        out = self.flask("search", "check", check=False, timeout=300)
        lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
        summary = next((ln for ln in reversed(lines) if "fehlend" in ln), lines[-1] if lines
                       else out.stderr[-300:])
        return out.returncode == 0, summary

    def run_step(self, name: str, body: Callable[[], tuple[bool, str]]) -> None:
        assert self.load is not None
        log(f"=== {name}")
        self.load.phase = name
        started = time.monotonic()
        try:
            ok, detail = body()
        except DrillError as exc:
            ok, detail = False, f"abgebrochen / aborted: {exc}"
        seconds = time.monotonic() - started
        detail = f"{detail}; load: {self.load.describe(started)}"
        self.steps.append(Step(name, ok, seconds, detail))
        log(f"{'OK  ' if ok else 'FAIL'} {name} ({seconds:.1f} s): {detail}")

    def hold(self, seconds: float) -> None:
        time.sleep(seconds)

    # ----------------------------------------------------------------- steps

    def step_baseline(self) -> tuple[bool, str]:
        assert self.load is not None
        since = time.monotonic()
        self.hold(15 if self.quick else 45)
        ev = self.load.window(since)
        bad = [e for e in ev if not e.ok]
        idx_ok, idx = self.delivered(120)
        saves = [e for e in ev if e.kind == "save"]
        searches = [e for e in ev if e.kind == "search"]
        # Saves must all succeed; a search may time out now and then (2.5 s) on a busy machine.
        ok = (idx_ok and bool(saves) and all(e.ok for e in saves) and bool(searches)
              and sum(e.ok for e in searches) >= 0.95 * len(searches))
        failed = f"{len(bad)} failed requests, e.g. {bad[0].status} {bad[0].detail[:160]}; " \
            if bad else "no failed request; "
        return ok, f"{failed}{idx}; {self.alerts_state()}"

    def step_kill_node(self) -> tuple[bool, str]:
        assert self.load is not None
        victim = self.cluster.nodes[1]
        master = self.cluster.request("GET", "/_cat/master?format=json")[0]["node"]
        self.cluster.kill(victim)
        killed_at = time.monotonic()
        log(f"  kill -9 {victim.name} (Master ist {master})")
        status = self.cluster.health(avoid=victim, timeout=30)["status"]
        wait_until("cluster to see 2 nodes", lambda: self.cluster.health(
            nodes=2, timeout=5)["number_of_nodes"] == 2, 90)
        status = self.cluster.health(timeout=5)["status"]
        log(f"  Cluster nach dem Ausfall: {status}, 2 Knoten")
        self.hold(20 if self.quick else 60)
        down = self.load.window(killed_at)
        searches = [e for e in down if e.kind == "search"]
        saves = [e for e in down if e.kind == "save"]
        yellow = self.cluster.health(timeout=5)["status"]
        t = time.monotonic()
        self.cluster.start([victim])
        self.cluster.wait_status("green", 240, nodes=3)
        green = time.monotonic() - t
        check_ok, check = self.delivered(180)
        search_ok = sum(e.ok for e in searches)
        save_ok = sum(e.ok for e in saves)
        ok = (status != "red" and yellow != "red" and searches and saves
              and search_ok >= 0.95 * len(searches) and save_ok == len(saves) and check_ok)
        return bool(ok), (f"while 2 of 3 nodes: cluster {yellow}, searches {search_ok}/"
                          f"{len(searches)} ok, saves {save_ok}/{len(saves)} ok; node back and "
                          f"green in {green:.1f} s; {check}")

    def step_rolling_restart(self) -> tuple[bool, str]:
        times = []
        for n in self.cluster.nodes:
            t = time.monotonic()
            self.cluster.allocation("primaries", avoid=n)
            with contextlib.suppress(DrillError):
                self.cluster.request("POST", "/_flush", avoid=n)
            self.cluster.stop(n)
            self.cluster.start([n])
            self.cluster.wait_status("yellow", 180, nodes=3)
            self.cluster.allocation(None)
            self.cluster.wait_status("green", 240, nodes=3)
            times.append(time.monotonic() - t)
            log(f"  {n.name} neu gestartet, Cluster grün ({times[-1]:.1f} s)")
        check_ok, check = self.delivered(180)
        return check_ok, (f"restart+green per node {', '.join(f'{s:.0f} s' for s in times)}; "
                          f"{check}")

    def step_kill_worker(self) -> tuple[bool, str]:
        # Pause both workers so that a backlog builds up, then let one drain it and kill it
        # while its transaction holds the outbox rows (RowShareLock on search_outbox).
        numbers = sorted(self.workers)
        for number in numbers:
            os.kill(self.workers[number].pid, signal.SIGSTOP)
        try:
            self.hold(5 if self.quick else 15)
            queued = self.pg.query(
                "INSERT INTO search_outbox (entity, entity_id, version, created_at, attempts, "
                "next_attempt_at) SELECT 'project', id, version, now(), 0, now() FROM project "
                "RETURNING id")
            backlog, alerts = self.outbox()
            log(f"  Rückstau: {backlog} Outbox-Zeilen ({len(queued)} davon als Neuindexierung "
                f"aller Projekte eingereiht), {alerts} Überschneidungsprüfungen")
            victim_no = numbers[0]
            victim = self.workers[victim_no]
            os.kill(victim.pid, signal.SIGCONT)
            mid_drain = False
            held = 0
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                rows = self.pg.query(
                    "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                    "WHERE a.application_name = %s AND l.relation = 'search_outbox'::regclass "
                    "AND a.state LIKE 'idle in transaction%%'", f"zs-drill-worker-{victim_no}")
                if rows[0][0]:
                    mid_drain = True
                    break
                time.sleep(0.02)
            held = self.outbox()[0]
            self.expected_exit.add(victim.pid)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait(10)
            del self.workers[victim_no]
            log(f"  kill -9 Such-Worker {victim_no} "
                + ("mitten im Abarbeiten (Transaktion hält Outbox-Zeilen)" if mid_drain
                   else "ohne offene Outbox-Transaktion beobachtet zu haben")
                + f"; "
                f"{held} Zeilen noch im Outbox")
        finally:
            for proc in self.workers.values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGCONT)
        new = self.start_worker()
        log(f"  neuer Such-Worker {new} gestartet")
        check_ok, check = self.delivered(240)
        dup_notes = self.pg.query("SELECT count(*) FROM (SELECT user_id, key FROM notification "
                                  "WHERE key != '' GROUP BY user_id, key HAVING count(*) > 1) d")
        dup_fkz = self.pg.query("SELECT count(*) FROM (SELECT fkz FROM project GROUP BY fkz "
                                "HAVING count(*) > 1) d")
        ok = mid_drain and check_ok and dup_notes[0][0] == 0 and dup_fkz[0][0] == 0
        return ok, (f"killed mid-drain: {'yes' if mid_drain else 'NO'} ({held} rows in the "
                    f"outbox at the kill); {check}; duplicate notifications {dup_notes[0][0]}, "
                    f"duplicate FKZ {dup_fkz[0][0]}")

    def step_postgres_restart(self) -> tuple[bool, str]:
        assert self.load is not None
        t = time.monotonic()
        self.pg.stop("fast")
        stopped = time.monotonic()
        log(f"  PostgreSQL gestoppt ({stopped - t:.1f} s)")
        self.hold(8 if self.quick else 20)
        self.pg.start()
        started = time.monotonic()
        log("  PostgreSQL wieder gestartet")

        def recovered() -> bool:
            assert self.load is not None
            ev = self.load.window(started)
            return any(e.ok and e.kind == "save" for e in ev) and \
                any(e.ok and e.kind == "search" for e in ev)

        wait_until("saves and searches to succeed again", recovered, 90)
        time.sleep(3)
        back = max(min(e.at for e in self.load.window(started) if e.ok and e.kind == kind)
                   for kind in ("save", "search")) - started
        during = self.load.window(stopped + 0.5, started)
        failed = [e for e in during if not e.ok]
        codes: dict[str, int] = {}
        for e in failed:
            problem_json = "application/problem+json" in e.detail
            label = f"{e.status or 'no answer'}{' problem+json' if problem_json else ''}"
            codes[label] = codes.get(label, 0) + 1
        clean = all(e.status == 503 and "application/problem+json" in e.detail for e in failed)
        after = [e for e in self.load.window(started + back + 1) if not e.ok]
        sample = next((e.detail for e in failed if e.status != 503), "")
        idx_ok, idx = self.delivered(180)
        ok = bool(failed) and clean and not after and idx_ok
        detail = (f"while down: {len(failed)}/{len(during)} requests failed as "
                  f"{', '.join(f'{k}×{v}' for k, v in sorted(codes.items())) or '-'}"
                  + (f" (e.g. {sample[:160]})" if sample else "")
                  + f"; saves and searches succeed again {back:.1f} s after the start, "
                  f"without an app restart; failures after recovery: {len(after)}; {idx}")
        return ok, detail

    # ----------------------------------------------------------------- run

    def finish(self) -> tuple[bool, str, int, int]:
        """Stop the load; the final checks. Returns ok, detail, lost, duplicates."""
        assert self.load is not None
        self.load.stop()
        try:
            drained: float | None = self.wait_delivered(300)
        except DrillError:
            drained = None
        try:
            alerts_waited: float | None = wait_until(
                "overlap alerts", lambda: self.outbox()[1] == 0, 90 if self.quick else 300)
        except DrillError:
            alerts_waited = None
        alerts = self.alerts_state()
        check_ok, check = self.search_check()
        rows = {int(r[0]): (r[1], int(r[2]), r[3]) for r in self.pg.query(
            "SELECT id, fkz, version, title FROM project WHERE fkz LIKE '99DR%%'")}
        lost = 0
        for saved in self.load.ledger.values():
            got = rows.get(saved.id)
            if got is None or got[1] < saved.version or (got[1] == saved.version
                                                          and got[2] != saved.title):
                lost += 1
        fkzs = {r[0] for r in rows.values()}
        unknown_in_db = sum(1 for f in self.load.unknown_fkz if f in fkzs)
        dup_fkz = int(self.pg.query("SELECT count(*) FROM (SELECT fkz FROM project GROUP BY fkz "
                                    "HAVING count(*) > 1) d")[0][0])
        dup_notes = int(self.pg.query(
            "SELECT count(*) FROM (SELECT user_id, key FROM notification WHERE key != '' "
            "GROUP BY user_id, key HAVING count(*) > 1) d")[0][0])
        notes = int(self.pg.query("SELECT count(*) FROM notification WHERE key != ''")[0][0])
        report = re_numbers(check)
        index_lost = report.get("fehlend", 0) + report.get("veraltet", 0)
        total_lost = lost + index_lost
        ok = (check_ok and total_lost == 0 and dup_fkz == 0 and dup_notes == 0
              and alerts_waited is not None and drained is not None)
        pending = self.outbox()[0]
        detail = ((f"outbox delivered after {drained:.1f} s; " if drained is not None else
                   f"outbox NOT delivered within 300 s ({pending} rows left); ")
                  + (f"overlap checks done after {alerts_waited:.1f} s" if alerts_waited
                     is not None else f"NOT all overlap alerts delivered: {alerts}")
                  + f"; search check: {check}; acknowledged "
                  f"saves {len(self.load.ledger)} projects, lost {lost}; saves without answer "
                  f"{len(self.load.unknown_fkz)} (of these in the database: {unknown_in_db}); "
                  f"duplicate FKZ {dup_fkz}; overlap notifications {notes}, sent twice "
                  f"{dup_notes}")
        return ok, detail, total_lost, dup_fkz + dup_notes
