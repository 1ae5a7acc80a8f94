-- Distributes a ledger's PostgreSQL database over Citus, sharded by customer (README,
-- "PostgreSQL"). Run it once on the coordinator, as the database's owner, after the ledger made
-- its schema (any first open: `ledger --db URL customers list`) and before the first write:
--     psql "$URL" -v ON_ERROR_STOP=1 -f Schema/postgres/citus/distribute.sql
-- Then point the ledger at the coordinator. Every customer-owned table is distributed by its
-- customer key and co-located with `customer`, so each business operation (one customer's
-- invoice, grant, events, journal entry) runs on one shard; the catalog and the ledger-wide
-- singletons are reference tables (a copy on every node). Tests/LedgerKitTests/CitusRulesTests
-- checks this file against Schema/postgres/*.sql: every table placed once, every key and
-- foreign key between distributed tables holding the distribution column, nothing else dropped.

-- The triggers (append-only journal, frozen invoices, balance checks) run on the shards; each
-- reads only its own customer's rows (WHERE customerId = NEW.customerId) or reference tables.
SET citus.enable_unsafe_triggers = on;

-- 1. Citus enforces no uniqueness that leaves the distribution column out: the constraints that
-- keep IDs, numbers and slots unique across customers on one server go. Then an ID is unique
-- per customer; the ledger still looks an ID up before it creates it, and its own IDs are
-- random (README: what this changes). The orderings by seq keep their index.
ALTER TABLE customer DROP CONSTRAINT customer_seq_global;
ALTER TABLE journalEntry DROP CONSTRAINT journalEntry_id_global;
ALTER TABLE posting DROP CONSTRAINT posting_entry_global;
ALTER TABLE meterEvent DROP CONSTRAINT meterEvent_seq_global;
ALTER TABLE subscription DROP CONSTRAINT subscription_id_global;
ALTER TABLE subscription DROP CONSTRAINT subscription_seq_global;
ALTER TABLE subscriptionItem DROP CONSTRAINT subscriptionItem_id_global;
ALTER TABLE subscriptionItem DROP CONSTRAINT subscriptionItem_position_global;
ALTER TABLE subscriptionItem DROP CONSTRAINT subscriptionItem_price_global;
ALTER TABLE subscriptionItemQuantity DROP CONSTRAINT subscriptionItemQuantity_item_global;
ALTER TABLE invoice DROP CONSTRAINT invoice_id_global;
ALTER TABLE invoice DROP CONSTRAINT invoice_seq_global;
ALTER TABLE invoice DROP CONSTRAINT invoice_number_global;
ALTER TABLE invoiceLine DROP CONSTRAINT invoiceLine_id_global;
ALTER TABLE invoiceLine DROP CONSTRAINT invoiceLine_position_global;
ALTER TABLE invoiceItem DROP CONSTRAINT invoiceItem_id_global;
ALTER TABLE invoiceItem DROP CONSTRAINT invoiceItem_seq_global;
ALTER TABLE meterBilledThrough DROP CONSTRAINT meterBilledThrough_seq_global;
ALTER TABLE allowance DROP CONSTRAINT allowance_id_global;
ALTER TABLE allowance DROP CONSTRAINT allowance_seq_global;
ALTER TABLE allowancePrice DROP CONSTRAINT allowancePrice_global;
ALTER TABLE creditGrant DROP CONSTRAINT creditGrant_id_global;
ALTER TABLE creditGrant DROP CONSTRAINT creditGrant_seq_global;
ALTER TABLE creditGrantPrice DROP CONSTRAINT creditGrantPrice_global;
ALTER TABLE creditBalanceTransaction DROP CONSTRAINT creditBalanceTransaction_id_global;
ALTER TABLE creditBalanceTransaction DROP CONSTRAINT creditBalanceTransaction_seq_global;
ALTER TABLE feedEvent DROP CONSTRAINT feedEvent_seq_global;
ALTER TABLE feedEvent DROP CONSTRAINT feedEvent_id_global;
ALTER TABLE alert DROP CONSTRAINT alert_id_global;
ALTER TABLE alert DROP CONSTRAINT alert_seq_global;
ALTER TABLE topUpRule DROP CONSTRAINT topUpRule_id_global;
ALTER TABLE topUpRule DROP CONSTRAINT topUpRule_seq_global;
ALTER TABLE topUpRulePrice DROP CONSTRAINT topUpRulePrice_global;
ALTER TABLE topUp DROP CONSTRAINT topUp_id_global;
ALTER TABLE topUp DROP CONSTRAINT topUp_seq_global;
ALTER TABLE topUp DROP CONSTRAINT topUp_invoice_global;
ALTER TABLE topUp DROP CONSTRAINT topUp_grant_global;
ALTER TABLE topUp DROP CONSTRAINT topUp_crossing_global;
-- An event identifier is unique per customer (meterEvent_customerSlot stays).
DROP INDEX meterEvent_identifierSlot;
CREATE INDEX customer_seq ON customer(seq);
CREATE INDEX meterEvent_seq ON meterEvent(seq);
CREATE INDEX subscription_seq ON subscription(seq);
CREATE INDEX invoice_seq ON invoice(seq);
CREATE INDEX invoiceItem_seq ON invoiceItem(seq);
CREATE INDEX allowance_seq ON allowance(seq);
CREATE INDEX creditGrant_seq ON creditGrant(seq);
CREATE INDEX creditBalanceTransaction_seq ON creditBalanceTransaction(seq);
CREATE INDEX feedEvent_seq ON feedEvent(seq);
CREATE INDEX alert_seq ON alert(seq);
CREATE INDEX topUpRule_seq ON topUpRule(seq);
CREATE INDEX topUp_seq ON topUp(seq);

-- 2. Reference tables: the catalog, read by every shard's operations, and the ledger-wide
-- singletons. invoiceCounter (one gapless sequence of invoice numbers), ledgerClock and
-- meterEventClock are each one row that a write locks: updating a reference table locks it on
-- every node, so finalizations (which take a number) and clock moves are serialized ledger-wide,
-- as on one server (README: the documented lock).
SELECT create_reference_table('product');
SELECT create_reference_table('meter');
SELECT create_reference_table('price');
SELECT create_reference_table('priceTier');
SELECT create_reference_table('invoiceCounter');
SELECT create_reference_table('ledgerClock');
SELECT create_reference_table('meterEventClock');
SELECT create_reference_table('ledgerMigration');

-- 3. Distributed by customer, co-located with customer (parents before children: a foreign key
-- needs the table it references distributed first).
SELECT create_distributed_table('customer', 'id');
SELECT create_distributed_table('subscription', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('subscriptionItem', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('subscriptionItemQuantity', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('invoice', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('invoiceLine', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('invoiceItem', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('meterEvent', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('meterBilledThrough', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('allowance', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('allowancePrice', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('creditGrant', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('creditGrantPrice', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('creditBalanceTransaction', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('journalEntry', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('posting', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('feedEvent', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('alert', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('topUpRule', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('topUpRulePrice', 'customerId', colocate_with => 'customer');
SELECT create_distributed_table('topUp', 'customerId', colocate_with => 'customer');

-- 4. Idempotency records, by their key (not co-located): a request sent with an idempotency key
-- writes its record on the key's shard in the same transaction as its effects, which Citus
-- commits on both shards with two-phase commit: the one operation that spans two shards.
SELECT create_distributed_table('idempotencyRecord', 'key', colocate_with => 'none');
