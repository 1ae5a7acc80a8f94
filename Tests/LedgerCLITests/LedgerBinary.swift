import Foundation
import Testing

/// The built `ledger` executable and how to drive it as a user would.
///
/// Search order: `$LEDGER_BIN`; a file named `ledger` beside the running test bundle (walking up
/// a few directories from `CommandLine.arguments[0]` and `Bundle.main.bundleURL`, so a build with
/// `--scratch-path X` uses `X/debug/ledger`); else `<package root>/.build/debug/ledger`.
enum LedgerBinary {
    static let url: URL = locate()

    private static func locate() -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["LEDGER_BIN"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var starts: [URL] = []
        if let first = CommandLine.arguments.first, !first.isEmpty {
            starts.append(URL(fileURLWithPath: first).standardizedFileURL)
        }
        starts.append(Bundle.main.bundleURL.standardizedFileURL)
        for start in starts {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("ledger")
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue,
                    fm.isExecutableFile(atPath: candidate.path)
                {
                    return candidate
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        // Tests/LedgerCLITests/LedgerBinary.swift → package root.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/ledger")
    }

    /// Runs the binary with exactly `arguments`, the given environment (default: this process's
    /// environment without LEDGER_DB and LEDGER_NOW) and working directory.
    static func execute(
        _ arguments: [String], environment: [String: String]? = nil, cwd: URL? = nil,
        stdin: String? = nil
    ) -> CLIResult {
        let fm = FileManager.default
        let io = fm.temporaryDirectory.appendingPathComponent("ledger-cli-io-\(UUID().uuidString)")
        do {
            try fm.createDirectory(at: io, withIntermediateDirectories: true)
        } catch {
            return CLIResult(status: -1, stdout: "", stderr: "cannot create \(io.path): \(error)")
        }
        defer { try? fm.removeItem(at: io) }
        let outURL = io.appendingPathComponent("stdout")
        let errURL = io.appendingPathComponent("stderr")
        let inURL = io.appendingPathComponent("stdin")
        _ = fm.createFile(atPath: outURL.path, contents: nil)
        _ = fm.createFile(atPath: errURL.path, contents: nil)
        _ = fm.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let environment {
            process.environment = environment
        } else {
            var env = ProcessInfo.processInfo.environment
            env["LEDGER_DB"] = nil
            env["LEDGER_NOW"] = nil
            process.environment = env
        }
        if let cwd { process.currentDirectoryURL = cwd }
        do {
            let out = try FileHandle(forWritingTo: outURL)
            let err = try FileHandle(forWritingTo: errURL)
            let input = try FileHandle(forReadingFrom: inURL)
            defer {
                try? out.close()
                try? err.close()
                try? input.close()
            }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = input
            try process.run()
            process.waitUntilExit()
        } catch {
            return CLIResult(status: -1, stdout: "", stderr: "cannot run \(url.path): \(error)")
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return CLIResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}

struct CLIResult: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// The fixed test clock (2026-01-01T00:00:00Z = 1767225600).
let defaultNow = "2026-01-01T00:00:00Z"
let defaultNowSeconds: Int64 = 1_767_225_600

/// `ledger --db DB --now NOW [--json] args…`
func run(
    _ args: [String], db: String, now: String = defaultNow, json: Bool = true, stdin: String? = nil
) -> (status: Int32, stdout: String, stderr: String) {
    let r = LedgerBinary.execute(
        ["--db", db, "--now", now] + (json ? ["--json"] : []) + args, stdin: stdin)
    return (r.status, r.stdout, r.stderr)
}

/// Runs with `--json`, requires exit 0 and a JSON object on stdout, and returns it.
@discardableResult
func ok(
    _ args: [String], db: String, now: String = defaultNow, stdin: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let r = run(args, db: db, now: now, json: true, stdin: stdin)
    try #require(
        r.status == 0, "ledger \(args.joined(separator: " ")) → exit \(r.status): \(r.stderr)",
        sourceLocation: sourceLocation)
    let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    return try #require(
        object as? [String: Any], "stdout is not a JSON object: \(r.stdout)", sourceLocation: sourceLocation)
}

/// Runs a request that must be refused, and checks that it was refused and changed nothing:
/// the exit status is one of `codes`; stderr is not empty; for 64, 65, 66 and 74 without `--json`,
/// stderr is one line `error: <snake_case_code>: <message>` (and the code is `code` when given,
/// else `invalid_usage` for 64 unless the message is the ledger's own); with `--json`,
/// stderr is `{"error": {"type", "code", "message", "param"}}`; the database is as before
/// (`DatabaseSnapshot`: a file and its WAL byte for byte, a PostgreSQL schema row for row), and a
/// database that did not exist still does not (`leftNothing`).
@discardableResult
func rejected(
    _ args: [String], db: String, codes: [Int32] = [64, 65], code: String? = nil,
    json: Bool = false, now: String = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
) throws -> (status: Int32, stdout: String, stderr: String) {
    let before = DatabaseSnapshot(db)
    let r = run(args, db: db, now: now, json: json)
    let after = DatabaseSnapshot(db)
    let shown = "ledger \(args.joined(separator: " ")) → exit \(r.status)\nstdout: \(r.stdout)\nstderr: \(r.stderr)"
    #expect(codes.contains(r.status), "expected exit in \(codes): \(shown)", sourceLocation: sourceLocation)
    #expect(!r.stderr.isEmpty, "stderr is empty: \(shown)", sourceLocation: sourceLocation)
    if [64, 65, 66, 74].contains(r.status) {
        let line = r.stderr.hasSuffix("\n") ? String(r.stderr.dropLast()) : r.stderr
        #expect(!line.contains("\n"), "the error is not one line: \(shown)", sourceLocation: sourceLocation)
        let printed: String?
        if json {
            printed = errorCode(fromJSON: line, sourceLocation: sourceLocation)
        } else {
            printed = errorCode(fromHuman: line)
            #expect(
                printed != nil, "stderr is not 'error: <code>: <message>': \(shown)", sourceLocation: sourceLocation)
        }
        if let code {
            #expect(printed == code, "expected code \(code): \(shown)", sourceLocation: sourceLocation)
        } else if r.status == 64 {
            #expect(
                ["invalid_usage", "invalid_request"].contains(printed), "expected invalid_usage: \(shown)",
                sourceLocation: sourceLocation)
        }
    } else if let code {
        Issue.record("expected code \(code): \(shown)", sourceLocation: sourceLocation)
    }
    if before.absent {
        #expect(leftNothing(db), "\(db) was created by a rejected request: \(shown)", sourceLocation: sourceLocation)
    } else {
        #expect(
            before == after, "the database changed (\(before.firstChange(to: after))): \(shown)",
            sourceLocation: sourceLocation)
    }
    return r
}

