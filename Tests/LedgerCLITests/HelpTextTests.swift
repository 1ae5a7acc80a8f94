import ArgumentParser
import Foundation
import Testing

@testable import LedgerCLI

/// `--help` of every command, as a user reads it: it exits 0, each option's default shows once,
/// and each closed set lists its values (what `ledger.1`, made from the same tree, shows too).
///
/// The tree is walked twice and the walks must agree: `LedgerCommand.configuration.subcommands`
/// in process, and the built binary's `--experimental-dump-help` (ArgumentParser's ToolInfo, what
/// `swift package generate-manual` reads), which gives each argument's values and default.
@Suite struct HelpTextTests {
    /// Every command's path below `ledger` (the root is `[]`), from the command types.
    static let paths: [[String]] = [[]] + subcommandPaths(LedgerCommand.self, [])

    static func subcommandPaths(_ command: any ParsableCommand.Type, _ prefix: [String]) -> [[String]] {
        command.configuration.subcommands.flatMap { sub -> [[String]] in
            let path = prefix + [sub._commandName]
            return [path] + subcommandPaths(sub, path)
        }
    }

    /// Options that take one of a fixed set wherever a command has them, and positionals by command.
    static let closedOptions: Set<String> = [
        "format", "status", "interval", "type", "usage-type", "billing-scheme", "round", "tiers-mode", "aggregation",
        "group", "category", "scope", "billing-mode", "pending-items", "active", "cancel-at-period-end",
    ]
    static let closedPositionals: [String: String] = ["export": "kind", "completions": "shell"]

    /// The values `--format` takes, per command: every command with a `--format` is here.
    static let formats: [String: [String]] = {
        let lists = [
            "customers", "meters", "products", "prices", "subscriptions", "invoice-items", "invoices", "grants",
            "credit-transactions",
        ]
        var formats = Dictionary(uniqueKeysWithValues: lists.map { ("\($0) list", ["table", "csv"]) })
        formats["events import"] = ["ndjson", "csv"]
        formats["export"] = ["csv", "hledger", "beancount"]
        formats["reconcile"] = ["table", "csv"]
        return formats
    }()

