"""The rows of `stress.py hostile`: bad inputs, each with its exit status and error code.

The codes are LedgerError's (Sources/LedgerCore/Support/LedgerError.swift); the statuses SPEC §3's
(64 bad usage, 65 rejected, 66 a file to read is missing). The prepared ledger (stress_hostile.prepare)
holds: customers cus_a, cus_b; meters mtr_tokens (event `tokens`), mtr_off (inactive); product
prod_api; prices price_metered (usd, daily, metered), price_seat (usd, monthly, lookup key `seat`),
price_eur, price_old (archived); subscriptions sub_a, sub_b, sub_gone (canceled); grants
credgr_used (applied), credgr_free, credgr_gone (voided); events ev_billed (invoiced),
ev_cancelled, ev_open; invoices in_draft, in_open, in_paid, in_void, in_uncollectible.
"""

import os

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z
DAY = 86_400
T1 = T0 + DAY + 3 * 3600  # the last instant of the setup
NOW = T1 + 600  # rows run here: no scheduled step is due
LATER = T0 + 2 * DAY + 2 * 3600  # sub_a's second period closed and due: a write runs steps first

# Rows allowed to differ from their documented outcome without failing the run (none: every
# row holds). A row listed here is reported as skipped, never silently passed.
AFTER_TIME_BOUNDS_FIX: list[str] = []


class Row:
    def __init__(self, name, argv, status, code, stdin=None, json=False, imports=0, now=NOW, raw=False):
        self.name, self.argv, self.status, self.code = name, argv, status, code
        self.stdin, self.json, self.imports, self.now, self.raw = stdin, json, imports, now, raw
        words = [a for a in argv if isinstance(a, str)]
        index = 0
        while raw and index < len(words) and words[index].startswith("--"):
            index += 1 if words[index] == "--json" or "=" in words[index] else 2
        nouns = words[index:index + 2]
        single = ("bill", "balance", "reconcile", "verify", "demo")
        self.command = " ".join(nouns[:1] if nouns and nouns[0] in single else nouns) or "(none)"


def fixtures(folder):
    """Files the import rows read: a directory, an unreadable file, a missing one."""
    directory = os.path.join(folder, "a-directory")
    os.mkdir(directory)
    unreadable = "/proc/self/mem"  # an I/O error on read, even for root
    if os.geteuid() != 0:
        unreadable = os.path.join(folder, "unreadable.ndjson")
        with open(unreadable, "w") as f:
            f.write("{}\n")
        os.chmod(unreadable, 0)
    return {"directory": directory, "unreadable": unreadable, "missing": os.path.join(folder, "nope.ndjson"),
            "folder": folder}


def line(**fields):
    """A flat NDJSON event line for cus_a, with `fields` replacing or adding keys (None removes one)."""
    base = {"event_name": "tokens", "customer": "cus_a", "value": "1", "timestamp": NOW - 60,
            "identifier": "ev_new"}
    for key, value in fields.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    import json
    return (json.dumps(base) + "\n").encode()


