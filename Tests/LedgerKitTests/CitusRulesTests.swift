import Foundation
import Testing

@testable import LedgerKit

/// The rules of Citus (PostgreSQL distributed by a column) for distributing the ledger by
/// customer, checked on the text of the PostgreSQL migrations and of the script that distributes
/// them (Schema/postgres/citus/distribute.sql); no Citus server is needed.
enum CitusRules {
    /// The table the PostgreSQL store makes itself (PostgresStore.migrate), beside the migrations.
    static let storeTables = ["ledgermigration"]

    /// Every broken rule, one line each; empty when the schema may be distributed as the script says.
    static func problems(_ model: PostgresSchemaModel) -> [String] {
        var problems: [String] = []
        let tables = Set(model.tables.keys).union(storeTables)
        // 1. Every table is placed once: a reference table, or distributed.
        for table in tables.sorted() where model.placements[table]?.count != 1 {
            problems.append("\(table) is placed \(model.placements[table]?.count ?? 0) times, not once")
        }
        for table in model.placements.keys.sorted() where !tables.contains(table) {
            problems.append("distribute.sql places \(table), which no migration creates")
        }
        func distribution(_ table: String) -> (column: String, group: String)? {
            guard case .distributed(let column, let colocate)? = model.placements[table]?.first else { return nil }
            return (column, colocate ?? table)
        }
        for (name, table) in model.tables.sorted(by: { $0.key < $1.key }) {
            let owned =
                table.columns.contains { $0.name == "customerid" || $0.name == "customerseq" }
                || table.foreignKeys.contains { distribution($0.table)?.group == "customer" }
            guard let (column, group) = distribution(name) else {
                // 2. A customer-owned table is never a reference table.
                if owned { problems.append("\(name) belongs to a customer but is not distributed by customer") }
                for fk in table.foreignKeys where distribution(fk.table) != nil {
                    problems.append("reference table \(name) has a foreign key to distributed \(fk.table)")
                }
                continue
            }
            // 3. The distribution column: NOT NULL text, and for customer-owned rows the customer key.
            guard let key = table.columns.first(where: { $0.name == column }) else {
                problems.append("\(name) has no distribution column \(column)")
                continue
            }
            if !key.notNull { problems.append("\(name).\(column) may be NULL") }
            if key.type != "text" { problems.append("\(name).\(column) is \(key.type), not text") }
            if owned && group != "customer" {
                problems.append("\(name) belongs to a customer but is co-located with \(group), not customer")
            }
            if group == "customer" && name != "customer" && column != "customerid" {
                problems.append("\(name) is co-located with customer by \(column), not customerId")
            }
            // 4. Every primary key, unique constraint and unique index holds the distribution column.
            for k in table.keys where !k.columns.contains(column) {
                problems.append(
                    "\(name) \(k.primary ? "primary key" : "unique") \(k.name ?? "") (\(k.columns.joined(separator: ", "))) leaves out \(column)"
                )
            }
            // 5. A foreign key to a distributed table: co-located, and the distribution columns paired.
            for fk in table.foreignKeys {
                guard let target = distribution(fk.table) else { continue }
                if target.group != group {
                    problems.append("\(name) → \(fk.table) crosses co-location groups (\(group), \(target.group))")
                }
                let paired = zip(fk.columns, fk.referenced).contains { $0 == (column, target.column) }
                if !paired {
                    problems.append(
                        "\(name) (\(fk.columns.joined(separator: ", "))) → \(fk.table) (\(fk.referenced.joined(separator: ", "))) does not pair \(column) with \(target.column)"
                    )
                }
            }
            // 6. A trigger reads or writes only its own customer's rows of a distributed table.
            for function in table.triggerFunctions {
                for problem in triggerProblems(model.functions[function] ?? "", distributed: distribution) {
                    problems.append("trigger function \(function) on \(name): \(problem)")
                }
            }
        }
        // 7. The script drops the cross-customer uniqueness, and nothing else.
        for name in model.dropped where !name.hasSuffix("_global") && name != "meterevent_identifierslot" {
            problems.append("distribute.sql drops \(name), which is not a *_global constraint")
        }
        return problems
    }

