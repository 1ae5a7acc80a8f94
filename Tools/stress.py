#!/usr/bin/env python3
"""The ledger's own stress tools: crashes (kill -9) and concurrent writers, through the binary.

    python3 Tools/stress.py crash [--kills N]          kill -9 at random moments, then check
    python3 Tools/stress.py concurrency [--seconds S]  8 writer processes and 4 library threads
        [--postgres URL]                               the same on PostgreSQL, in a new schema of URL
    python3 Tools/stress.py hostile                    bad inputs over every command (Tools/hostile_table.py)
    python3 Tools/stress.py all --short                the short forms CI runs

Every figure printed comes from the run itself. The checks read the ledger through the binary
(`verify`, lists, balances) and, for counts the CLI does not list, through SQL directly (the
sqlite3 module, or psql for a PostgreSQL ledger). The
tool exits 1 when anything was lost, duplicated or applied twice, or a check failed.
"""

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import zlib

import stress_hostile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400


class Failure(Exception):
    pass


def stable(text):
    """A hash that is the same in every run (Python's own is salted per process)."""
    return zlib.crc32(text.encode())


def ledger_binary(given):
    if given:
        return given
    for config in ("release", "debug"):
        path = os.path.join(ROOT, ".build", config, "ledger")
        if os.path.exists(path):
            return path
    raise SystemExit("build the ledger first (swift build) or pass --ledger PATH")


