"""The hostile-input tool of Tools/stress.py: bad inputs over every command, through the binary.

A ledger is prepared through the binary (explicit --id and --now), then each row of
Tools/hostile_table.py runs against it. Each row must get its exact exit status and error code
(the one-line `error: <code>: …`, the JSON error with --json, or an import's `line N: <code>: …`
lines), no crash (status < 128), and leave the file's logical content (a hash of SQLite's
`iterdump()`) and the folder's listing exactly as before.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile

import hostile_table
from hostile_table import DAY, NOW, T0, T1

ERROR_LINE = re.compile(r"^error: ([a-z_]+): ")
IMPORT_LINE = re.compile(r"^line (\d+): ([a-z_]+): ")
# What SQLite would create beside `--db /dev/null` (outside the folder the listing checks).
BESIDE_SPECIAL_FILES = ["/dev/null-journal", "/dev/null-wal", "/dev/null-shm"]


class Failure(Exception):
    pass


def run(binary, argv, stdin=None):
    result = subprocess.run([binary] + argv, capture_output=True, input=stdin, timeout=60)
    return result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")


def ok(binary, db, now, *args):
    status, out, err = run(binary, ["--db", db, "--json", "--now", str(now)] + list(args))
    if status != 0:
        raise Failure(f"setup: ledger {' '.join(args)} at {now} → exit {status}: {err.strip()}")
    return json.loads(out) if out.strip() else {}


def prepare(binary, db):
    """Customers, meters, prices, subscriptions, grants, events and invoices in several states."""
    def at(now, *args):
        return ok(binary, db, now, *args)

    at(T0, "customers", "create", "--id", "cus_a", "--name", "A")
    at(T0, "customers", "create", "--id", "cus_b", "--name", "B", "--email", "b@example.com")
    at(T0, "meters", "create", "--id", "mtr_tokens", "--display-name", "Tokens", "--event-name", "tokens")
    at(T0, "meters", "create", "--id", "mtr_off", "--display-name", "Old", "--event-name", "old")
    at(T0, "meters", "deactivate", "mtr_off")
    at(T0, "products", "create", "--id", "prod_api", "--name", "API")
    usd = ["--product", "prod_api", "--currency", "usd", "--type", "recurring"]
    at(T0, "prices", "create", "--id", "price_metered", *usd, "--interval", "day", "--usage-type", "metered",
       "--meter", "mtr_tokens", "--unit-amount", "1")
    at(T0, "prices", "create", "--id", "price_seat", *usd, "--interval", "month", "--unit-amount", "1000",
       "--lookup-key", "seat")
    at(T0, "prices", "create", "--id", "price_eur", "--product", "prod_api", "--currency", "eur",
       "--interval", "month", "--unit-amount", "500")
    at(T0, "prices", "create", "--id", "price_old", *usd, "--interval", "month", "--unit-amount", "700")
    at(T0, "prices", "archive", "price_old")
    at(T0, "subscriptions", "create", "--id", "sub_a", "--customer", "cus_a", "--item", "price_metered")
    at(T0, "subscriptions", "create", "--id", "sub_b", "--customer", "cus_b", "--item", "price_seat")
    at(T0, "subscriptions", "create", "--id", "sub_gone", "--customer", "cus_b", "--item", "price_metered")
    at(T0, "subscriptions", "cancel", "sub_gone")
    at(T0, "grants", "create", "--id", "credgr_used", "--customer", "cus_a", "--amount", "3", "--currency", "usd",
       "--category", "promotional", "--scope", "metered")
    at(T0, "grants", "create", "--id", "credgr_free", "--customer", "cus_b", "--amount", "500",
       "--currency", "usd", "--category", "promotional", "--scope", "metered", "--expires-at", str(T0 + 60 * DAY))
    at(T0, "grants", "create", "--id", "credgr_gone", "--customer", "cus_b", "--amount", "500",
       "--currency", "usd", "--scope", "metered")
    at(T0, "grants", "void", "credgr_gone")
    at(T0 + 3600, "events", "record", "--event-name", "tokens", "--customer", "cus_a", "--value", "5",
       "--identifier", "ev_billed", "--timestamp", str(T0 + 3600))
    at(T0 + 3600, "events", "record", "--event-name", "tokens", "--customer", "cus_a", "--value", "2",
       "--identifier", "ev_cancelled", "--timestamp", str(T0 + 3600))
    at(T0 + 3600, "events", "cancel", "--event-name", "tokens", "--identifier", "ev_cancelled")
    # The first day's invoice of sub_a: ev_billed billed, credgr_used applied.
    at(T0 + DAY + 7200, "bill", "--until", str(T0 + DAY + 7200))
    at(T1, "events", "record", "--event-name", "tokens", "--customer", "cus_a", "--value", "1",
       "--identifier", "ev_open", "--timestamp", str(T1))
    for state in ("draft", "open", "paid", "void", "uncollectible"):
        at(T1, "invoice-items", "create", "--id", f"ii_{state}", "--customer", "cus_b", "--currency", "usd",
           "--amount", "250")
        at(T1, "invoices", "create", "--id", f"in_{state}", "--customer", "cus_b", "--currency", "usd",
           "--pending-items", "include")
        if state != "draft":
            at(T1, "invoices", "finalize", f"in_{state}")
        if state in ("paid", "void"):
            at(T1, "invoices", "pay" if state == "paid" else "void", f"in_{state}")
        if state == "uncollectible":
            at(T1, "invoices", "mark-uncollectible", f"in_{state}")
    status, _, _ = run(binary, ["--db", db, "--now", str(T1), "grants", "void", "credgr_used"])
    if status != 65:
        raise Failure("setup: credgr_used was not applied by the first invoice")


def dump_hash(db):
    if not os.path.exists(db):
        return None
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        digest = hashlib.sha256()
        for statement in connection.iterdump():
            digest.update(statement.encode() + b"\n")
        return digest.hexdigest()
    finally:
        connection.close()


def listing(folder):
    return sorted(os.listdir(folder))


def judge(row, status, err):
    """What is wrong with a row's outcome (an empty list when nothing is)."""
    problems = []
    lines = err.splitlines()
    if status >= 128 or status < 0:
        problems.append(f"crashed (status {status})")
    elif status != row.status:
        problems.append(f"exit {status}, expected {row.status}")
    if row.imports:
        found = [IMPORT_LINE.match(line) for line in lines]
        codes = [m.group(2) for m in found if m]
        if len(codes) != len(lines):
            problems.append(f"stderr has lines that are not `line N: code: …`: {lines[:3]}")
        if codes != [row.code] * row.imports:
            problems.append(f"rejections {codes}, expected {row.imports} × {row.code}")
        return problems
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines, expected 1: {lines[:3]}")
    first = lines[0] if lines else ""
    if row.json:
        try:
            code = json.loads(first)["error"]["code"]
        except (ValueError, KeyError, TypeError):
            code = None
    else:
        match = ERROR_LINE.match(first)
        code = match.group(1) if match else None
    if code != row.code:
        problems.append(f"code {code}, expected {row.code} ({first[:160]!r})")
    return problems


