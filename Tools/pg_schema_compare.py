#!/usr/bin/env python3
"""Compares the SQLite schema of Schema/0*.sql with the PostgreSQL one of Schema/postgres/*.sql.

Usage: Tools/pg_schema_compare.py 'host=127.0.0.1 port=55432 user=ledger dbname=ledger_schema'

Builds the SQLite schema in a temporary file (sqlite3 command-line tool), loads the PostgreSQL
schema into the given database (its schema `public` is dropped and made anew), then compares
tables, columns (order, type, NOT NULL, default), primary keys, unique constraints and indexes,
index names, foreign keys, trigger names and views. Then runs the behaviour cases below on both,
each in a transaction rolled back: both must refuse (with the same message, for a trigger) or
accept alike. Exits 1 on any difference.
"""
import glob
import os
import sqlite3
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = {"INTEGER": "bigint", "TEXT": "text"}


def psql(conninfo, sql, stop=True):
    args = ["psql", "-X", "-q", "-A", "-t", "-F", "\t", "-d", conninfo]
    if stop:
        args += ["-v", "ON_ERROR_STOP=1"]
    return subprocess.run(args, input=sql, capture_output=True, text=True)


def pg_rows(conninfo, sql):
    r = psql(conninfo, sql)
    if r.returncode != 0:
        sys.exit("psql failed: " + r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def build_sqlite(path):
    for f in sorted(glob.glob(os.path.join(ROOT, "Schema", "0*.sql"))):
        with open(f) as src:
            subprocess.run(["sqlite3", path], stdin=src, check=True)


def load_pg(conninfo):
    files = sorted(glob.glob(os.path.join(ROOT, "Schema", "postgres", "*.sql")))
    sql = "SET client_min_messages = warning;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
    for f in files:
        sql += open(f).read() + "\n"
    r = psql(conninfo, sql)
    if r.returncode != 0:
        sys.exit("loading the PostgreSQL schema failed: " + r.stderr)


def sqlite_schema(db):
    s = {"tables": {}, "pk": {}, "unique": {}, "indexes": set(), "fks": {}, "triggers": set(), "views": {}}
    master = db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    for kind, name in master:
        low = name.lower()
        if kind == "table":
            cols = db.execute(f"PRAGMA table_info('{name}')").fetchall()
            s["tables"][low] = [
                (c[1].lower(), TYPES.get(c[2].upper(), c[2]), bool(c[3]) or c[5] > 0, c[4]) for c in cols]
            s["pk"][low] = tuple(c[1].lower() for c in sorted((c for c in cols if c[5] > 0), key=lambda c: c[5]))
            uniq = set()
            for il in db.execute(f"PRAGMA index_list('{name}')").fetchall():
                _, iname, unique, origin, partial = il
                if origin == "c":
                    s["indexes"].add(iname.lower())
                if unique and origin != "pk":
                    icols = tuple(r[2].lower() for r in db.execute(f"PRAGMA index_info('{iname}')").fetchall())
                    uniq.add((icols, bool(partial)))
            s["unique"][low] = uniq
            fks = {}
            for r in db.execute(f"PRAGMA foreign_key_list('{name}')").fetchall():
                fks.setdefault(r[0], [r[2].lower(), [], [], r[6]])
                fks[r[0]][1].append(r[3].lower())
                fks[r[0]][2].append((r[4] or "").lower())
            sql = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
            s["fks"][low] = sorted(
                (t, tuple(f), tuple(k), d, "DEFERRABLE INITIALLY DEFERRED" in sql and t == "journalentry")
                for t, f, k, d in fks.values())
        elif kind == "trigger":
            s["triggers"].add(low)
        elif kind == "view":
            s["views"][low] = [c[1].lower() for c in db.execute(f"PRAGMA table_info('{name}')").fetchall()]
    return s


def pg_default(d):
    if d is None or d == "":
        return None
    d = d.split("::")[0]
    return d


def postgres_schema(conninfo):
    s = {"tables": {}, "pk": {}, "unique": {}, "indexes": set(), "fks": {}, "triggers": set(), "views": {}}
    for t, in pg_rows(conninfo, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        s["tables"][t] = []
        s["unique"][t] = set()
        s["fks"][t] = []
        s["pk"][t] = ()
    for t, c, typ, notnull, dflt, ident in pg_rows(conninfo, """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
            coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum"""):
        s["tables"][t].append((c, typ, notnull == "t", pg_default(dflt)))
    for t, iname, unique, primary, partial, cols, constraint in pg_rows(conninfo, """
        SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum),
            EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'"""):
        if primary == "t":
            s["pk"][t] = tuple(cols.split(","))
        elif unique == "t":
            s["unique"][t].add((tuple(cols.split(",")), partial == "t"))
        if constraint == "f":
            s["indexes"].add(iname)
    for t, ft, cols, fcols, deltype, deferred in pg_rows(conninfo, """
        SELECT c.relname, f.relname,
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(o.conkey) WITH ORDINALITY k(n, ord)
             JOIN pg_attribute a ON a.attrelid = o.conrelid AND a.attnum = k.n),
            (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(o.confkey) WITH ORDINALITY k(n, ord)
             JOIN pg_attribute a ON a.attrelid = o.confrelid AND a.attnum = k.n),
            o.confdeltype, o.condeferred
        FROM pg_constraint o JOIN pg_class c ON c.oid = o.conrelid JOIN pg_class f ON f.oid = o.confrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' WHERE o.contype = 'f'"""):
        action = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}[deltype]
        s["fks"][t].append((ft, tuple(cols.split(",")), tuple(fcols.split(",")), action, deferred == "t"))
    for t in s["fks"]:
        s["fks"][t].sort()
    for name, in pg_rows(conninfo, """
        SELECT g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' WHERE NOT g.tgisinternal"""):
        s["triggers"].add(name.lower())
    for v, c in pg_rows(conninfo, """
        SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        AND n.nspname = 'public' JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
        WHERE c.relkind = 'v' ORDER BY c.relname, a.attnum"""):
        s["views"].setdefault(v, []).append(c)
    return s


# Tables whose implicit SQLite rowid (insertion order) the queries order by: PostgreSQL has it as
# an explicit identity column of that name, last among the columns.
ROWID_TABLES = ("product", "price", "journalentry")


def normalize_sqlite_columns(s):
    # SQLite reports an INTEGER PRIMARY KEY as nullable in table_info; it is the rowid, never NULL.
    for t, cols in s["tables"].items():
        s["tables"][t] = [(c, typ, nn, None if d is None else d.strip("()")) for c, typ, nn, d in cols]
        if t in ROWID_TABLES:
            s["tables"][t].append(("rowid", "bigint", True, None))


def compare(a, b):
    problems = []
    for key in ("triggers", "indexes"):
        for x in sorted(a[key] - b[key]):
            problems.append(f"{key[:-1]} {x} only in SQLite")
        for x in sorted(b[key] - a[key]):
            problems.append(f"{key[:-1]} {x} only in PostgreSQL")
    for key in ("tables", "views"):
        for x in sorted(set(a[key]) ^ set(b[key])):
            problems.append(f"{key[:-1]} {x} only in {'SQLite' if x in a[key] else 'PostgreSQL'}")
        for x in sorted(set(a[key]) & set(b[key])):
            if a[key][x] != b[key][x]:
                problems.append(f"{key[:-1]} {x} columns differ:\n  SQLite     {a[key][x]}\n  PostgreSQL {b[key][x]}")
    for key in ("pk", "unique", "fks"):
        for x in sorted(set(a["tables"]) & set(b["tables"])):
            if a[key].get(x) != b[key].get(x):
                problems.append(f"{x} {key} differ:\n  SQLite     {a[key].get(x)}\n  PostgreSQL {b[key].get(x)}")
    return problems


# Behaviour cases: (name, setup SQL, statement, expectation). Expectation: "ok", "check" (a CHECK
# constraint refuses), "unique", or a trigger's message (the text both databases must raise).
# Setup and statement are written in the SQL both accept.
BASE = """
INSERT INTO customer (id, metadata, created) VALUES ('cus_1', '{}', 0);
INSERT INTO product (id, name, created) VALUES ('prod_1', 'P', 0);
INSERT INTO meter (id, displayName, eventName, aggregation, customerKey, valueKey, status, created)
    VALUES ('mtr_1', 'M', 'api', 'sum', 'c', 'v', 'active', 0);
INSERT INTO price (id, productId, currency, type, billingScheme, unitAmountDecimal, created)
    VALUES ('price_1', 'prod_1', 'usd', 'one_time', 'per_unit', '1', 0);
INSERT INTO price (id, productId, currency, type, recurringInterval, recurringIntervalCount, usageType, meterId,
    billingScheme, tiersMode, created)
    VALUES ('price_2', 'prod_1', 'usd', 'recurring', 'month', 1, 'metered', 'mtr_1', 'tiered', 'graduated', 0);
INSERT INTO priceTier (priceId, position, upTo, unitAmountDecimal) VALUES ('price_2', 0, NULL, '1');
INSERT INTO subscription (id, customerId, status, billingMode, currency, interval, intervalCount, startDate,
    billingCycleAnchor, currentPeriodStart, currentPeriodEnd, graceSeconds, created)
    VALUES ('sub_1', 'cus_1', 'active', 'classic', 'usd', 'month', 1, 0, 0, 0, 100, 0, 0);
INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created)
    VALUES ('si_1', 'sub_1', 0, 'price_1', 1, 0);
INSERT INTO invoice (id, customerId, subscriptionId, billingReason, status, currency, periodStart, periodEnd, created)
    VALUES ('in_draft', 'cus_1', 'sub_1', 'subscription_cycle', 'draft', 'usd', 0, 100, 0);
INSERT INTO invoice (id, customerId, billingReason, status, currency, periodStart, periodEnd, created)
    VALUES ('in_open', 'cus_1', 'manual', 'draft', 'usd', 0, 100, 0);
INSERT INTO invoice (id, customerId, billingReason, status, number, currency, periodStart, periodEnd, finalizedAt,
    voidedAt, created)
    VALUES ('in_void', 'cus_1', 'manual', 'void', 'N-2', 'usd', 0, 100, 5, 6, 0);
INSERT INTO invoiceLine (id, invoiceId, position, type, subscriptionItemId, quantityDecimal, amount, currency,
    periodStart, periodEnd) VALUES ('il_d', 'in_draft', 0, 'subscription', 'si_1', '1', 100, 'usd', 0, 100);
INSERT INTO invoiceLine (id, invoiceId, position, type, invoiceItemId, quantityDecimal, amount, currency,
    periodStart, periodEnd) VALUES ('il_o', 'in_open', 0, 'invoiceitem', 'ii_x', '1', 100, 'usd', 0, 100);
UPDATE invoice SET status = 'open', number = 'N-1', finalizedAt = 5 WHERE id = 'in_open';
INSERT INTO creditGrant (id, customerId, currency, amount, category, scopeType, priority, effectiveAt, created)
    VALUES ('cg_1', 'cus_1', 'usd', 100, 'promotional', 'metered', 50, 10, 0);
INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, effectiveAt, created)
    VALUES ('cbt_1', 'cg_1', 'cus_1', 'credit', 'credits_granted', 100, 'usd', 10, 0);
INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, valueScale,
    recordedAt) VALUES ('ev_1', 7, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5);
INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, valueScale,
    recordedAt, cancelledAt) VALUES ('ev_2', 8, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5, 6);
INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt)
    VALUES ('je_1', 0, 'assets:cash', 'usd', 100, 10), ('je_1', 1, 'revenue:sales', 'usd', -100, 10);
INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created)
    VALUES ('je_1', 10, 'd', 'test', 's', 10);
INSERT INTO allowance (id, subscriptionId, customerId, currency, amount, category, scopeType, priority,
    rolloverPeriods, status, created)
    VALUES ('alw_1', 'sub_1', 'cus_1', 'usd', 10, 'promotional', 'metered', 1, 1, 'active', 0);
"""


def posting(entry, pos, account, amount=0, posted=10, currency="usd"):
    a = account.replace("'", "''")
    return (f"INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt) "
            f"VALUES ('{entry}', {pos}, '{a}', '{currency}', {amount}, {posted})")


def entry(eid, posted=10):
    return (f"INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created) "
            f"VALUES ('{eid}', {posted}, 'd', 'test', 's', {posted})")


def customer(meta):
    m = meta.replace("'", "''")
    return f"INSERT INTO customer (id, metadata, created) VALUES ('cus_m', '{m}', 0)"


def debit(amount, at, tid="cbt_d"):
    return (f"INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, "
            f"effectiveAt, invoiceId, invoiceLineId, created) VALUES ('{tid}', 'cg_1', 'cus_1', 'debit', "
            f"'credits_applied', {amount}, 'usd', {at}, 'in_draft', 'il_d', 0)")


def grant(extra_cols="", extra_vals=""):
    return (f"INSERT INTO creditGrant (id, customerId, currency, amount, category, scopeType, priority, "
            f"effectiveAt, created{extra_cols}) VALUES ('cg_x', 'cus_1', 'usd', 10, 'promotional', 'metered', 1, "
            f"0, 0{extra_vals})")


UNBALANCED = "unbalanced_entry: postings must number two or more and sum to zero per currency"
FROZEN_LINE = "invoice_not_editable: lines of a finalized invoice cannot change"
COVERAGE = "a grant has a whole coverage (subscription and range) exactly when an allowance issued it"

CASES = [
    ("base data loads", "", "SELECT 1", "ok"),
    # Journal.
    ("balanced entry", posting("je_2", 0, "assets:a", 5) + ";\n" + posting("je_2", 1, "equity:b", -5), entry("je_2"), "ok"),
    ("entry with one posting", posting("je_2", 0, "assets:a", 0), entry("je_2"), UNBALANCED),
    ("entry with no posting", "", entry("je_2"), UNBALANCED),
    ("entry not summing to zero", posting("je_2", 0, "assets:a", 5) + ";\n" + posting("je_2", 1, "equity:b", -4),
     entry("je_2"), UNBALANCED),
    ("entry zero per currency only overall", posting("je_2", 0, "assets:a", 5, currency="usd") + ";\n"
     + posting("je_2", 1, "equity:b", -5, currency="eur"), entry("je_2"), UNBALANCED),
    ("posting at another instant", posting("je_2", 0, "assets:a", 5, posted=11) + ";\n"
     + posting("je_2", 1, "equity:b", -5), entry("je_2"), UNBALANCED),
    ("posting added to an existing entry", "", posting("je_1", 2, "assets:a", 0),
     "unbalanced_entry: postings cannot be added to an existing entry"),
    ("journal entry update", "", "UPDATE journalEntry SET description = 'x'", "the journal is append-only"),
    ("journal entry delete", "", "DELETE FROM journalEntry", "the journal is append-only"),
    ("posting update", "", "UPDATE posting SET amountMinor = amountMinor", "the journal is append-only"),
    ("posting delete", "", "DELETE FROM posting", "the journal is append-only"),
    # The account GLOB patterns.
    ("account assets:x", "", posting("je_3", 0, "assets:x"), "ok"),
    ("account expenses:a:b", "", posting("je_3", 0, "expenses:a:b"), "ok"),
    ("account liabilities:", "", posting("je_3", 0, "liabilities:"), "check"),
    ("account Assets:x (case)", "", posting("je_3", 0, "Assets:x"), "check"),
    ("account assets (no colon)", "", posting("je_3", 0, "assets"), "check"),
    ("account xassets:x", "", posting("je_3", 0, "xassets:x"), "check"),
    ("account assets::x", "", posting("je_3", 0, "assets::x"), "check"),
    ("account assets:x:", "", posting("je_3", 0, "assets:x:"), "check"),
    ("account with space", "", posting("je_3", 0, "assets:a b"), "check"),
    ("account with tab", "", posting("je_3", 0, "assets:a\tb"), "ok"),
    ("account ending colon newline", "", posting("je_3", 0, "assets:a:\n"), "ok"),
    ("account with newline", "", posting("je_3", 0, "assets:a\nb"), "ok"),
    ("account with [*?]", "", posting("je_3", 0, "revenue:[*?]"), "ok"),
    # Currency: ASCII lowercase only, three characters.
    ("currency eur", "", posting("je_3", 0, "assets:x", currency="eur"), "ok"),
    ("currency EUR", "", posting("je_3", 0, "assets:x", currency="EUR"), "check"),
    ("currency eu", "", posting("je_3", 0, "assets:x", currency="eu"), "check"),
    ("currency with a non-ASCII capital", "", posting("je_3", 0, "assets:x", currency="\u00c0bc"), "ok"),
    ("currency with a non-ASCII letter", "", posting("je_3", 0, "assets:x", currency="\u00e9bc"), "ok"),
    # JSON metadata.
    ("metadata object", "", customer('{"a":"b"}'), "ok"),
    ("metadata object with spaces", "", customer(' { "a" : [1, 2.5e3, null, true] } '), "ok"),
    ("metadata array", "", customer("[]"), "check"),
    ("metadata string", "", customer('"x"'), "check"),
    ("metadata number", "", customer("1"), "check"),
    ("metadata invalid", "", customer("{"), "check"),
    ("metadata trailing comma", "", customer('{"a":1,}'), "check"),
    ("metadata empty", "", customer(""), "check"),
    ("metadata duplicate keys", "", customer('{"a":1,"a":2}'), "ok"),
    ("metadata escaped NUL", "", customer('{"a":"\\u0000"}'), "ok"),
    ("metadata number with a leading zero", "", customer('{"a":01}'), "check"),
    ("metadata number 1.", "", customer('{"a":1.}'), "check"),
    ("metadata exponent", "", customer('{"a":-0,"b":1E+5}'), "ok"),
    ("metadata raw tab in a string", "", customer('{"a":"\t"}'), "check"),
    ("metadata lone surrogate escape", "", customer('{"a":"\\ud800"}'), "ok"),
    ("metadata single quotes", "", customer("{'a':1}"), "check"),
    ("metadata trailing newline", "", customer('{"a":1}\n'), "ok"),
    ("metadata trailing text", "", customer('{}x'), "check"),
    ("idempotency result array", "", "INSERT INTO idempotencyRecord (key, request, result, created) "
     "VALUES ('k', 'r', '[1]', 0)", "ok"),
    ("idempotency result invalid", "", "INSERT INTO idempotencyRecord (key, request, result, created) "
     "VALUES ('k', 'r', 'nope', 0)", "check"),
    ("meter event dimensions array", "", "INSERT INTO meterEvent (identifier, identifierHash, meterSeq, "
     "customerSeq, timestamp, valueSignificand, valueScale, dimensions, recordedAt) "
     "VALUES ('ev_3', 9, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, '[]', 5)", "check"),
    # Catalog.
    ("id of 256 characters", "", "INSERT INTO product (id, name, created) VALUES ('" + "p" * 256 + "', 'P', 0)", "check"),
    ("id of 255 non-ASCII characters", "", "INSERT INTO product (id, name, created) VALUES ('" + "\u00e9" * 255
     + "', 'P', 0)", "ok"),
    ("meter display name change", "", "UPDATE meter SET displayName = 'N'", "ok"),
    ("meter event name change", "", "UPDATE meter SET eventName = eventName", "meter terms are fixed after creation"),
    ("price archive", "", "UPDATE price SET active = 0", "ok"),
    ("price currency change", "", "UPDATE price SET currency = 'usd'", "price terms are fixed after creation"),
    ("price metered without meter", "", "INSERT INTO price (id, productId, currency, type, recurringInterval, "
     "recurringIntervalCount, usageType, billingScheme, unitAmountDecimal, created) VALUES ('price_3', 'prod_1', "
     "'usd', 'recurring', 'month', 1, 'metered', 'per_unit', '1', 0)", "check"),
    ("price licensed with meter", "", "INSERT INTO price (id, productId, currency, type, recurringInterval, "
     "recurringIntervalCount, usageType, meterId, billingScheme, unitAmountDecimal, created) VALUES ('price_3', "
     "'prod_1', 'usd', 'recurring', 'month', 1, 'licensed', 'mtr_1', 'per_unit', '1', 0)", "check"),
    ("price one-time with meter", "", "INSERT INTO price (id, productId, currency, type, meterId, billingScheme, "
     "unitAmountDecimal, created) VALUES ('price_3', 'prod_1', 'usd', 'one_time', 'mtr_1', 'per_unit', '1', 0)",
     "check"),
    ("price interval 37 months", "", "INSERT INTO price (id, productId, currency, type, recurringInterval, "
     "recurringIntervalCount, usageType, billingScheme, unitAmountDecimal, created) VALUES ('price_3', 'prod_1', "
     "'usd', 'recurring', 'month', 37, 'licensed', 'per_unit', '1', 0)", "check"),
    ("price lookup key reused by an active price", "UPDATE price SET lookupKey = 'k' WHERE id = 'price_1'",
     "UPDATE price SET lookupKey = 'k' WHERE id = 'price_2'", "unique"),
    ("price lookup key reused after archive", "UPDATE price SET lookupKey = 'k', active = 0 WHERE id = 'price_1'",
     "UPDATE price SET lookupKey = 'k' WHERE id = 'price_2'", "ok"),
    ("price tier update", "", "UPDATE priceTier SET upTo = 5", "price tiers are fixed after creation"),
    # Meter events.
    ("meter event cancel", "", "UPDATE meterEvent SET cancelledAt = 6 WHERE identifier = 'ev_1'", "ok"),
    ("meter event cancel twice", "", "UPDATE meterEvent SET cancelledAt = 7 WHERE identifier = 'ev_2'",
     "the event is already cancelled"),
    ("meter event cancelled before recorded", "", "UPDATE meterEvent SET cancelledAt = 1 WHERE identifier = 'ev_1'",
     "check"),
    ("meter event late flag", "", "UPDATE meterEvent SET late = 1", "ok"),
    ("meter event timestamp change", "", "UPDATE meterEvent SET timestamp = timestamp",
     "recorded meter events cannot change; cancel and record anew"),
    ("meter event cancel and rewrite", "", "UPDATE meterEvent SET cancelledAt = 7, timestamp = 1 WHERE identifier = 'ev_2'",
     "the event is already cancelled"),
    ("meter event delete", "", "DELETE FROM meterEvent", "meter events are never deleted; cancel instead"),
    ("meter event slot taken: nothing inserted", "", "INSERT INTO meterEvent (identifier, identifierHash, meterSeq, "
     "customerSeq, timestamp, valueSignificand, valueScale, recordedAt) VALUES ('ev_9', 7, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5) "
     "ON CONFLICT (identifierHash) DO NOTHING", "ok"),
    ("meter event slot taken without upsert", "", "INSERT INTO meterEvent (identifier, identifierHash, meterSeq, "
     "customerSeq, timestamp, valueSignificand, valueScale, recordedAt) VALUES ('ev_9', 7, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5)", "unique"),
    ("meter event value of 16 digits", "", "INSERT INTO meterEvent (identifier, identifierHash, meterSeq, "
     "customerSeq, timestamp, valueSignificand, valueScale, recordedAt) VALUES ('ev_9', 9, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, "
     "1000000000000000, 0, 5)", "check"),
    # Invoices.
    ("invoice draft to open", "", "UPDATE invoice SET status = 'open', number = 'N-3', finalizedAt = 7 "
     "WHERE id = 'in_draft'", "ok"),
    ("invoice draft to void", "", "UPDATE invoice SET status = 'void', number = 'N-3', finalizedAt = 7, voidedAt = 7 "
     "WHERE id = 'in_draft'", "invalid_transition: invoice status cannot change this way"),
    ("invoice open to paid", "", "UPDATE invoice SET status = 'paid', paidAt = 8 WHERE id = 'in_open'", "ok"),
    ("invoice void to open", "", "UPDATE invoice SET status = 'open', voidedAt = NULL WHERE id = 'in_void'",
     "invalid_transition: invoice status cannot change this way"),
    ("invoice status set to itself", "", "UPDATE invoice SET status = status", "ok"),
    ("finalized invoice total change", "", "UPDATE invoice SET total = 1 WHERE id = 'in_open'",
     "invoice_not_editable: a finalized invoice cannot change"),
    # Two triggers refuse: SQLite fires the newest first, PostgreSQL in name order; both pick invoice_frozen.
    ("finalized invoice reopened as draft with a new total", "", "UPDATE invoice SET status = 'draft', "
     "total = 2 WHERE id = 'in_open'", "invoice_not_editable: a finalized invoice cannot change"),
    ("finalized invoice fails and reopens", "", "UPDATE invoice SET status = 'draft', failedAt = 9 "
     "WHERE id = 'in_open'", "invalid_transition: only a draft can fail to finalize"),
    ("finalized invoice metadata change", "", "UPDATE invoice SET metadata = '{\"a\":\"b\"}' WHERE id = 'in_open'", "ok"),
    ("draft invoice total change", "", "UPDATE invoice SET total = 1 WHERE id = 'in_draft'", "ok"),
    ("draft invoice fails", "", "UPDATE invoice SET failedAt = 9, failureCode = 'x' WHERE id = 'in_draft'", "ok"),
    ("open invoice fails", "", "UPDATE invoice SET failedAt = 9 WHERE id = 'in_open'",
     "invalid_transition: only a draft can fail to finalize"),
    ("open invoice failure cleared", "", "UPDATE invoice SET failedAt = NULL WHERE id = 'in_open'", "ok"),
    ("open invoice delete", "", "DELETE FROM invoice WHERE id = 'in_void'",
     "invalid_transition: only a draft invoice can be deleted"),
    ("draft invoice delete", "DELETE FROM invoiceLine WHERE invoiceId = 'in_draft'",
     "DELETE FROM invoice WHERE id = 'in_draft'", "ok"),
    ("invoice send_invoice without due date", "", "UPDATE invoice SET collectionMethod = 'send_invoice' "
     "WHERE id = 'in_draft'", "check"),
    ("invoice amounts not adding up when open", "", "UPDATE invoice SET amountPaid = 1 WHERE id = 'in_open'", "check"),
    # Invoice lines.
    ("draft invoice line update", "", "UPDATE invoiceLine SET description = 'x' WHERE id = 'il_d'", "ok"),
    ("finalized invoice line update", "", "UPDATE invoiceLine SET description = 'x' WHERE id = 'il_o'", FROZEN_LINE),
    ("line added to a draft", "", "INSERT INTO invoiceLine (id, invoiceId, position, type, invoiceItemId, "
     "quantityDecimal, amount, currency, periodStart, periodEnd) VALUES ('il_n', 'in_draft', 1, 'invoiceitem', "
     "'ii_y', '1', 1, 'usd', 0, 1)", "ok"),
    ("line added to a finalized invoice", "", "INSERT INTO invoiceLine (id, invoiceId, position, type, invoiceItemId, "
     "quantityDecimal, amount, currency, periodStart, periodEnd) VALUES ('il_n', 'in_open', 1, 'invoiceitem', "
     "'ii_y', '1', 1, 'usd', 0, 1)", FROZEN_LINE),
    ("draft invoice line delete", "", "DELETE FROM invoiceLine WHERE id = 'il_d'", "ok"),
    ("finalized invoice line delete", "", "DELETE FROM invoiceLine WHERE id = 'il_o'", FROZEN_LINE),
    # Subscriptions.
    ("subscription send_invoice with days", "", "UPDATE subscription SET collectionMethod = 'send_invoice', "
     "daysUntilDue = 30", "ok"),
    ("subscription send_invoice without days", "", "UPDATE subscription SET collectionMethod = 'send_invoice'",
     "check"),
    ("subscription item empty range", "", "UPDATE subscriptionItem SET effectiveFrom = 5, effectiveUntil = 5", "check"),
    # Credits.
    ("debit within the balance", "", debit(100, 10), "ok"),
    ("debit beyond the balance", "", debit(101, 10), "credit_balance_negative: a debit exceeds the grant's balance"),
    ("debit before the grant is effective", "", debit(1, 9),
     "credit_balance_negative: a debit exceeds the grant's balance"),
    ("debit before a later debit (sum path)", debit(60, 20, "cbt_a"), debit(50, 15), "ok"),
    ("debit beyond, before a later debit (sum path)", debit(60, 20, "cbt_a"), debit(101, 15),
     "credit_balance_negative: a debit exceeds the grant's balance"),
    ("debit after a debit (totals)", debit(60, 20, "cbt_a"), debit(40, 20), "ok"),
    ("totals kept by the trigger", debit(60, 20, "cbt_a"),
     "UPDATE creditGrant SET name = 'n' WHERE id = 'cg_1' AND totalApplied = 60 AND totalGranted = 100 "
     "AND lastEffectiveAt = 20 AND (SELECT count(*) FROM invoiceLineCredit WHERE transactionId = 'cbt_a') = 1", "ok"),
    ("totals checked (changes one row)", debit(60, 20, "cbt_a"),
     "INSERT INTO product (id, name, created) SELECT 'p_t', 'P', 0 FROM creditGrant "
     "WHERE id = 'cg_1' AND totalApplied = 60 AND lastEffectiveAt = 20", "ok"),
    ("balance transaction update", "", "UPDATE creditBalanceTransaction SET amount = amount",
     "credit balance transactions are append-only"),
    ("balance transaction delete", "", "DELETE FROM creditBalanceTransaction",
     "credit balance transactions are append-only"),
    ("grant amount change", "", "UPDATE creditGrant SET amount = 5", "credit grant terms are fixed after creation"),
    ("grant expiry change", "", "UPDATE creditGrant SET expiresAt = 50", "ok"),
    ("grant coverage change", "", "UPDATE creditGrant SET coversAfter = 1", "credit grant terms are fixed after creation"),
    ("grant with whole coverage", "", grant(", allowanceId, coversSubscriptionId, coversAfter, coversThrough",
                                            ", 'alw_1', 'sub_1', 0, 100"), "ok"),
    ("grant with partial coverage", "", grant(", allowanceId, coversSubscriptionId, coversAfter",
                                              ", 'alw_1', 'sub_1', 0"), COVERAGE),
    ("grant rolled over without allowance", "", grant(", rolledOverFrom", ", 'cg_1'"), COVERAGE),
    ("grant promotional with cost basis", "", grant(", costBasis", ", 5"), "check"),
    ("allowance amount change", "", "UPDATE allowance SET amount = 5", "allowance terms are fixed after creation"),
    ("allowance cancel", "", "UPDATE allowance SET status = 'canceled', canceledAt = 5", "ok"),
    ("allowance cancel without instant", "", "UPDATE allowance SET status = 'canceled'", "check"),
    # Alerts, top-ups, feed, clocks.
    ("usage alert", "", "INSERT INTO alert (id, customerId, alertType, meterId, gte, recurrence, status, created, "
     "triggered, evaluatedThrough) VALUES ('al_1', 'cus_1', 'usage_threshold', 'mtr_1', '10', 'one_time', 'active', "
     "0, 0, 0)", "ok"),
    ("usage alert with lte", "", "INSERT INTO alert (id, customerId, alertType, currency, lte, meterId, gte, recurrence, "
     "status, created, triggered, evaluatedThrough) VALUES ('al_1', 'cus_1', 'usage_threshold', 'usd', 1, 'mtr_1', "
     "'10', 'one_time', 'active', 0, 0, 0)", "check"),
    ("credit alert without lte", "", "INSERT INTO alert (id, customerId, alertType, currency, status, created, "
     "triggered, evaluatedThrough) VALUES ('al_1', 'cus_1', 'credit_balance_threshold', 'usd', 'active', 0, 0, 0)",
     "check"),
    ("top-up rule with amount and target", "", "INSERT INTO topUpRule (id, customerId, currency, threshold, amount, "
     "target, scopeType, grantOn, status, below, evaluatedThrough, created) VALUES ('tr_1', 'cus_1', 'usd', 5, 10, "
     "20, 'metered', 'issue', 'active', 0, 0, 0)", "check"),
    ("top-up rule with amount", "", "INSERT INTO topUpRule (id, customerId, currency, threshold, amount, "
     "scopeType, grantOn, status, below, evaluatedThrough, created) VALUES ('tr_1', 'cus_1', 'usd', 5, 10, "
     "'metered', 'issue', 'active', 0, 0, 0)", "ok"),
    ("feed event object type", "", "INSERT INTO feedEvent (id, type, objectType, objectId, created, object) "
     "VALUES ('evt_1', 't', 'price', 'p', 0, '{}')", "check"),
    ("feed event", "", "INSERT INTO feedEvent (id, type, objectType, objectId, created, object) "
     "VALUES ('evt_1', 't', 'invoice', 'p', 0, '{}')", "ok"),
    ("second clock row", "", "INSERT INTO ledgerClock (id, processedThrough) VALUES (2, 0)", "check"),
    ("clock values", "", "INSERT INTO product (id, name, created) SELECT 'p_c', 'P', 0 FROM ledgerClock c, "
     "meterEventClock m, invoiceCounter i WHERE c.processedThrough = -9223372036854775807 - 1 "
     "AND m.recordedMax = -9223372036854770400 AND m.billedMax = -9223372036854775807 - 1 AND i.next = 1", "ok"),
]


def classify(message):
    """The kind of a refusal, from either database's message."""
    if message is None:
        return "ok"
    low = message.lower()
    if "check constraint" in low:
        return "check"
    if "unique constraint" in low or "duplicate key" in low:
        return "unique"
    return message


def run_sqlite(path, setup, statement):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("BEGIN")
    try:
        for part in (BASE, setup):
            for stmt in part.split(";\n") if part else []:
                if stmt.strip():
                    db.execute(stmt)
        try:
            db.execute(statement)
            return None, db.total_changes
        except sqlite3.DatabaseError as e:
            return str(e), None
    finally:
        db.execute("ROLLBACK")
        db.close()


def run_postgres(conninfo, setup, statement):
    script = ("\\set ON_ERROR_STOP 1\nSET client_min_messages = warning;\nBEGIN;\n" + BASE + ";\n"
              + (setup + ";\n" if setup else "") + "\\echo __SETUP__\n" + statement + ";\n\\echo __DONE__\nROLLBACK;\n")
    r = psql(conninfo, script)
    if "__SETUP__" not in r.stdout:
        raise RuntimeError("setup failed on PostgreSQL: " + r.stderr)
    if "__DONE__" in r.stdout:
        return None
    for line in r.stderr.splitlines():
        if line.startswith("ERROR:") or ":ERROR:" in line or "ERROR:  " in line:
            return line.split("ERROR:", 1)[1].strip()
    return r.stderr.strip()


def run_cases(sqlite_path, conninfo):
    failures = []
    for name, setup, statement, expect in CASES:
        try:
            s_msg, _ = run_sqlite(sqlite_path, setup, statement)
        except sqlite3.DatabaseError as e:
            failures.append(f"{name}: setup failed on SQLite: {e}")
            continue
        try:
            p_msg = run_postgres(conninfo, setup, statement)
        except RuntimeError as e:
            failures.append(f"{name}: {e}")
            continue
        s_kind, p_kind = classify(s_msg), classify(p_msg)
        if s_kind == p_kind == expect:
            print(f"  same    {name}: {expect}")
        else:
            failures.append(f"{name}: expected {expect!r}; SQLite {s_msg!r}; PostgreSQL {p_msg!r}")
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    conninfo = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "schema.sqlite")
        build_sqlite(path)
        load_pg(conninfo)
        db = sqlite3.connect(path)
        a = sqlite_schema(db)
        db.close()
        normalize_sqlite_columns(a)
        b = postgres_schema(conninfo)
        problems = compare(a, b)
        print(f"schema: {len(a['tables'])} tables, {len(a['indexes'])} indexes, {len(a['triggers'])} triggers, "
              f"{len(a['views'])} views compared")
        print("cases:")
        problems += run_cases(path, conninfo)
    for p in problems:
        print("DIFFERENCE " + p)
    print("FAIL" if problems else "OK: the schemas match and every case behaves alike")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
