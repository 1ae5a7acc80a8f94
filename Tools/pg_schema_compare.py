#!/usr/bin/env python3
"""Compares the SQLite schema of Schema/0*.sql with the PostgreSQL one of Schema/postgres/*.sql.

Usage: Tools/pg_schema_compare.py [--pg-schema DIR] 'host=127.0.0.1 port=55432 user=ledger dbname=ledger_schema'

Builds the SQLite schema in a temporary file (sqlite3 command-line tool), loads the PostgreSQL
schema (DIR/*.sql, by default Schema/postgres) into the given database (its schema `public` is
dropped and made anew), then compares tables, columns (order, type, NOT NULL, default), keys,
index names, foreign keys, trigger names and views. Then runs the behaviour cases below on both,
each in a transaction rolled back: both must refuse (with the same message, for a trigger) or
accept alike. Exits 1 on any difference.

PostgreSQL keys every customer-owned table by the customer key (SQLite's 0018; the header of
Schema/postgres/0001_initial.sql), so: every SQLite primary key and unique constraint/index must
be a primary key or unique constraint/index of PostgreSQL on the same columns (partial alike);
PostgreSQL may have more keys only when they hold the customer key and a SQLite key (so they
refuse nothing SQLite accepts). A PostgreSQL foreign key led by (customerId -> customerId) or
(customerId -> customer.id) compares as the SQLite one without that pair. The few named
exceptions (SQLITE_ONLY_TRIGGERS, SQLITE_INDEX_AS_PG_PK, PG_ONLY_INDEXES) say why.
"""
import glob
import os
import re
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


def load_pg(conninfo, schema_dir):
    files = sorted(glob.glob(os.path.join(schema_dir, "*.sql")))
    if not files:
        sys.exit(f"no PostgreSQL schema in {schema_dir}")
    sql = "SET client_min_messages = warning;\nDROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n"
    for f in files:
        sql += open(f).read() + "\n"
    r = psql(conninfo, sql)
    if r.returncode != 0:
        sys.exit("loading the PostgreSQL schema failed: " + r.stderr)


def sqlite_schema(db):
    s = {"tables": {}, "pk": {}, "unique": {}, "indexes": set(), "index_cols": {}, "fks": {}, "triggers": set(),
         "views": {}}
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
                icols = tuple(r[2].lower() for r in db.execute(f"PRAGMA index_info('{iname}')").fetchall())
                if origin == "c":
                    s["indexes"].add(iname.lower())
                    s["index_cols"][iname.lower()] = (icols, bool(partial)) if unique else None
                if unique and origin != "pk":
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


# The customer key (SQLite 0018; Schema/postgres/0001_initial.sql, its header): PostgreSQL keys
# every customer-owned table by it for Citus. Its column is customerId, in the customer's own
# table id.
def customer_key(table):
    return "id" if table == "customer" else "customerid"


# The tables to which SQLite's 0018 added the column customerId (read from that file).
def tables_0018():
    text = open(os.path.join(ROOT, "Schema", "0018_customer_key.sql")).read()
    return {t.lower() for t in re.findall(r"ALTER TABLE (\w+) ADD COLUMN customerId\b", text, re.I)}


# SQLite triggers PostgreSQL has no trigger for: a child row names its parent's customer (0018).
# On PostgreSQL the composite foreign keys (customerId, parent) -> parent(customerId, id) enforce
# it; the behaviour cases "... names another customer than its ..." prove both refuse.
SQLITE_ONLY_TRIGGERS = {
    "subscriptionitem_customer": "FOREIGN KEY (customerId, subscriptionId) REFERENCES subscription(customerId, id)",
    "subscriptionitemquantity_customer": "FOREIGN KEY (customerId, itemId) REFERENCES subscriptionItem(customerId, id)",
    "invoiceline_customer": "FOREIGN KEY (customerId, invoiceId) REFERENCES invoice(customerId, id)",
    "journalentry_one_customer": "FOREIGN KEY (customerId, entryId) REFERENCES journalEntry(customerId, id) "
    "DEFERRABLE INITIALLY DEFERRED (a posting of another customer has no entry)",
}
# SQLite unique indexes realised on PostgreSQL by the table's primary key, on the same columns
# (SQLite's 0018 could not change a primary key; the upserts name these columns).
SQLITE_INDEX_AS_PG_PK = {
    "subscriptionitemquantity_customer": "subscriptionitemquantity",
    "meterbilledthrough_customer": "meterbilledthrough",
}
# PostgreSQL indexes SQLite has not: distributed, an event's identifier slot is unique per
# customer, and Citus keeps this index and drops meterEvent_identifierSlot (which needs no key).
PG_ONLY_INDEXES = {"meterevent_customerslot": "meterevent"}