class Ledger:
    """One ledger file driven through the binary."""

    def __init__(self, binary, db):
        self.binary = binary
        self.db = db

    def argv(self, now, args):
        base = [self.binary, "--db", self.db, "--json"]
        if now is not None:
            base += ["--now", str(now)]
        return base + list(args)

    def run(self, now, *args, stdin=None):
        result = subprocess.run(self.argv(now, args), capture_output=True, text=True, input=stdin)
        return result.returncode, result.stdout, result.stderr

    def ok(self, now, *args):
        status, out, err = self.run(now, *args)
        if status != 0:
            lines = err.strip().splitlines()
            more = f" (and {len(lines) - 3} more lines)" if len(lines) > 3 else ""
            raise Failure(f"ledger {' '.join(args)} at {now} → exit {status}: {' | '.join(lines[:3])}{more}")
        return json.loads(out) if out.strip() else {}

    def query(self, sql):
        """The rows of one SELECT, read directly: SQLite read-only, or psql in the ledger's schema."""
        if not self.db.startswith("postgres"):
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
                return db.execute(sql).fetchall()
        url, _, schema = self.db.partition("?search_path=")
        env = dict(os.environ, PGOPTIONS=f"-c search_path={schema}")
        result = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                                capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise Failure(f"psql: {result.stderr.strip()}")
        cell = lambda text: int(text) if text.lstrip("-").isdigit() else text
        return [tuple(cell(c) for c in line.split("\t")) for line in result.stdout.splitlines()]

    def spawn(self, now, *args):
        return subprocess.Popen(self.argv(now, args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    # What the checks compare: everything a user can see, without generated IDs.
    def state(self, now):
        invoices = [
            (i["number"], i["customer"], i["status"], i["subtotal"], i["total"], i["amount_due"],
             i["period_start"], i["period_end"])
            for i in self.ok(now, "invoices", "list")["data"]
        ]
        # Grants an allowance or a top-up made have generated IDs: compared by what they are, and
        # their journal accounts by that name too.
        listed = self.ok(now, "grants", "list")["data"]
        names = {g["id"]: f"{g['customer']}@{g['effective_at']}/{g['amount']['monetary']['value']}" for g in listed}
        grants = sorted((names[g["id"]], json.dumps(g["balance"], sort_keys=True)) for g in listed)
        accounts = json.dumps(self.ok(now, "balance", "--accounts"), sort_keys=True)
        # Longest first: a caller's ID (credgr_c7) can begin a generated one (credgr_c7HeE6…).
        for grant_id in sorted(names, key=len, reverse=True):
            accounts = accounts.replace(grant_id, names[grant_id])
        accounts = sorted(json.dumps(a, sort_keys=True) for a in json.loads(accounts)["data"])
        events, distinct = self.query("SELECT count(*), count(DISTINCT identifier) FROM meterEvent")[0]
        # The event feed in commit order; IDs differ between ledgers, types and instants do not.
        feed = self.query("SELECT type, objectType, created FROM feedEvent ORDER BY seq")
        return {"invoices": invoices, "grants": grants, "accounts": accounts, "events": events,
                "distinct_events": distinct, "feed": feed}

    def check_invariants(self, now):
        status, out, err = self.run(now, "verify")
        if status != 0:
            raise Failure(f"verify failed: {out.strip()} {err.strip()}")
        state = self.state(now)
        numbers = sorted(int(i[0].split("-")[1]) for i in state["invoices"] if i[0])
        if numbers != list(range(1, len(numbers) + 1)):
            raise Failure(f"invoice numbers are not gapless: {numbers[:20]}…")
        if state["events"] != state["distinct_events"]:
            raise Failure(f"{state['events'] - state['distinct_events']} events stored twice")
        # Portable SQL: it runs on SQLite and PostgreSQL alike.
        overdrawn = self.query(
            """SELECT count(*) FROM creditGrant g WHERE (SELECT coalesce(sum(CASE WHEN t.type = 'debit'
                   THEN t.amount ELSE -t.amount END), 0) FROM creditBalanceTransaction t
                   WHERE t.grantId = g.id AND t.kind != 'credits_granted') > g.amount""")[0][0]
        periods = self.query(
            """SELECT count(*) FROM (SELECT subscriptionId, periodStart FROM invoice
                   WHERE subscriptionId IS NOT NULL AND status != 'void' GROUP BY subscriptionId, periodStart,
                   billingReason HAVING count(*) > 1) AS twice""")[0][0]
        # Every committed change has its event, once, and every event names an object that exists.
        feed_gaps = self.query(
            """SELECT
                   (SELECT count(*) FROM invoice i WHERE (SELECT count(*) FROM feedEvent f
                       WHERE f.objectId = i.id AND f.type = 'invoice.created') != 1),
                   (SELECT count(*) FROM invoice i WHERE (SELECT count(*) FROM feedEvent f
                       WHERE f.objectId = i.id AND f.type = 'invoice.finalized')
                       != CASE WHEN i.status != 'draft' THEN 1 ELSE 0 END),
                   (SELECT count(*) FROM invoice i WHERE (SELECT count(*) FROM feedEvent f
                       WHERE f.objectId = i.id AND f.type = 'invoice.paid')
                       != CASE WHEN i.status = 'paid' THEN 1 ELSE 0 END),
                   (SELECT count(*) FROM feedEvent f WHERE f.objectType = 'invoice'
                       AND f.type != 'invoice.deleted' AND f.objectId NOT IN (SELECT id FROM invoice)),
                   (SELECT count(*) FROM creditGrant g WHERE (SELECT count(*) FROM feedEvent f
                       WHERE f.objectId = g.id AND f.type = 'billing.credit_grant.created') != 1)"""
        )[0]
        if any(feed_gaps):
            raise Failure(f"the event feed and the objects disagree: {feed_gaps} (invoices without their created, "
                          "finalized or paid event; events of missing invoices; grants without their created event)")
        if overdrawn:
            raise Failure(f"{overdrawn} grants had more applied than they hold")
        if periods:
            raise Failure(f"{periods} subscription periods invoiced twice")
        return state


def refusal_code(status, err):
    """The code of a refusal: the JSON error's, or an import line's (`line N: code: …`)."""
    first = err.strip().splitlines()[0] if err.strip() else ""
    try:
        return json.loads(first)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        parts = first.split(": ")
        return f"import line {parts[1]}" if first.startswith("line ") and len(parts) > 1 else f"exit {status}"


def metered_price(ledger, now):
    """The meter `tokens` and its daily metered price `price_tokens` (1 cent a token)."""
    ledger.ok(now, "meters", "create", "--id", "mtr_tokens", "--display-name", "Tokens", "--event-name", "tokens")
    ledger.ok(now, "products", "create", "--id", "prod_api", "--name", "API")
    ledger.ok(now, "prices", "create", "--id", "price_tokens", "--product", "prod_api", "--currency", "usd",
              "--type", "recurring", "--interval", "day", "--usage-type", "metered", "--meter", "mtr_tokens",
              "--unit-amount", "1")


def catalog(ledger, customers, now):
    metered_price(ledger, now)
    for n in range(customers):
        ledger.ok(now, "customers", "create", "--id", f"cus_{n}", "--name", f"Customer {n}")
        ledger.ok(now, "subscriptions", "create", "--id", f"sub_{n}", "--customer", f"cus_{n}",
                  "--item", "price_tokens")
        if n % 2 == 0:
            ledger.ok(now, "grants", "create", "--id", f"credgr_p{n}", "--customer", f"cus_{n}", "--amount", "3000",
                      "--currency", "usd", "--category", "promotional", "--scope", "metered",
                      "--expires-at", str(now + 9 * DAY))
        else:
            ledger.ok(now, "grants", "create", "--id", f"credgr_c{n}", "--customer", f"cus_{n}", "--amount", "5000",
                      "--currency", "usd", "--category", "paid", "--cost-basis", "4000", "--scope", "metered")
        # Allowances and top-ups make grants (and funding invoices) inside the billing run.
        if n % 3 == 0:
            ledger.ok(now, "allowances", "create", "--subscription", f"sub_{n}", "--amount", "500", "--scope",
                      "metered", "--rollover-max", "200", "--id", f"calw_{n}")
        elif n % 3 == 1:
            ledger.ok(now, "top-ups", "create", "--customer", f"cus_{n}", "--currency", "usd", "--threshold", "1000",
                      "--amount", "2000", "--cost-basis", "1800", "--scope", "metered", "--id", f"ctopup_{n}")


def events_file(folder, name, rng, now, customers, count, identifiers, contents):
    """NDJSON of `identifiers`; an identifier keeps the content it was first given (`contents`),
    so one sent again is a duplicate, never a conflict."""
    path = os.path.join(folder, name)
    with open(path, "w") as f:
        for identifier in identifiers[:count]:
            if identifier not in contents:
                contents[identifier] = {
                    "event_name": "tokens", "customer": f"cus_{stable(identifier) % customers}",
                    "value": str(1 + stable(identifier) % 90), "timestamp": now - rng.randrange(0, 3 * 3600),
                    "identifier": identifier}
            f.write(json.dumps(contents[identifier]) + "\n")
    return path


# MARK: crash

def crash(binary, kills, seed):
    """kill -9 during imports, billing runs and concurrent imports; after each kill the work is
    run again to completion, and the ledger must equal a twin that did the same work unkilled."""
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="ledger-crash-")
    victim = Ledger(binary, os.path.join(folder, "victim.sqlite"))
    twin = Ledger(binary, os.path.join(folder, "twin.sqlite"))
    customers = 10
    for ledger in (victim, twin):
        catalog(ledger, customers, T0)
    killed = {"import": 0, "bill": 0, "concurrent": 0, "export": 0}
    early = 0
    previous = []
    contents = {}
    started = time.monotonic()
    for round_ in range(kills):
        if round_ and round_ % 25 == 0:
            print(f"crash: round {round_} of {kills}, {time.monotonic() - started:.0f} s", file=sys.stderr)
        now = T0 + (round_ + 1) * 4 * 3600
        kind = rng.choice(["import", "import", "bill", "concurrent", "export"])
        size = rng.choice([2000, 2000, 2000, 60_000]) if kind not in ("bill", "export") else 0
        fresh = [f"r{round_}-{i}" for i in range(size)]
        ids = fresh + previous[: size // 10]  # a tenth re-sent: duplicates
        rng.shuffle(ids)
        exported = {ledger: os.path.join(folder, f"{name}-{round_}.csv") for ledger, name in
                    ((victim, "victim"), (twin, "twin"))}
        if kind == "bill":
            work = [("bill",)]
        elif kind == "export":
            work = [("export", "events", "-o", exported[victim])]
        elif kind == "import":
            work = [("events", "import", events_file(folder, f"r{round_}.ndjson", rng, now, customers, len(ids), ids, contents))]
        else:
            half = len(ids) // 2
            a = events_file(folder, f"r{round_}a.ndjson", rng, now, customers, len(ids), ids[: half + half // 2], contents)
            b = events_file(folder, f"r{round_}b.ndjson", rng, now, customers, len(ids), ids[half // 2:], contents)
            work = [("events", "import", a), ("events", "import", b)]
        # The twin does the work first, unkilled; how long it took sets when the kill falls.
        began = time.monotonic()
        twin_work = [("export", "events", "-o", exported[twin])] if kind == "export" else work
        twin_processes = [twin.spawn(now, *args) for args in twin_work]
        if any(p.wait() != 0 for p in twin_processes):
            raise Failure(f"round {round_} ({kind}): the twin's work failed")
        took = time.monotonic() - began
        processes = [victim.spawn(now, *args) for args in work]
        time.sleep(rng.uniform(0, took * 0.9))
        target = rng.randrange(len(processes))
        if processes[target].poll() is None:
            processes[target].send_signal(signal.SIGKILL)
            killed[kind] += 1
        else:
            early += 1
        for p in processes:
            p.wait()
        if kind == "export" and os.path.exists(exported[victim]):
            # Renamed into place only once complete: a file there after the kill is the whole export.
            lines = [sum(1 for _ in open(exported[ledger], "rb")) for ledger in (victim, twin)]
            if lines[0] != lines[1]:
                raise Failure(f"round {round_}: a killed export left {lines[0]} of {lines[1]} lines in place")
        # The work again, to completion.
        for args in work:
            victim.ok(now, *args)
        if kind == "export":
            lines = [sum(1 for _ in open(exported[ledger], "rb")) for ledger in (victim, twin)]
            if lines[0] != lines[1]:
                raise Failure(f"round {round_}: the export has {lines[0]} lines, the twin's {lines[1]}")
            for ledger in (victim, twin):
                os.remove(exported[ledger])
        state = victim.check_invariants(now)
        expected = twin.state(now)
        if state != expected:
            differing = [key for key in state if state[key] != expected[key]]
            detail = ""
            if differing == ["accounts"]:
                detail = f": {sorted(set(state['accounts']) ^ set(expected['accounts']))[:6]}"
            raise Failure(f"round {round_} ({kind}): the killed ledger differs from its twin in {differing}{detail}")
        previous = fresh
    seconds = time.monotonic() - started
    final = victim.state(T0 + (kills + 1) * 4 * 3600)
    print(f"crash: {sum(killed.values())} kill -9 survived ({killed['import']} during imports, "
          f"{killed['bill']} during billing runs, {killed['concurrent']} during concurrent imports, "
          f"{killed['export']} during exports (never a partial file); {early} "
          f"processes had already finished) in {seconds:.0f} s; after each: verify passed, every event once, "
          f"numbers gapless, no credit applied twice, every invoice and grant with its feed events, "
          f"state and feed equal to an unkilled twin "
          f"({final['events']} events, {len(final['invoices'])} invoices)")
    shutil.rmtree(folder)
    return sum(killed.values())


# MARK: concurrency

def concurrency(binary, seconds, seed, threads_binary, postgres=None):
    """A new ledger opened by 8 processes at once, then 8 writer processes (imports with overlapping
    identifiers, records, billing runs, grants and voids, items and invoices) and 4 threads
    through the library, all on the system clock. The ledger is a new file, or with `postgres`
    (a postgres:// URL) a new schema of that database."""
    rng = random.Random(seed)
    folder = tempfile.mkdtemp(prefix="ledger-concurrency-")
    if postgres:
        database = f"{postgres}?search_path=stress_{os.getpid()}_{int(time.time())}"
    else:
        database = os.path.join(folder, "shared.sqlite")
    ledger = Ledger(binary, database)
    customers = 10
    # The first-open race: 8 processes create the file at once.
    racers = [ledger.spawn(None, "customers", "create", "--id", f"cus_{n}", "--name", f"C{n}") for n in range(8)]
    first_open_failures = sum(1 for p in racers if p.wait() != 0)
    for n in range(8, customers):
        ledger.ok(None, "customers", "create", "--id", f"cus_{n}", "--name", f"C{n}")
    now = int(time.time())
    metered_price(ledger, None)
    for n in range(customers):
        ledger.ok(None, "subscriptions", "create", "--id", f"sub_{n}", "--customer", f"cus_{n}",
                  "--item", "price_tokens", "--backdate-start-date", str(now - 5 * DAY))

    base = int(time.time())
    lock = threading.Lock()
    acknowledged = set()  # identifiers of events a process or thread reported written
    stats = {"operations": 0, "busy": 0, "refused": {}, "worst": 0.0}
    deadline = time.monotonic() + seconds

    def note(status, err, elapsed):
        with lock:
            stats["operations"] += 1
            stats["worst"] = max(stats["worst"], elapsed)
            if status == 75:
                stats["busy"] += 1
            elif status != 0:
                code = refusal_code(status, err)
                stats["refused"][code] = stats["refused"].get(code, 0) + 1

    def timed(*args):
        start = time.monotonic()
        status, out, err = ledger.run(None, *args)
        note(status, err, time.monotonic() - start)
        return status, out

    def importer(worker):
        batch = 0
        while time.monotonic() < deadline:
            ids = [f"imp-{batch}-{i}" for i in range(1000)]  # both importers send the same identifiers
            path = os.path.join(folder, f"w{worker}-{batch}.ndjson")
            with open(path, "w") as f:
                for identifier in ids:
                    f.write(json.dumps({"event_name": "tokens", "customer": f"cus_{stable(identifier) % customers}",
                                        "value": "2", "timestamp": base - 3 * DAY + stable(identifier) % DAY,
                                        "identifier": identifier}) + "\n")
            status, out = timed("events", "import", path)
            if status == 0:
                with lock:
                    acknowledged.update(ids)
            batch += 1

    def recorder(worker):
        n = 0
        while time.monotonic() < deadline:
            identifier = f"rec-{n % 400}-{worker % 2}" if n % 3 else f"rec-{n}-{worker}"
            # An identifier shared with the other recorder names the same event: same content.
            status, _ = timed("events", "record", "--event-name", "tokens",
                              "--customer", f"cus_{stable(identifier) % customers}", "--value", "1",
                              "--identifier", identifier, "--timestamp", str(base - stable(identifier) % (4 * DAY)))
            if status == 0:
                with lock:
                    acknowledged.add(identifier)
            n += 1

    def biller(worker):
        while time.monotonic() < deadline:
            timed("bill")

    def granter(worker):
        n = 0
        while time.monotonic() < deadline:
            grant = f"credgr_w{worker}_{n}"
            status, _ = timed("grants", "create", "--id", grant, "--customer", f"cus_{n % customers}",
                              "--amount", "40", "--currency", "usd", "--category", "promotional",
                              "--scope", "metered", "--effective-at", str(int(time.time()) - 4 * DAY))
            if status == 0 and n % 3 == 0:
                timed("grants", "void", grant)
            n += 1

    def invoicer(worker):
        n = 0
        while time.monotonic() < deadline:
            customer = f"cus_{n % customers}"
            timed("invoice-items", "create", "--customer", customer, "--currency", "usd", "--amount", "100")
            status, out = timed("invoices", "create", "--customer", customer, "--currency", "usd")
            if status == 0:
                invoice = json.loads(out)["id"]
                timed("invoices", "finalize", invoice)
                timed("invoices", "pay", invoice)
            n += 1

    roles = [importer, importer, recorder, recorder, biller, granter, invoicer, recorder]
    workers = [threading.Thread(target=role, args=(i,)) for i, role in enumerate(roles)]
    library = None
    if threads_binary:
        library = subprocess.Popen([threads_binary, ledger.db, "4", str(seconds)], stdout=subprocess.PIPE, text=True)
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    library_ids = []
    if library:
        out, _ = library.communicate()
        report = json.loads(out)
        library_ids = report["acknowledged"]
        stats["operations"] += report["operations"]
        stats["busy"] += report["busy"]
        for code, count in report["refused"].items():
            stats["refused"][code] = stats["refused"].get(code, 0) + count
    state = ledger.check_invariants(None)
    stored = {row[0] for row in ledger.query("SELECT identifier FROM meterEvent")}
    expected = acknowledged | set(library_ids)
    lost = expected - stored
    if first_open_failures or lost:
        raise Failure(f"{first_open_failures} first openers failed; {len(lost)} acknowledged events lost")
    backend = "PostgreSQL schema" if postgres else "file"
    print(f"concurrency: 8 processes opened a new {backend} at once (0 failed); then 8 writer processes and "
          f"{4 if library else 0} library threads for {seconds} s: {stats['operations']} operations, "
          f"{len(expected)} acknowledged events all stored once ({state['events']} stored), 0 lost, "
          f"0 duplicated, 0 credit applied twice, {len(state['invoices'])} invoices numbered without gap; "
          f"exit 75 (busy) {stats['busy']} times, refusals {stats['refused'] or 'none'}, "
          f"worst latency {stats['worst']:.2f} s")
    shutil.rmtree(folder)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tool", choices=["crash", "concurrency", "hostile", "all"])
    parser.add_argument("--ledger", help="the ledger binary (default: .build/release, then .build/debug)")
    parser.add_argument("--threads-tool", help="the ledger-stress binary (library threads)")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--short", action="store_true", help="the short forms: 20 kills, 15 seconds")
    parser.add_argument("--postgres", help="concurrency on PostgreSQL: a postgres:// URL (a new schema of it)")
    options = parser.parse_args()
    binary = ledger_binary(options.ledger)
    threads = options.threads_tool or os.path.join(os.path.dirname(binary), "ledger-stress")
    threads = threads if os.path.exists(threads) else None
    kills = 20 if options.short else options.kills
    seconds = 15 if options.short else options.seconds
    try:
        if options.tool in ("crash", "all"):
            crash(binary, kills, options.seed)
        if options.tool in ("concurrency", "all"):
            concurrency(binary, seconds, options.seed, threads, options.postgres)
        if options.tool in ("hostile", "all"):
            stress_hostile.hostile(binary)
    except (Failure, stress_hostile.Failure) as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