    /// Statements of a trigger function's body that touch a distributed table without naming the
    /// customer key (`customerId = NEW.customerId` or `OLD.customerId`).
    static func triggerProblems(_ body: String, distributed: (String) -> (column: String, group: String)?) -> [String] {
        var problems: [String] = []
        for m in body.matches(of: /\b(from|update|into) (\w+)\b([^;]*)/) {
            let table = String(m.2)
            guard distributed(table) != nil else { continue }
            let rest = String(m.3)
            if rest.firstMatch(of: /customerid = (new|old)\.customerid/) == nil {
                problems.append("\(m.1) \(table) without customerId = NEW/OLD.customerId")
            }
        }
        return problems
    }
}

@Suite struct CitusRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func distributeScript() throws -> String {
        try String(
            contentsOf: root.appendingPathComponent("Schema/postgres/citus/distribute.sql"), encoding: .utf8)
    }
    static func model(_ migrations: [String]? = nil, distribute: String? = nil) throws -> PostgresSchemaModel {
        try PostgresSchemaModel(
            (migrations ?? EmbeddedSchema.postgresMigrations.map(\.sql)) + [distribute ?? distributeScript()])
    }

    @Test func theSchemaObeysCitusRulesForDistributionByCustomer() throws {
        let model = try Self.model()
        #expect(CitusRules.problems(model) == [])
        // What the rules were checked on: the whole schema, placed.
        #expect(model.tables.count == 29)
        let reference = model.placements.filter { $0.value == [.reference] }.keys.sorted()
        #expect(
            reference == [
                "invoicecounter", "ledgerclock", "ledgermigration", "meter", "metereventclock", "price", "pricetier",
                "product",
            ])
        let byCustomer = model.placements.filter {
            if case .distributed(_, let colocate) = $0.value.first {
                return colocate == "customer" || $0.key == "customer"
            }
            return false
        }
        #expect(byCustomer.count == 21)
        #expect(model.placements["idempotencyrecord"] == [.distributed(column: "key", colocateWith: "none")])
        // The script drops exactly the cross-customer constraints of the migrations.
        let global = EmbeddedSchema.postgresMigrations.flatMap {
            $0.sql.lowercased().matches(of: /constraint (\w+_global)/)
        }
        .map { String($0.1) }
        #expect(Set(model.dropped) == Set(global + ["meterevent_identifierslot"]))
        #expect(global.count == 38)
    }

    /// Each rule fails on a schema that breaks it.
    @Test(arguments: [
        ("UNIQUE (customerId, invoiceId, position),", "UNIQUE (invoiceId, position),", "leaves out customerid"),
        (
            "FOREIGN KEY (customerId, invoiceId) REFERENCES invoice(customerId, id)",
            "FOREIGN KEY (invoiceId) REFERENCES invoice(id)", "does not pair"
        ),
        (
            "    customerId text NOT NULL DEFAULT '',\n    PRIMARY KEY (customerId, id),\n    UNIQUE (customerId, invoiceId, position)",
            "    customerId text DEFAULT '',\n    PRIMARY KEY (customerId, id),\n    UNIQUE (customerId, invoiceId, position)",
            "may be NULL"
        ),
        ("WHERE customerId = NEW.customerId AND id = NEW.grantId;", "WHERE id = NEW.grantId;", "trigger function"),
    ])
    func aBrokenSchemaIsCaught(original: String, broken: String, problem: String) throws {
        let sql = EmbeddedSchema.postgresMigrations[0].sql
        try #require(sql.contains(original), "the schema no longer has: \(original)")
        let model = try Self.model([sql.replacingOccurrences(of: original, with: broken)])
        let problems = CitusRules.problems(model)
        #expect(problems.contains { $0.contains(problem) }, "\(problems)")
    }

    @Test(arguments: [
        (
            "SELECT create_distributed_table('posting', 'customerId', colocate_with => 'customer');",
            "SELECT create_reference_table('posting');", "not distributed by customer"
        ),
        ("SELECT create_reference_table('price');\n", "", "placed 0 times"),
        ("ALTER TABLE invoice DROP CONSTRAINT invoice_number_global;\n", "", "leaves out customerid"),
        (
            "SELECT create_distributed_table('topUp', 'customerId', colocate_with => 'customer');",
            "SELECT create_distributed_table('topUp', 'customerId');", "crosses co-location"
        ),
    ])
    func aBrokenDistributionIsCaught(original: String, broken: String, problem: String) throws {
        let script = try Self.distributeScript()
        try #require(script.contains(original), "distribute.sql no longer has: \(original)")
        let model = try Self.model(distribute: script.replacingOccurrences(of: original, with: broken))
        let problems = CitusRules.problems(model)
        #expect(problems.contains { $0.contains(problem) }, "\(problems)")
    }
}