def normalize_fk(table, fk):
    """A PostgreSQL foreign key without its leading customer-key pair: (customerId -> customerId)
    or (customerId -> customer.id). Returns (the foreign key SQLite would have, whether a pair was
    removed). A one-column foreign key is left whole (customerId -> customer(id) is SQLite's too)."""
    target, cols, fcols, action, deferred = fk
    if len(cols) > 1 and cols[0] == "customerid" and (
            fcols[0] == "customerid" or (target == "customer" and fcols[0] == "id")):
        return (target, cols[1:], fcols[1:], action, deferred), True
    return fk, False


def keys_of(s, table):
    keys = set(s["unique"].get(table, set()))
    if s["pk"].get(table):
        keys.add((tuple(s["pk"][table]), False))
    return keys


def compare_keys(a, b, table):
    problems = []
    sk, pk = keys_of(a, table), keys_of(b, table)
    for cols, partial in sorted(sk - pk):
        problems.append(f"{table}: SQLite key {cols}{' (partial)' if partial else ''} is no primary key or "
                        f"unique constraint/index of PostgreSQL")
    ck = customer_key(table)
    for cols, partial in sorted(pk - sk):
        if ck not in cols:
            problems.append(f"{table}: PostgreSQL key {cols}{' (partial)' if partial else ''} is not in SQLite "
                            f"and leaves out the customer key {ck}")
        elif not partial and not any(set(c) <= set(cols) for c, p in sk if not p):
            # It would refuse rows SQLite accepts: it must include a whole-table key of SQLite.
            problems.append(f"{table}: PostgreSQL key {cols} is not in SQLite and includes no SQLite key")
        elif partial and not any(set(c) <= set(cols) for c, p in sk):
            problems.append(f"{table}: PostgreSQL partial key {cols} is not in SQLite and includes no SQLite key")
    return problems


def compare_fks(a, b, table, added):
    problems = []
    want = list(a["fks"].get(table, []))
    extras = []
    for fk in b["fks"].get(table, []):
        norm, stripped = normalize_fk(table, fk)
        if norm in want:
            want.remove(norm)
        else:
            extras.append((fk, stripped))
    for fk in want:
        problems.append(f"{table}: SQLite foreign key {fk} has no PostgreSQL foreign key (customer key pair aside)")
    for fk, stripped in extras:
        # Allowed: a composite customer-key foreign key on a table whose customerId SQLite's 0018
        # added. SQLite cannot add a constraint to an existing table (ALTER TABLE ADD COLUMN takes
        # no composite key, and REFERENCES only with a NULL default), so there the agreement of a
        # child's customer with its parent's is a trigger (SQLITE_ONLY_TRIGGERS) or the shared SQL.
        if stripped and table in added:
            continue
        problems.append(f"{table}: PostgreSQL foreign key {fk} is not in SQLite")
    return problems


def compare(a, b):
    problems = []
    for x in sorted(a["triggers"] - b["triggers"]):
        if x not in SQLITE_ONLY_TRIGGERS:
            problems.append(f"trigger {x} only in SQLite")
    for x in sorted(set(SQLITE_ONLY_TRIGGERS) - a["triggers"]):
        problems.append(f"trigger {x} allowed as SQLite-only is not in SQLite")
    for x in sorted(b["triggers"] - a["triggers"]):
        problems.append(f"trigger {x} only in PostgreSQL")
    for x in sorted(a["indexes"] - b["indexes"]):
        t = SQLITE_INDEX_AS_PG_PK.get(x)
        if t is None:
            problems.append(f"index {x} only in SQLite")
        else:
            ic = a["index_cols"].get(x)  # (columns, partial) of a unique index, None if not unique
            if ic is None or ic[1] or ic[0] != tuple(b["pk"].get(t, ())):
                problems.append(f"index {x}: SQLite {ic} is not the primary key of PostgreSQL's {t} "
                                f"{b['pk'].get(t)}")
    for x in sorted(b["indexes"] - a["indexes"]):
        if x not in PG_ONLY_INDEXES:
            problems.append(f"index {x} only in PostgreSQL")
    for key in ("tables", "views"):
        for x in sorted(set(a[key]) ^ set(b[key])):
            problems.append(f"{key[:-1]} {x} only in {'SQLite' if x in a[key] else 'PostgreSQL'}")
        for x in sorted(set(a[key]) & set(b[key])):
            if a[key][x] != b[key][x]:
                problems.append(f"{key[:-1]} {x} columns differ:\n  SQLite     {a[key][x]}\n  PostgreSQL {b[key][x]}")
    added = tables_0018()
    for x in sorted(set(a["tables"]) & set(b["tables"])):
        problems += compare_keys(a, b, x)
        problems += compare_fks(a, b, x, added)
    return problems