/// `error: invalid_amount: …` → `invalid_amount`; nil when the line has another shape.
func errorCode(fromHuman line: String) -> String? {
    guard let match = line.firstMatch(of: /^error: ([a-z][a-z0-9]*(?:_[a-z0-9]+)*): \S/) else { return nil }
    return String(match.1)
}

/// `{"error": {"type", "code", "message", "param"}}` → the code, recording an issue for any
/// other shape.
func errorCode(fromJSON line: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
        let error = object["error"] as? [String: Any]
    else {
        Issue.record("stderr is not {\"error\": {…}}: \(line)", sourceLocation: sourceLocation)
        return nil
    }
    #expect(object.count == 1, "stderr has more than the error: \(line)", sourceLocation: sourceLocation)
    #expect(
        Set(error.keys) == ["type", "code", "message", "param"], "error keys: \(error.keys.sorted())",
        sourceLocation: sourceLocation)
    #expect((error["type"] as? String)?.isEmpty == false, "error.type: \(line)", sourceLocation: sourceLocation)
    #expect((error["message"] as? String)?.isEmpty == false, "error.message: \(line)", sourceLocation: sourceLocation)
    #expect(
        error["param"] is String || error["param"] is NSNull, "error.param: \(line)", sourceLocation: sourceLocation)
    return error["code"] as? String
}

