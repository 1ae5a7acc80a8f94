import Foundation

@testable import LedgerKit

/// The tables, keys, foreign keys and trigger functions a PostgreSQL script creates, read from
/// its text: the subset of SQL the ledger's PostgreSQL migrations are written in (CREATE TABLE
/// with column and table constraints, CREATE [UNIQUE] INDEX, CREATE FUNCTION, CREATE TRIGGER),
/// and what Schema/postgres/citus/distribute.sql does to it (DROP CONSTRAINT, DROP INDEX,
/// create_reference_table, create_distributed_table). Names are folded to lowercase, as
/// PostgreSQL folds unquoted names.
struct PostgresSchemaModel {
    struct Column: Equatable {
        var name: String
        var type: String
        var notNull: Bool
    }
    /// A primary key, unique constraint or unique index, by name when it has one.
    struct Key: Equatable {
        var name: String?
        var columns: [String]
        var primary: Bool
    }
    struct ForeignKey: Equatable {
        var columns: [String]
        var table: String
        var referenced: [String]
    }
    struct Table {
        var columns: [Column] = []
        var keys: [Key] = []
        var foreignKeys: [ForeignKey] = []
        /// The functions of its triggers.
        var triggerFunctions: [String] = []
    }
    enum Placement: Equatable {
        case reference
        case distributed(column: String, colocateWith: String?)
    }

    var tables: [String: Table] = [:]
    /// Function name → body.
    var functions: [String: String] = [:]
    var placements: [String: [Placement]] = [:]
    /// What distribute.sql dropped: constraint and index names.
    var dropped: [String] = []

    /// Reads `scripts` in order.
    init(_ scripts: [String]) throws {
        for script in scripts {
            for statement in PostgresDialect.statements(script) { try read(statement) }
        }
    }

    private mutating func read(_ raw: String) throws {
        let statement = Self.withoutComments(raw).trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = statement.lowercased()
        if let m = lower.firstMatch(of: /^create table (\w+) \((.*)\)$/.dotMatchesNewlines()) {
            tables[String(m.1)] = try Self.table(String(m.2))
        } else if let m = lower.firstMatch(of: /^create (unique )?index (\w+) on (\w+) ?\(([^)]*)\)/) {
            guard m.1 != nil else { return }
            tables[String(m.3)]?.keys.append(Key(name: String(m.2), columns: Self.names(String(m.4)), primary: false))
        } else if let m = lower.firstMatch(of: /^create function (\w+)\(.*?\$\$(.*)\$\$/.dotMatchesNewlines()) {
            functions[String(m.1)] = String(m.2)
        } else if let m = lower.firstMatch(
            of: /^create trigger \w+ .*? on (\w+) .*execute function (\w+)\(/.dotMatchesNewlines())
        {
            tables[String(m.1)]?.triggerFunctions.append(String(m.2))
        } else if let m = lower.firstMatch(of: /^alter table (\w+) drop constraint (\w+)$/) {
            let before = tables[String(m.1)]?.keys.count
            tables[String(m.1)]?.keys.removeAll { $0.name == String(m.2) }
            guard before != tables[String(m.1)]?.keys.count else { throw Problem("no constraint \(m.2) on \(m.1)") }
            dropped.append(String(m.2))
        } else if let m = lower.firstMatch(of: /^drop index (\w+)$/) {
            let name = String(m.1)
            guard let table = tables.first(where: { $0.value.keys.contains { $0.name == name } })?.key else {
                throw Problem("no index \(name)")
            }
            tables[table]?.keys.removeAll { $0.name == name }
            dropped.append(name)
        } else if let m = lower.firstMatch(of: /^select create_reference_table\('(\w+)'\)$/) {
            placements[String(m.1), default: []].append(.reference)
        } else if let m = lower.firstMatch(
            of: /^select create_distributed_table\('(\w+)', '(\w+)'(?:, colocate_with => '(\w+)')?\)$/)
        {
            placements[String(m.1), default: []].append(
                .distributed(column: String(m.2), colocateWith: m.3.map(String.init)))
        }
    }

    /// The columns and constraints of a CREATE TABLE body.
    private static func table(_ body: String) throws -> Table {
        var table = Table()
        for item in topLevel(body, separator: ",").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) {
            var rest = item
            var name: String?
            if let m = rest.firstMatch(of: /^constraint (\w+) (.*)$/.dotMatchesNewlines()) {
                name = String(m.1)
                rest = String(m.2)
            }
            if let m = rest.firstMatch(of: /^primary key \(([^)]*)\)/) {
                table.keys.append(Key(name: name, columns: names(String(m.1)), primary: true))
            } else if let m = rest.firstMatch(of: /^unique \(([^)]*)\)/) {
                table.keys.append(Key(name: name, columns: names(String(m.1)), primary: false))
            } else if let m = rest.firstMatch(of: /^foreign key \(([^)]*)\) references (\w+) ?\(([^)]*)\)/) {
                table.foreignKeys.append(
                    ForeignKey(columns: names(String(m.1)), table: String(m.2), referenced: names(String(m.3))))
            } else if rest.hasPrefix("check") {
                continue
            } else if let m = rest.firstMatch(of: /^(\w+) (\w+)(.*)$/.dotMatchesNewlines()) {
                let column = String(m.1)
                let tail = String(m.3)
                table.columns.append(
                    Column(
                        name: column, type: String(m.2),
                        notNull: tail.contains("not null") || tail.contains("primary key")))
                if tail.contains("primary key") {
                    table.keys.append(Key(name: nil, columns: [column], primary: true))
                }
                if tail.firstMatch(of: /\bunique\b/) != nil {
                    table.keys.append(Key(name: nil, columns: [column], primary: false))
                }
                if let r = tail.firstMatch(of: /references (\w+) ?\((\w+)\)/) {
                    table.foreignKeys.append(
                        ForeignKey(columns: [column], table: String(r.1), referenced: [String(r.2)]))
                }
            } else {
                throw Problem("cannot read table item: \(item)")
            }
        }
        return table
    }

    static func names(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// `text` split at `separator`s outside parentheses and quotes.
    static func topLevel(_ text: String, separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        var quoted = false
        for c in text {
            if c == "'" { quoted.toggle() }
            if !quoted && c == "(" { depth += 1 }
            if !quoted && c == ")" { depth -= 1 }
            if !quoted && depth == 0 && c == separator {
                parts.append(current)
                current = ""
            } else {
                current.append(c)
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { parts.append(current) }
        return parts
    }

    /// The statement without its `--` comments, its whitespace runs made one space.
    static func withoutComments(_ statement: String) -> String {
        statement.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "--").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
            .replacing(/[ \t]+/, with: " ")
            .replacing(/\n ?/, with: "\n")
            .replacing(/\ ?\n/, with: "\n")
            .replacing(/\(\n/, with: "(")
            .replacing(/\n\)/, with: ")")
            .replacing(/,\n/, with: ", ")
            .replacing(/\n/, with: " ")
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