# Behaviour cases: (name, setup SQL, statement, expectation). Expectation: "ok", "check" (a CHECK
# constraint refuses), "unique", "fk" (a foreign key refuses), "parent" (a child row names another
# customer than its parent: SQLite's trigger message CHILD_CUSTOMER, PostgreSQL's composite
# foreign key led by customerId; see classify), or a trigger's message (the text both databases
# must raise).
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
INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created, customerId)
    VALUES ('si_1', 'sub_1', 0, 'price_1', 1, 0, 'cus_1');
INSERT INTO invoice (id, customerId, subscriptionId, billingReason, status, currency, periodStart, periodEnd, created)
    VALUES ('in_draft', 'cus_1', 'sub_1', 'subscription_cycle', 'draft', 'usd', 0, 100, 0);
INSERT INTO invoice (id, customerId, billingReason, status, currency, periodStart, periodEnd, created)
    VALUES ('in_open', 'cus_1', 'manual', 'draft', 'usd', 0, 100, 0);
INSERT INTO invoice (id, customerId, billingReason, status, number, currency, periodStart, periodEnd, finalizedAt,
    voidedAt, created)
    VALUES ('in_void', 'cus_1', 'manual', 'void', 'N-2', 'usd', 0, 100, 5, 6, 0);
INSERT INTO invoiceLine (id, invoiceId, position, type, subscriptionItemId, quantityDecimal, amount, currency,
    periodStart, periodEnd, customerId)
    VALUES ('il_d', 'in_draft', 0, 'subscription', 'si_1', '1', 100, 'usd', 0, 100, 'cus_1');
INSERT INTO invoiceLine (id, invoiceId, position, type, invoiceItemId, quantityDecimal, amount, currency,
    periodStart, periodEnd, customerId)
    VALUES ('il_o', 'in_open', 0, 'invoiceitem', 'ii_x', '1', 100, 'usd', 0, 100, 'cus_1');
UPDATE invoice SET status = 'open', number = 'N-1', finalizedAt = 5 WHERE id = 'in_open';
INSERT INTO creditGrant (id, customerId, currency, amount, category, scopeType, priority, effectiveAt, created)
    VALUES ('cg_1', 'cus_1', 'usd', 100, 'promotional', 'metered', 50, 10, 0);
INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, effectiveAt, created)
    VALUES ('cbt_1', 'cg_1', 'cus_1', 'credit', 'credits_granted', 100, 'usd', 10, 0);
INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, valueScale,
    recordedAt, customerId) VALUES ('ev_1', 7, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5, 'cus_1');
INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, valueSignificand, valueScale,
    recordedAt, cancelledAt, customerId)
    VALUES ('ev_2', 8, (SELECT seq FROM meter), (SELECT seq FROM customer), 5, 1, 0, 5, 6, 'cus_1');
INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt, customerId)
    VALUES ('je_1', 0, 'assets:cash', 'usd', 100, 10, ''), ('je_1', 1, 'revenue:sales', 'usd', -100, 10, '');
INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created, customerId)
    VALUES ('je_1', 10, 'd', 'test', 's', 10, '');
INSERT INTO allowance (id, subscriptionId, customerId, currency, amount, category, scopeType, priority,
    rolloverPeriods, status, created)
    VALUES ('alw_1', 'sub_1', 'cus_1', 'usd', 10, 'promotional', 'metered', 1, 1, 'active', 0);