def hostile(binary, quiet=False):
    folder = tempfile.mkdtemp(prefix="ledger-hostile-")
    db = os.path.join(folder, "ledger.sqlite")
    prepare(binary, db)
    pristine = os.path.join(tempfile.mkdtemp(prefix="ledger-hostile-pristine-"), "ledger.sqlite")
    shutil.copy(db, pristine)
    fixtures = hostile_table.fixtures(folder)
    rows = hostile_table.rows(db, fixtures)
    names = [r.name for r in rows]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise Failure(f"rows named twice: {sorted(duplicates)}")
    before, files = dump_hash(db), listing(folder)
    present = {p for p in BESIDE_SPECIAL_FILES if os.path.exists(p)}
    mismatches, skipped, crashes, commands = [], [], 0, set()
    for row in rows:
        commands.add(row.command)
        argv = row.argv if row.raw else ["--db", db] + (["--json"] if row.json else []) + \
            ["--now", str(row.now)] + row.argv
        status, out, err = run(binary, argv, row.stdin)
        problems = judge(row, status, err)
        crashes += status >= 128 or status < 0
        after = dump_hash(db)
        if after != before:
            problems.append("the file's content changed")
            shutil.copy(pristine, db)
            before = dump_hash(db)
        if listing(folder) != files:
            problems.append(f"the folder changed: {sorted(set(listing(folder)) ^ set(files))}")
            for extra in set(listing(folder)) - set(files):
                path = os.path.join(folder, extra)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        for beside in BESIDE_SPECIAL_FILES:
            if os.path.exists(beside) and beside not in present:
                problems.append(f"{beside} was created")
                os.remove(beside)
        if problems and row.name in hostile_table.AFTER_TIME_BOUNDS_FIX:
            skipped.append(row.name)
        elif problems:
            mismatches.append(f"{row.name}: {'; '.join(problems)}")
    stale = [n for n in hostile_table.AFTER_TIME_BOUNDS_FIX if n not in names]
    if stale:
        raise Failure(f"AFTER_TIME_BOUNDS_FIX names rows that do not exist: {stale}")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(os.path.dirname(pristine), ignore_errors=True)
    if skipped:
        print(f"hostile: {len(skipped)} rows expected after the time-bounds fix skipped "
              f"(listed in AFTER_TIME_BOUNDS_FIX): {', '.join(skipped)}")
    if mismatches:
        raise Failure(f"hostile: {len(mismatches)} of {len(rows)} bad inputs did not get their documented "
                      f"outcome ({crashes} crashed):\n  " + "\n  ".join(mismatches))
    print(f"hostile: {len(rows) - len(skipped)} bad inputs over {len(commands)} commands: each got its "
          f"documented code and exit status, 0 crashes, the file unchanged")
    return len(rows) - len(skipped)