/// A unique temporary directory for one test, removed when the test lets go of it.
final class Sandbox: @unchecked Sendable {
    let dir: URL

    init() throws {
        dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-cli-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// The PostgreSQL databases copied for this test (`CLIFixture.copy`), dropped with it: each
    /// is a whole database of several megabytes, where a new schema is a few kilobytes.
    var databases: [String] = []

    deinit {
        try? FileManager.default.removeItem(at: dir)
        for database in databases { _ = PostgresTools.sql("DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
    }

    /// The default ledger of this test (not created yet): the file `ledger.sqlite`, or on
    /// PostgreSQL a new schema (`CLIBackend`); a fixture copied under the default name is it.
    lazy var db: String = CLIBackend.database(in: self)

    /// The ledger file `ledger.sqlite` whatever the backend, for the tests about files.
    var file: String { path("ledger.sqlite") }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Writes `data` to `name` and returns its path.
    func file(_ name: String, _ data: Data) throws -> String {
        let p = path(name)
        try data.write(to: URL(fileURLWithPath: p))
        return p
    }
}

// MARK: JSON helpers

/// A JSON number as Int64 (nil for anything else).
func int64(_ value: Any?) -> Int64? {
    if let n = value as? NSNumber { return n.int64Value }
    if let i = value as? Int { return Int64(i) }
    if let i = value as? Int64 { return i }
    return nil
}

func isNull(_ value: Any?) -> Bool { value is NSNull }

/// A JSON value as canonical text (sorted keys), to compare objects.
func canonical(_ value: Any) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
        return "\(value)"
    }
    return String(decoding: data, as: UTF8.self)
}

// MARK: Concurrent processes

/// A `ledger` child process with its output in files, for tests that run several at once.
/// With `pipedInput`, standard input is a pipe the test writes (and closes) when it wants the
/// process to go on, so several can be held running before any of them writes.
final class LedgerProcess {
    let process = Process()
    let input = Pipe()
    let out: URL
    let err: URL

    init(_ sb: Sandbox, _ name: String, db: String, now: String, arguments: [String], pipedInput: Bool = false) throws {
        out = URL(fileURLWithPath: sb.path("\(name).out"))
        err = URL(fileURLWithPath: sb.path("\(name).err"))
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.executableURL = LedgerBinary.url
        process.arguments = ["--db", db, "--now", now, "--json"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["LEDGER_DB"] = nil
        env["LEDGER_NOW"] = nil
        process.environment = env
        process.standardInput = pipedInput ? input : FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
    }

    var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: err, encoding: .utf8)) ?? "" }
    /// Standard output as a JSON object (empty when it is not one).
    var report: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

// MARK: Human output helpers

/// The value of the `key  value` line of a human key/value block; nil when no line has that key.
func humanField(_ key: String, in text: String) -> String? {
    for line in text.split(separator: "\n") where line.hasPrefix(key + "  ") {
        return String(line.dropFirst(key.count).drop(while: { $0 == " " }))
    }
    return nil
}

/// The cells of each line of human text, split at runs of two or more spaces (a table's columns).
func humanRows(_ text: String) -> [[String]] {
    text.split(separator: "\n").map { line in line.split(separator: /\s{2,}/).map(String.init) }
}

/// The value at a dotted path of a decoded JSON object: `path(line, "pricing.price_details.price")`,
/// `path(sub, "items.data.0.current_period_end")`. A null on the way is the value (so `isNull`
/// holds); a missing key is nil.
func path(_ object: Any?, _ keys: String) -> Any? {
    var value = object
    for key in keys.split(separator: ".") {
        if value is NSNull { return value }
        if let index = Int(key), let array = value as? [Any] {
            value = array.indices.contains(index) ? array[index] : nil
        } else {
            value = (value as? [String: Any])?[String(key)]
        }
    }
    return value
}

/// A JSON number's text as decoded (`aggregated_value`), nil when the value is not a number.
func numberText(_ value: Any?) -> String? {
    guard let number = value as? NSNumber, !(value is Bool) else { return nil }
    return number.stringValue
}