    /// The arguments of each command of the binary's ToolInfo, by path ("" for the root, "prices create"),
    /// without `help`.
    static let dumped: [String: [Argument]] = {
        let r = LedgerBinary.execute(["--experimental-dump-help"])
        guard r.status == 0, let data = r.stdout.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let root = object["command"] as? [String: Any]
        else { return [:] }
        var commands: [String: [Argument]] = [:]
        func walk(_ command: [String: Any], _ path: [String]) {
            commands[path.joined(separator: " ")] = arguments(command)
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = sub["commandName"] as? String, name != "help" else { continue }
                walk(sub, path + [name])
            }
        }
        walk(root, [])
        return commands
    }()

    @Test("the binary's command tree is the command types' tree")
    func treesAgree() {
        #expect(Set(Self.dumped.keys) == Set(Self.paths.map { $0.joined(separator: " ") }))
        #expect(Self.paths.count > 60, "\(Self.paths.count) commands")
    }

    @Test("--help exits 0, shows each default once and lists each closed set's values", arguments: paths)
    func help(_ path: [String]) throws {
        let name = (["ledger"] + path).joined(separator: " ")
        let r = LedgerBinary.execute(path + ["--help"])
        #expect(r.status == 0, "\(name) --help: \(r)")
        #expect(r.stderr.isEmpty, "\(name) --help: \(r)")
        #expect(r.stdout.contains("USAGE: \(name)"), "\(name) --help: \(r.stdout)")
        let command = try #require(Self.dumped[path.joined(separator: " ")], "\(name) is not in the dumped tree")
        for problem in Self.problems(help: r.stdout, arguments: command, path: path) {
            Issue.record("\(name) --help: \(problem)\n\(r.stdout)")
        }
        // `ledger help <command>` prints the same text.
        let viaHelp = LedgerBinary.execute(["help"] + path)
        #expect(viaHelp.status == 0, "ledger help \(path.joined(separator: " ")): \(viaHelp)")
        #expect(viaHelp.stdout == r.stdout, "ledger help \(path.joined(separator: " ")) differs from --help")
    }

    @Test("the checks find a default said twice, a closed set without its values, and an unlisted value")
    func checksCanFail() {
        let help = """
            OPTIONS:
              --max-age-days <max-age-days>
                                      Accept timestamps up to this many days before now
                                      (default 35). (default: 35)
              --priority <priority>   0 to 100; default 50. (default: 50)
              --format <format>       The format.
              --round <round>         How to round. (values: up)

            """
        let arguments = [
            Argument(
                kind: "option", names: ["--max-age-days"], abstract: "… (default 35).", values: [], defaultValue: "35"),
            Argument(
                kind: "option", names: ["--priority"], abstract: "0 to 100; default 50.", values: [], defaultValue: "50"
            ),
            Argument(kind: "option", names: ["--format"], abstract: "The format.", values: [], defaultValue: nil),
            Argument(
                kind: "option", names: ["--round"], abstract: "How to round.", values: ["up", "down"], defaultValue: nil
            ),
        ]
        let problems = Self.problems(help: help, arguments: arguments, path: ["reconcile"])
        for label in ["--max-age-days", "--priority", "--format", "--round"] {
            #expect(problems.contains { $0.hasPrefix(label + ":") }, "no problem for \(label): \(problems)")
        }
    }

    // MARK: Checks

    /// One argument of a command, from ToolInfo.
    struct Argument: Sendable {
        var kind: String
        /// `--format`, `-o`, or `<kind>` for a positional.
        var names: [String]
        var abstract: String
        var values: [String]
        var defaultValue: String?

        var label: String { names.first { $0.hasPrefix("--") } ?? names.first ?? "?" }
    }

    static func arguments(_ command: [String: Any]) -> [Argument] {
        (command["arguments"] as? [[String: Any]] ?? []).compactMap { a in
            guard a["shouldDisplay"] as? Bool != false, let kind = a["kind"] as? String else { return nil }
            let names: [String]
            if kind == "positional" {
                names = ["<\(a["valueName"] as? String ?? "")>"]
            } else {
                names = (a["names"] as? [[String: Any]] ?? []).compactMap { n in
                    guard let name = n["name"] as? String else { return nil }
                    return (n["kind"] as? String == "short" ? "-" : "--") + name
                }
            }
            return Argument(
                kind: kind, names: names, abstract: a["abstract"] as? String ?? "",
                values: a["allValues"] as? [String] ?? [], defaultValue: a["defaultValue"] as? String)
        }
    }

    /// Each entry of the help's ARGUMENTS and OPTIONS, by every name in its synopsis (`--output`, `-o`,
    /// `<kind>`), as one line (wrapping undone).
    static func entries(_ help: String) -> [String: String] {
        var entries: [String: String] = [:]
        var current: (names: [String], text: String)?
        func flush() {
            if let current { for name in current.names { entries[name] = current.text } }
            current = nil
        }
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  -") || line.hasPrefix("  <") {
                flush()
                let body = line.dropFirst(2)
                let synopsis = body.range(of: "  ").map { body[..<$0.lowerBound] } ?? body
                // `-o, --output <output>` → -o, --output; `<kind>` → <kind> (a positional).
                let tokens = synopsis.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
                let names = tokens.first?.hasPrefix("<") == true ? [tokens[0]] : tokens.filter { $0.hasPrefix("-") }
                current = (names, String(body))
            } else if line.hasPrefix("   "), current != nil {
                current?.text += " " + line.trimmingCharacters(in: .whitespaces)
            } else {
                flush()
            }
        }
        flush()
        return entries.mapValues { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
    }

    /// What is wrong with `help` for these arguments of the command at `path`, one line each,
    /// starting with the argument's label and `:`.
    static func problems(help: String, arguments: [Argument], path: [String]) -> [String] {
        let entries = entries(help)
        let command = path.joined(separator: " ")
        var problems: [String] = []
        for argument in arguments where !["--help", "--version"].contains(argument.label) {
            let label = argument.label
            guard let entry = entries[label] else {
                problems.append("\(label): not in the help")
                continue
            }
            let defaultsSaid = entry.ranges(of: /\bdefault\b/.ignoresCase()).count
            if entry.ranges(of: "(default:").count > 1 {
                problems.append("\(label): '(default:' more than once: \(entry)")
            }
            if let value = argument.defaultValue, argument.kind == "option" {
                // ArgumentParser prints `(default: value)` itself; the text must not say it again.
                if !entry.contains("default: \(value))") {
                    problems.append("\(label): the default \(value) is not shown: \(entry)")
                }
                if defaultsSaid != 1 {
                    problems.append("\(label): the default is said \(defaultsSaid) times: \(entry)")
                }
            }
            let closed =
                (argument.kind == "option" && closedOptions.contains(String(label.dropFirst(2))))
                || (argument.kind == "positional" && closedPositionals[command].map { "<\($0)>" } == label)
            if closed && argument.values.isEmpty {
                problems.append("\(label): a closed set without its values (ExpressibleByArgument allValueStrings)")
            }
            if label == "--format" {
                if let expected = formats[command] {
                    if argument.values != expected {
                        problems.append("\(label): values \(argument.values), not \(expected)")
                    }
                } else {
                    problems.append("\(label): \(command) is not in HelpTextTests.formats")
                }
            }
            if !argument.values.isEmpty {
                let listed = "(values: \(argument.values.joined(separator: ", "))"
                if !(entry.contains(listed + ")") || entry.contains(listed + ";")) {
                    problems.append("\(label): does not list \(listed)): \(entry)")
                }
            }
        }
        return problems
    }
}