"""


# Journal rows name their customer; '' is the ledger's own (the entries of the cases are).
def posting(entry, pos, account, amount=0, posted=10, currency="usd", cus=""):
    a = account.replace("'", "''")
    return (f"INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt, customerId) "
            f"VALUES ('{entry}', {pos}, '{a}', '{currency}', {amount}, {posted}, '{cus}')")


def entry(eid, posted=10, cus=""):
    return (f"INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created, customerId) "
            f"VALUES ('{eid}', {posted}, 'd', 'test', 's', {posted}, '{cus}')")


def event(ident, hsh, extra_cols="", extra_vals="", cus="cus_1"):
    return (f"INSERT INTO meterEvent (identifier, identifierHash, meterSeq, customerSeq, timestamp, "
            f"valueSignificand, valueScale, recordedAt, customerId{extra_cols}) VALUES ('{ident}', {hsh}, "
            f"(SELECT seq FROM meter), (SELECT seq FROM customer WHERE id = 'cus_1'), 5, 1, 0, 5, '{cus}'{extra_vals})")


def line(lid, invoice, pos, cus="cus_1"):
    return (f"INSERT INTO invoiceLine (id, invoiceId, position, type, invoiceItemId, quantityDecimal, amount, "
            f"currency, periodStart, periodEnd, customerId) VALUES ('{lid}', '{invoice}', {pos}, 'invoiceitem', "
            f"'ii_y', '1', 1, 'usd', 0, 1, '{cus}')")


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


def item(iid, pos, cus):
    return (f"INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, quantity, created, customerId) "
            f"VALUES ('{iid}', 'sub_1', {pos}, 'price_2', NULL, 0, '{cus}')")


def quantity(at, qty, cus):
    return (f"INSERT INTO subscriptionItemQuantity (itemId, effectiveFrom, quantity, created, customerId) "
            f"VALUES ('si_1', {at}, {qty}, 0, '{cus}')")


def billed(through, cus="cus_1"):
    return (f"INSERT INTO meterBilledThrough (customerSeq, meterSeq, billedThrough, customerId) VALUES "
            f"((SELECT seq FROM customer WHERE id = 'cus_1'), (SELECT seq FROM meter), {through}, '{cus}')")


def proves(query, value):
    """A statement refused by the product name CHECK unless query yields value."""
    return (f"INSERT INTO product (id, name, created) VALUES ('p_v', CASE WHEN ({query}) = {value} "
            f"THEN 'P' ELSE '' END, 0)")


CHILD_CUSTOMER = "a row names another customer than its parent"
ONE_CUSTOMER = "unbalanced_entry: the postings of an entry name its customer"
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
    ("meter event dimensions array", "", event("ev_3", 9, ", dimensions", ", '[]'"), "check"),
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
    ("meter event slot taken: nothing inserted", "", event("ev_9", 7) + " ON CONFLICT (identifierHash) DO NOTHING",
     "ok"),
    ("meter event slot taken without upsert", "", event("ev_9", 7), "unique"),
    ("meter event new slot", "", event("ev_9", 9), "ok"),
    ("meter event value of 16 digits", "", event("ev_9", 9).replace("5, 1, 0, 5,", "5, 1000000000000000, 0, 5,"),
     "check"),
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
    ("line added to a draft", "", line("il_n", "in_draft", 1), "ok"),
    ("line added to a finalized invoice", "", line("il_n", "in_open", 1), FROZEN_LINE),
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
    ("feed event object type", "", "INSERT INTO feedEvent (id, type, objectType, objectId, created, object, "
     "customerId) VALUES ('evt_1', 't', 'price', 'p', 0, '{}', 'cus_1')", "check"),
    ("feed event", "", "INSERT INTO feedEvent (id, type, objectType, objectId, created, object, customerId) "
     "VALUES ('evt_1', 't', 'invoice', 'p', 0, '{}', 'cus_1')", "ok"),
    ("feed event id reused by another customer", "INSERT INTO feedEvent (id, type, objectType, objectId, created, "
     "object, customerId) VALUES ('evt_1', 't', 'invoice', 'p', 0, '{}', 'cus_1')",
     "INSERT INTO feedEvent (id, type, objectType, objectId, created, object, customerId) "
     "VALUES ('evt_1', 't', 'invoice', 'p', 0, '{}', '')", "unique"),
    # The customer key (0018). A child row naming another customer than its parent: SQLite's
    # triggers *_customer refuse it with CHILD_CUSTOMER, PostgreSQL's composite foreign keys with a
    # foreign key violation on a key led by customerId; classify calls both "parent".
    ("subscription item of its subscription's customer", "", item("si_2", 1, "cus_1"), "ok"),
    ("subscription item naming another customer", "", item("si_2", 1, "cus_2"), "parent"),
    ("subscription item naming no customer", "", item("si_2", 1, ""), "parent"),
    ("line naming another customer than its invoice", "", line("il_n", "in_draft", 1, cus="cus_2"), "parent"),
    ("line naming no customer", "", line("il_n", "in_draft", 1, cus=""), "parent"),
    ("line naming another customer on a finalized invoice", "", line("il_n", "in_open", 1, cus="cus_2"), "parent"),
    ("quantity of its item's customer", "", quantity(0, 1, "cus_1"), "ok"),
    ("quantity naming another customer than its item", "", quantity(0, 1, "cus_2"), "parent"),
    ("quantity naming no customer", "", quantity(0, 1, ""), "parent"),
    # A posting naming another customer than its entry: both refuse it, each its own way (a pair
    # of expectations: SQLite's, PostgreSQL's). SQLite's triggers look at every customer's rows
    # (journalEntry_one_customer, posting_before_entry); PostgreSQL's read only their own
    # customer's (one shard, distributed), and the posting's deferred composite foreign key to its
    # entry refuses the rest at commit (checked here with SET CONSTRAINTS ALL IMMEDIATE).
    ("entry of a customer", posting("je_2", 0, "assets:a", 5, cus="cus_1") + ";\n"
     + posting("je_2", 1, "equity:b", -5, cus="cus_1"), entry("je_2", cus="cus_1"), "ok"),
    ("posting naming another customer than its entry", posting("je_2", 0, "assets:a", 5) + ";\n"
     + posting("je_2", 1, "equity:b", -5) + ";\n" + posting("je_2", 2, "equity:c", 0, cus="cus_1"), entry("je_2"),
     (ONE_CUSTOMER, "parent")),
    ("postings all naming another customer than their entry", posting("je_2", 0, "assets:a", 5, cus="cus_1")
     + ";\n" + posting("je_2", 1, "equity:b", -5, cus="cus_1"), entry("je_2"), (ONE_CUSTOMER, UNBALANCED)),
    ("posting of another customer added to an existing entry", "", posting("je_1", 2, "assets:a", 0, cus="cus_1"),
     ("unbalanced_entry: postings cannot be added to an existing entry", "parent")),
    ("unbalanced postings naming another customer than their entry", posting("je_2", 0, "assets:a", 5, cus="cus_1"),
     entry("je_2"), (ONE_CUSTOMER, UNBALANCED)),
    # IDs stay unique across customers (PostgreSQL's *_global constraints).
    ("invoice id reused by another customer", customer("{}"), "INSERT INTO invoice (id, customerId, billingReason, "
     "status, currency, periodStart, periodEnd, created) VALUES ('in_open', 'cus_m', 'manual', 'draft', 'usd', 0, "
     "100, 0)", "unique"),
    ("invoice number reused by another customer", customer("{}") + ";\n" + "INSERT INTO invoice (id, customerId, "
     "billingReason, status, currency, periodStart, periodEnd, created) VALUES ('in_m', 'cus_m', 'manual', 'draft', "
     "'usd', 0, 100, 0)", "UPDATE invoice SET status = 'open', number = 'N-1', finalizedAt = 5 WHERE id = 'in_m'",
     "unique"),
    ("subscription item id reused by another customer", customer("{}") + ";\n" + "INSERT INTO subscription (id, "
     "customerId, status, billingMode, currency, interval, intervalCount, startDate, billingCycleAnchor, "
     "currentPeriodStart, currentPeriodEnd, graceSeconds, created) VALUES ('sub_m', 'cus_m', 'active', 'classic', "
     "'usd', 'month', 1, 0, 0, 0, 100, 0, 0)", "INSERT INTO subscriptionItem (id, subscriptionId, position, priceId, "
     "quantity, created, customerId) VALUES ('si_1', 'sub_m', 0, 'price_1', 1, 0, 'cus_m')", "unique"),
    ("meter event slot taken by another customer", customer("{}"), event("ev_9", 7).replace(
        "customer WHERE id = 'cus_1'", "customer WHERE id = 'cus_m'").replace("'cus_1')", "'cus_m')"), "unique"),
    # The upserts name the customer key in their conflict target; each checks it changed the row
    # (a product named '' fails its CHECK otherwise).
    ("quantity upsert on (customerId, itemId, effectiveFrom)", quantity(0, 1, "cus_1"),
     quantity(0, 2, "cus_1") + " ON CONFLICT (customerId, itemId, effectiveFrom) DO UPDATE SET quantity = "
     "excluded.quantity", "ok"),
    ("quantity upsert changed the row", quantity(0, 1, "cus_1") + ";\n" + quantity(0, 2, "cus_1")
     + " ON CONFLICT (customerId, itemId, effectiveFrom) DO UPDATE SET quantity = excluded.quantity",
     proves("SELECT quantity FROM subscriptionItemQuantity WHERE customerId = 'cus_1' AND itemId = 'si_1' "
            "AND effectiveFrom = 0", 2), "ok"),
    ("quantity insert twice without upsert", quantity(0, 1, "cus_1"), quantity(0, 2, "cus_1"), "unique"),
    ("billed-through upsert on (customerId, customerSeq, meterSeq)", billed(5),
     billed(9) + " ON CONFLICT (customerId, customerSeq, meterSeq) DO UPDATE SET billedThrough = "
     "excluded.billedThrough", "ok"),
    ("billed-through upsert changed the row", billed(5) + ";\n" + billed(9)
     + " ON CONFLICT (customerId, customerSeq, meterSeq) DO UPDATE SET billedThrough = excluded.billedThrough",
     proves("SELECT billedThrough FROM meterBilledThrough WHERE customerId = 'cus_1'", 9), "ok"),
    ("billed-through twice without upsert", billed(5), billed(9), "unique"),
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
    # A child naming another customer than its parent (0018): SQLite's trigger, PostgreSQL's
    # composite foreign key (the DETAIL line names its columns, customerId first).
    if message == CHILD_CUSTOMER or ("violates foreign key constraint" in low and "key (customerid," in low):
        return "parent"
    if "foreign key constraint" in low:
        return "fk"
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


def run_postgres(conninfo, setup, statement, immediate=False):
    check = "SET CONSTRAINTS ALL IMMEDIATE;\n" if immediate else ""
    script = ("\\set ON_ERROR_STOP 1\nSET client_min_messages = warning;\nBEGIN;\n" + BASE + ";\n"
              + (setup + ";\n" if setup else "") + "\\echo __SETUP__\n" + statement + ";\n" + check
              + "\\echo __DONE__\nROLLBACK;\n")
    r = psql(conninfo, script)
    if "__SETUP__" not in r.stdout:
        raise RuntimeError("setup failed on PostgreSQL: " + r.stderr)
    if "__DONE__" in r.stdout:
        return None
    lines = r.stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("ERROR:") or ":ERROR:" in line or "ERROR:  " in line:
            message = line.split("ERROR:", 1)[1].strip()
            # A foreign key violation: its DETAIL names the key (what classify tells "parent" by).
            if "foreign key constraint" in message and i + 1 < len(lines) and "DETAIL:" in lines[i + 1]:
                message += " " + lines[i + 1].split("DETAIL:", 1)[1].strip()
            return message
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
            p_msg = run_postgres(conninfo, setup, statement, immediate=isinstance(expect, tuple))
        except RuntimeError as e:
            failures.append(f"{name}: {e}")
            continue
        s_kind, p_kind = classify(s_msg), classify(p_msg)
        if isinstance(expect, tuple) and (s_kind, p_kind) == expect:
            print(f"  both    {name}: SQLite {expect[0]}; PostgreSQL {expect[1]}")
        elif s_kind == p_kind == expect:
            print(f"  same    {name}: {expect}")
        else:
            failures.append(f"{name}: expected {expect!r}; SQLite {s_msg!r}; PostgreSQL {p_msg!r}")
    return failures


def main():
    args = sys.argv[1:]
    schema_dir = os.path.join(ROOT, "Schema", "postgres")
    if len(args) == 3 and args[0] == "--pg-schema":
        schema_dir, args = args[1], args[2:]
    if len(args) != 1:
        sys.exit(__doc__)
    conninfo = args[0]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "schema.sqlite")
        build_sqlite(path)
        load_pg(conninfo, schema_dir)
        db = sqlite3.connect(path)
        a = sqlite_schema(db)
        db.close()
        normalize_sqlite_columns(a)
        b = postgres_schema(conninfo)
        problems = compare(a, b)
        print(f"schema: {len(a['tables'])} tables, {len(a['indexes'])} indexes, {len(a['triggers'])} triggers, "
              f"{len(a['views'])} views compared")
        print(f"cases: {len(CASES)}")
        problems += run_cases(path, conninfo)
    for p in problems:
        print("DIFFERENCE " + p)
    print("FAIL" if problems else "OK: the schemas match and every case behaves alike")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