def rows(db, f):
    R = Row
    E, U, M = 65, 64, 66
    imp = ["events", "import", "-"]
    csv = ["events", "import", "-", "--format", "csv"]
    header = b"event_name,customer,value,timestamp,identifier\n"
    long_text = "x" * 5001
    grant = ["grants", "create", "--customer", "cus_b", "--currency", "usd", "--scope", "metered"]
    price = ["prices", "create", "--product", "prod_api", "--currency", "usd"]
    item = ["invoice-items", "create", "--customer", "cus_b", "--currency", "usd"]
    record = ["events", "record", "--event-name", "tokens", "--customer", "cus_a"]
    summary = ["events", "summary", "--meter", "mtr_tokens", "--customer", "cus_a"]
    table = [
        # Usage: the parser cannot read the command line (64, invalid_usage); whole-number options
        # (--priority, --max-age-days, --grace-period, --interval-count) are read by the parser too.
        R("unknown option", ["customers", "list", "--frobnicate"], U, "invalid_usage"),
        R("unknown option, json", ["customers", "list", "--frobnicate"], U, "invalid_usage", json=True),
        R("unknown global option", ["--frobnicate", "customers", "list"], U, "invalid_usage"),
        R("unknown command", ["frobnicate"], U, "invalid_usage"),
        R("unknown verb", ["customers", "frobnicate"], U, "invalid_usage"),
        R("missing argument", ["customers", "show"], U, "invalid_usage"),
        R("extra argument", ["customers", "show", "cus_a", "cus_b"], U, "invalid_usage"),
        R("missing value", ["customers", "create", "--name"], U, "invalid_usage"),
        R("missing required option", ["products", "create"], U, "invalid_usage"),
        R("verify extra argument", ["verify", "now"], U, "invalid_usage"),
        R("bill unknown option", ["bill", "--since", "0"], U, "invalid_usage"),
        R("priority not a number", grant + ["--amount", "5", "--priority", "high"], U, "invalid_usage"),
        R("priority fractional", grant + ["--amount", "5", "--priority", "1.5"], U, "invalid_usage"),
        R("priority huge", grant + ["--amount", "5", "--priority", "99999999999999999999"], U, "invalid_usage"),
        R("max-age-days 1e3", record + ["--value", "1", "--max-age-days", "1e3"], U, "invalid_usage"),
        R("grace-period 0x10", ["subscriptions", "create", "--customer", "cus_b", "--item", "price_seat",
                                "--grace-period", "0x10"], U, "invalid_usage"),
        R("interval-count empty", price + ["--interval", "month", "--unit-amount", "1", "--interval-count", ""],
          U, "invalid_usage"),
        # Paths and global options.
        R("db empty", ["--db", "", "customers", "list"], U, "invalid_request", raw=True),
        R("db empty on a write", ["--db", "", "--now", str(NOW), "customers", "create", "--name", "x"], U,
          "invalid_request", raw=True),
        R("db in a missing directory, write", ["--db", os.path.join(f["folder"], "no", "l.sqlite"), "--now",
                                               str(NOW), "customers", "create", "--name", "x"], M,
          "database_missing", raw=True),
        R("db in a missing directory, read", ["--db", os.path.join(f["folder"], "no", "l.sqlite"),
                                              "customers", "list"], M, "database_missing", raw=True),
        R("db missing, read", ["--db", f["missing"], "invoices", "list"], M, "database_missing", raw=True),
        R("db a directory, write", ["--db", f["directory"], "customers", "create", "--name", "x"], M,
          "database_missing", raw=True),
        R("db a directory, read", ["--db", f["directory"], "customers", "list"], M, "database_missing", raw=True),
        R("db /dev/null, write", ["--db", "/dev/null", "customers", "create", "--name", "x"], M,
          "database_missing", raw=True),
        R("db /dev/null, read", ["--db", "/dev/null", "--json", "customers", "list"], M, "database_missing",
          raw=True, json=True),
        R("db not UTF-8", ["--db", b"\xff.sqlite", "customers", "list"], E, "invalid_text", raw=True),
        R("now malformed", ["--db", db, "--now", "yesterday", "customers", "list"], E, "invalid_time", raw=True),
        R("now empty", ["--db", db, "--now", "", "bill"], E, "invalid_time", raw=True),
        R("now 1e9", ["--db", db, "--now", "1e9", "bill"], E, "invalid_time", raw=True),
        R("now year 10000", ["--db", db, "--now", "10000-01-01T00:00:00Z", "bill"], E, "invalid_time", raw=True),
        R("now year 10000 in seconds", ["--db", db, "--now", "253402300800", "customers", "create", "--name", "x"],
          E, "invalid_time", raw=True),
        R("now before 1970", ["--db", db, "--now", "-1", "customers", "create", "--name", "x"], E,
          "invalid_time", raw=True),
        R("now Int64.min", ["--db", db, "--now", "-9223372036854775808", "customers", "create", "--name", "x"],
          E, "invalid_time", raw=True),
        R("now Int64.max", ["--db", db, "--now", "9223372036854775807", "customers", "create", "--name", "x"],
          E, "invalid_time", raw=True),
        R("now beyond Int64", ["--db", db, "--now", "9223372036854775808", "bill"], E, "invalid_time", raw=True),
        R("now month 13", ["--db", db, "--now", "2026-13-01", "bill"], E, "invalid_time", raw=True),
        R("now February 30", ["--db", db, "--now", "2026-02-30", "bill"], E, "invalid_time", raw=True),
        R("now hour 24", ["--db", db, "--now", "2026-01-02T24:00:00Z", "bill"], E, "invalid_time", raw=True),
        R("now without zone", ["--db", db, "--now", "2026-01-02T10:00:00", "bill"], E, "invalid_time", raw=True),
        R("now offset 24h", ["--db", db, "--now", "2026-01-02T10:00:00+24:00", "bill"], E, "invalid_time",
          raw=True),
        R("now trailing junk", ["--db", db, "--now", "2026-01-02T10:00:00Zjunk", "bill"], E, "invalid_time",
          raw=True),
        R("now newline", ["--db", db, "--now", f"{NOW}\n", "bill"], E, "invalid_time", raw=True),
        R("idempotency key empty", ["--db", db, "--now", str(NOW), "--idempotency-key", "", "customers",
                                    "create", "--name", "x"], E, "invalid_request", raw=True),
        R("idempotency key too long", ["--db", db, "--now", str(NOW), "--idempotency-key", "k" * 256, "customers",
                                       "create", "--name", "x"], E, "invalid_request", raw=True),
        R("clock regression", ["grants", "void", "credgr_free"], E, "clock_regression", now=T0),
        # customers, products
        R("customer name not UTF-8", ["customers", "create", "--name", b"A\xc3("], E, "invalid_text"),
        R("customer name overlong UTF-8", ["customers", "create", "--name", b"\xc0\xaf"], E, "invalid_text"),
        R("customer name surrogate bytes", ["customers", "create", "--name=\udced\udca0\udc80"], E, "invalid_text"),
        R("customer name too long", ["customers", "create", "--name", long_text], E, "invalid_request"),
        R("customer email too long", ["customers", "create", "--name", "x", "--email", long_text], E,
          "invalid_request"),
        R("customer id exists", ["customers", "create", "--id", "cus_a", "--name", "x"], E,
          "resource_already_exists"),
        R("customer id empty", ["customers", "create", "--id", "", "--name", "x"], E, "invalid_request"),
        R("customer id with space", ["customers", "create", "--id", "cus a", "--name", "x"], E, "invalid_request"),
        R("customer id with slash", ["customers", "create", "--id", "../cus", "--name", "x"], E, "invalid_request"),
        R("customer id with quote", ["customers", "create", "--id", "cus'; DROP TABLE customer;--", "--name", "x"],
          E, "invalid_request"),
        R("customer id with escape", ["customers", "create", "--id", "cus\x1b[31m", "--name", "x"], E,
          "invalid_request"),
        R("customer id with tab", ["customers", "create", "--id", "cus\t1", "--name", "x"], E, "invalid_request"),
        R("customer id unicode", ["customers", "create", "--id", "cüs", "--name", "x"], E, "invalid_request"),
        R("customer id too long", ["customers", "create", "--id", "c" * 256, "--name", "x"], E, "invalid_request"),
        R("customer id not UTF-8", ["customers", "create", "--id", b"cus_\xfe", "--name", "x"], E, "invalid_text"),
        R("metadata without =", ["customers", "create", "--name", "x", "--metadata", "plan"], E,
          "invalid_metadata"),
        R("metadata empty key", ["customers", "create", "--name", "x", "--metadata", "=v"], E, "invalid_metadata"),
        R("metadata key twice", ["customers", "create", "--name", "x", "--metadata", "k=1", "--metadata", "k=2"],
          E, "invalid_metadata"),
        R("metadata key too long", ["customers", "create", "--name", "x", "--metadata", "k" * 41 + "=v"], E,
          "invalid_metadata"),
        R("metadata value too long", ["customers", "create", "--name", "x", "--metadata", "k=" + "v" * 501], E,
          "invalid_metadata"),
        R("metadata 51 keys", ["customers", "create", "--name", "x"] +
          [a for n in range(51) for a in ("--metadata", f"k{n}=v")], E, "invalid_metadata"),
        R("metadata not UTF-8", ["customers", "create", "--name", "x", "--metadata", b"k=\xff"], E, "invalid_text"),
        R("customer show unknown", ["customers", "show", "cus_nope"], E, "resource_missing"),
        R("customer show empty id", ["customers", "show", ""], E, "resource_missing"),
        R("customer show unknown, json", ["customers", "show", "cus_nope"], E, "resource_missing", json=True),
        R("product name too long", ["products", "create", "--name", long_text], E, "invalid_request"),
        R("product description too long", ["products", "create", "--name", "p", "--description", long_text], E,
          "invalid_request"),
        R("product id exists", ["products", "create", "--id", "prod_api", "--name", "p"], E,
          "resource_already_exists"),
        R("product show unknown", ["products", "show", "prod_nope"], E, "resource_missing"),
    ]
    return table + more_rows(db, f, R, E, U, M, imp, csv, header, long_text, grant, price, item, record, summary)


from hostile_rows import more_rows  # noqa: E402  (the rest of the table, by command)
