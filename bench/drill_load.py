"""The failure drill's steady load (`bench/cluster.py`): API saves and searches in threads,
every answer recorded with its time."""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from bench.drill_services import SEARCH_WORDS

# --------------------------------------------------------------------------- Load


@dataclass
class Event:
    at: float
    kind: str  # "save" or "search"
    ok: bool
    status: int  # 0: no HTTP answer
    seconds: float
    phase: str
    detail: str = ""


@dataclass
class Saved:
    id: int
    fkz: str
    version: int
    title: str


@dataclass
class Load:
    """Saves through the JSON API and searches, in background threads, with a ledger of every
    acknowledged save and of the saves whose outcome is unknown (no answer)."""

    base_url: str
    tokens: dict[str, str]
    programme_id: int
    copy_texts: list[tuple[str, str]]
    pause: float
    phase: str = "setup"
    events: list[Event] = field(default_factory=list)
    ledger: dict[int, Saved] = field(default_factory=dict)
    unknown_fkz: list[str] = field(default_factory=list)
    stop_flag: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    counter: int = 0

    def start(self, writers: int = 2, searchers: int = 2) -> None:
        for i in range(writers):
            self.threads.append(threading.Thread(target=self._writer, args=(i,), daemon=True))
        for i in range(searchers):
            self.threads.append(threading.Thread(target=self._searcher, args=(i,), daemon=True))
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=30)

    def _record(self, kind: str, started: float, response: requests.Response | None,
                ok_codes: tuple[int, ...], detail: str = "") -> bool:
        status = response.status_code if response is not None else 0
        ok = status in ok_codes
        if response is not None and not ok:
            detail = f"{response.headers.get('Content-Type', '')} {response.text[:200]}"
        with self.lock:
            self.events.append(Event(time.monotonic(), kind, ok, status,
                                     time.monotonic() - started, self.phase, detail))
        return ok

    def _send(self, method: str, path: str, token: str | None, **kw: Any
              ) -> tuple[requests.Response | None, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return requests.request(method, self.base_url + path, headers=headers,
                                    timeout=15, **kw), ""
        except requests.RequestException as exc:
            return None, f"{type(exc).__name__}: {exc}"[:200]

    def _writer(self, number: int) -> None:
        rng = random.Random(number)
        mine: list[int] = []
        token = self.tokens["editor"]
        while not self.stop_flag.is_set():
            if not mine or rng.random() < 0.35:
                with self.lock:
                    self.counter += 1
                    fkz = f"99DR{number}{self.counter:05d}"
                if rng.random() < 0.3 and self.copy_texts:  # near-copy of another Ressort's
                    title, summary = rng.choice(self.copy_texts)  # record: an overlap alert
                else:
                    title = f"Drill {fkz}: {rng.choice(SEARCH_WORDS)} im Quartier"
                    summary = f"Lasttest {fkz} mit {rng.choice(SEARCH_WORDS)} und Beteiligung."
                body = {"fkz": fkz, "title": title, "summary": summary,
                        "programme_id": self.programme_id}
                started = time.monotonic()
                resp, err = self._send("POST", "/api/v1/projects", token, json=body)
                if self._record("save", started, resp, (201,), err):
                    data = resp.json()  # type: ignore[union-attr]
                    with self.lock:
                        self.ledger[data["id"]] = Saved(data["id"], fkz, data["version"], title)
                    mine.append(data["id"])
                elif resp is None or resp.status_code >= 500:
                    with self.lock:
                        self.unknown_fkz.append(fkz)
            else:
                record_id = rng.choice(mine)
                with self.lock:
                    saved = self.ledger[record_id]
                title = f"Drill {saved.fkz}: {rng.choice(SEARCH_WORDS)}, Stand {saved.version + 1}"
                started = time.monotonic()
                resp, err = self._send("PATCH", f"/api/v1/projects/{record_id}", token,
                                       json={"version": saved.version, "title": title})
                if self._record("save", started, resp, (200,), err):
                    with self.lock:
                        saved.version, saved.title = resp.json()["version"], title  # type: ignore[union-attr]
                elif resp is None or resp.status_code >= 500 or resp.status_code == 409:
                    self._resync(saved, token)
            self.stop_flag.wait(self.pause)

    def _resync(self, saved: Saved, token: str) -> None:
        """After an answer-less update, read back what the database holds."""
        for _ in range(60):
            if self.stop_flag.is_set():
                return
            resp, _ = self._send("GET", f"/api/v1/projects/{saved.id}", token)
            if resp is not None and resp.status_code == 200:
                data = resp.json()
                with self.lock:
                    saved.version, saved.title = data["version"], data["title"]
                return
            time.sleep(1)

    def _searcher(self, number: int) -> None:
        rng = random.Random(100 + number)
        while not self.stop_flag.is_set():
            token = self.tokens["coordination"] if number % 2 else None
            started = time.monotonic()
            resp, err = self._send("GET", "/api/v1/search", token,
                                   params={"q": rng.choice(SEARCH_WORDS)})
            self._record("search", started, resp, (200,), err)
            self.stop_flag.wait(self.pause)

    # ----------------------------------------------------------------- statistics

    def window(self, since: float, until: float | None = None) -> list[Event]:
        with self.lock:
            return [e for e in self.events if e.at >= since and (until is None or e.at <= until)]

    @staticmethod
    def longest_gap(events: list[Event], since: float, until: float) -> float:
        """Longest time without a successful search, or without a successful save."""
        worst = 0.0
        for kind in ("save", "search"):
            times = [since, *sorted(e.at for e in events if e.kind == kind and e.ok), until]
            worst = max(worst, *(b - a for a, b in itertools.pairwise(times)))
        return worst

    def describe(self, since: float, until: float | None = None) -> str:
        until = until or time.monotonic()
        ev = self.window(since, until)
        parts = []
        for kind in ("save", "search"):
            mine = [e for e in ev if e.kind == kind]
            ok = sum(e.ok for e in mine)
            codes: dict[int, int] = {}
            for e in mine:
                if not e.ok:
                    codes[e.status] = codes.get(e.status, 0) + 1
            slow = max((e.seconds for e in mine), default=0.0)
            failed = ", ".join(f"{c or 'no answer'}×{n}" for c, n in sorted(codes.items()))
            plural = "searches" if kind == "search" else "saves"
            parts.append(f"{plural} {ok}/{len(mine)} ok" + (f" (failed: {failed})" if codes else "")
                         + f", slowest {slow:.1f} s")
        parts.append(f"longest gap {self.longest_gap(ev, since, until):.1f} s")
        return "; ".join(parts)