/// The ledger on the schema as distribute.sql leaves it, its Citus calls aside: without the
/// cross-customer constraints (on PostgreSQL; on SQLite, the same scenario as it is). It bills the
/// same figures; only an identifier sent for two customers differs, as the README says.
@Suite struct CitusFormTests {
    /// Section 1 of distribute.sql (what runs on plain PostgreSQL): its DROP and CREATE INDEX statements.
    static func preparation() throws -> [String] {
        try PostgresDialect.statements(CitusRulesTests.distributeScript())
            .map { PostgresSchemaModel.withoutComments($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { $0.hasPrefix("ALTER TABLE") || $0.hasPrefix("DROP INDEX") || $0.hasPrefix("CREATE INDEX") }
    }

    @Test func theCitusFormBillsTheSameFigures() throws {
        let clock = TestClock(jan1)
        let ledger = try TestBackend.ledger(clock: { clock.now })
        let distributedForm = ledger.store is PostgresStore
        if distributedForm {
            let statements = try Self.preparation()
            #expect(statements.count == 39 + 12)
            try ledger.store.write { tx in for sql in statements { try tx.db.execute(sql: sql, arguments: []) } }
        }
        let usd = try Currency(code: "usd")
        for id in ["cus_1", "cus_2"] { _ = try ledger.createCustomer(.init(id: .init(id), name: id)) }
        _ = try ledger.createMeter(.init(id: "mtr_tokens", displayName: "Tokens", eventName: "tokens"))
        _ = try ledger.createProduct(.init(id: "prod_1", name: "Product"))
        _ = try ledger.createPrice(.monthly("price_tokens", of: "prod_1", meter: "mtr_tokens", .unit("1")))
        for id in ["cus_1", "cus_2"] {
            _ = try ledger.createSubscription(.init(customer: .init(id), items: [.init(price: "price_tokens")]))
        }
        _ = try ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 1000, currency: usd), category: .promotional,
                scope: .metered))
        clock.set("2026-01-10T00:00:00Z")
        for (customer, value, identifier) in [("cus_1", 3000, "e1"), ("cus_2", 500, "e2")] {
            _ = try ledger.record(
                EventSubmission(
                    eventName: "tokens", identifier: identifier, timestamp: clock.now, customer: .init(customer),
                    value: ExactDecimal(Int64(value))))
        }
        // An identifier already used by cus_1, sent for cus_2: one server refuses it, as SQLite
        // does; distributed, an identifier is unique per customer and it is cus_2's own event.
        let shared = EventSubmission(
            eventName: "tokens", identifier: "e1", timestamp: clock.now, customer: "cus_2", value: ExactDecimal(7))
        if distributedForm {
            _ = try ledger.record(shared)
        } else {
            #expect { try ledger.record(shared) } throws: { ($0 as? LedgerError)?.code == .identifierConflict }
        }
        clock.set("2026-02-01T02:00:00Z")
        _ = try ledger.bill()
        let due = try ["cus_1", "cus_2"].map { customer in
            try ledger.invoices(customer: .init(customer)).filter { $0.status == .open }.map(\.amountDue)
        }
        #expect(due == [[2000], [distributedForm ? 507 : 500]])
        let numbers = try ledger.invoices().compactMap(\.number).sorted()
        #expect(numbers.count == 4 || numbers.count == 2)
        #expect(Set(numbers).count == numbers.count)
    }
}
