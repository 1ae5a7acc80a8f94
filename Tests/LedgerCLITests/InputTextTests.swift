import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Text that reaches the binary as bytes (arguments and import files): bytes that are not UTF-8
/// and NUL are refused as `invalid_text`, and stored text prints without driving the terminal.

/// Customer `cus_1`, meter `mtr_t` (event `tokens`), product `prod_t`, prices `price_pkg`
/// (metered), `price_tenth` (one-time) and `price_lic` (usd 1000 monthly, licensed).
private enum TextFixture {
    static let now = "2026-01-10T00:00:00Z"
    static let ledger = CLIFixture(
        "the text fixture", now: now,
        steps: [CatalogStep.customer("cus_1", "Text")] + CatalogStep.tokens + [
            CatalogStep.price("price_lic", product: "prod_t", ["--unit-amount", "1000"] + CatalogStep.licensed)
        ])
}

/// Runs the binary with arguments given as bytes (Foundation's `Process` takes only valid
/// strings), with the tests' environment; stdout and stderr are read as UTF-8.
private func executeBytes(_ arguments: [[UInt8]]) throws -> CLIResult {
    let sb = try Sandbox()
    let out = sb.path("stdout")
    let err = sb.path("stderr")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let path = LedgerBinary.url.path
    let argv: [UnsafeMutablePointer<CChar>?] =
        [strdup(path)]
        + arguments.map { bytes in
            let c = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (i, b) in bytes.enumerated() { c[i] = CChar(bitPattern: b) }
            c[bytes.count] = 0
            return c
        } + [nil]
    var environment = ProcessInfo.processInfo.environment
    environment["LEDGER_DB"] = nil
    environment["LEDGER_NOW"] = nil
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
    try #require(spawned == 0, "cannot spawn \(path): \(spawned)")
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let exited = status & 0x7F == 0
    return CLIResult(
        status: exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F),
        stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite struct InputTextTests {
    // MARK: Arguments that are not UTF-8

    /// Each string option or argument given one byte that is not UTF-8 (0xFF): refused before
    /// parsing, one line naming the option, exit 65, the file byte for byte as before.
    @Test(
        "an argument that is not UTF-8 is invalid_text (65), naming its option, and writes nothing",
        arguments: [
            (["customers", "create", "--name"], "the value of --name is not valid UTF-8"),
            (["customers", "create", "--name", "N", "--metadata"], "the value of --metadata is not valid UTF-8"),
            (["products", "create", "--name", "P", "--description"], "the value of --description is not valid UTF-8"),
            (
                ["events", "record", "--event-name", "tokens", "--customer", "cus_1", "--value", "1", "--identifier"],
                "the value of --identifier is not valid UTF-8"
            ),
            (
                ["events", "record", "--event-name", "tokens", "--customer", "cus_1", "--value", "1", "--payload"],
                "the value of --payload is not valid UTF-8"
            ),
            (
                ["prices", "create", "--product", "prod_t", "--currency", "usd", "--unit-amount", "1", "--lookup-key"],
                "the value of --lookup-key is not valid UTF-8"
            ),
            (["customers", "show"], "argument 7 is not valid UTF-8"),
        ])
    func argumentNotUTF8(_ args: [String], _ message: String) throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        let before = DatabaseSnapshot(db)
        let prefix = ["--db", db, "--now", TextFixture.now].map(bytes)
        let r = try executeBytes(prefix + args.map(bytes) + [bytes("ab") + [0xFF]])
        #expect(r.status == 65, "\(r)")
        #expect(r.stderr == "error: invalid_text: \(message)\n", "\(r)")
        #expect(r.stdout.isEmpty, "\(r)")
        #expect(DatabaseSnapshot(db) == before)
    }

    /// Two names that differ only in bytes that are not UTF-8 were both stored as `a\u{FFFD}`.
    @Test("with --json, an argument that is not UTF-8 is the JSON error naming the parameter; no file is created")
    func argumentNotUTF8JSON() throws {
        let sb = try Sandbox()
        let r = try executeBytes(
            ["--db", sb.db, "--json", "customers", "create"].map(bytes) + [bytes("--name=a") + [0xC3]])
        #expect(r.status == 65, "\(r)")
        #expect(
            r.stderr
                == #"{"error":{"type":"invalid_request_error","code":"invalid_text","message":"the value of --name is not valid UTF-8","param":"name"}}"#
                + "\n", "\(r)")
        #expect(!databaseExists(sb.db))
    }

    // MARK: Import lines

    @Test("events import: a \\u0000 escape, a NUL byte and bytes that are not UTF-8 are invalid_text by line")
    func importLines() throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        func line(_ identifier: [UInt8]) -> [UInt8] {
            bytes(#"{"event_name":"tokens","customer":"cus_1","value":1,"identifier":""#) + identifier + bytes("\"}\n")
        }
        let ndjson = try sb.file(
            "in.ndjson",
            Data(
                line(bytes("n-1")) + line(bytes(#"n-2\u0000x"#)) + line([0x6E, 0x00]) + line([0x6E, 0xFF])
                    + line([0x6E, 0xFE])))
        let r = run(["events", "import", ndjson], db: db, now: TextFixture.now)
        #expect(r.status == 65, "\(r.stderr)")
        #expect(
            r.stderr == """
                line 2: invalid_text: identifier contains a NUL character (U+0000)
                line 3: invalid_text: the line contains a NUL byte
                line 4: invalid_text: the line is not valid UTF-8
                line 5: invalid_text: the line is not valid UTF-8

                """, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(int64(report["accepted"]) == 1 && int64(report["rejected"]) == 4, "\(report)")

        let csv = try sb.file(
            "in.csv",
            Data(
                bytes("event_name,customer,value,identifier\ntokens,cus_1,1,c-1\n") + bytes("tokens,cus_1,1,c") + [0xFF]
                    + bytes("\ntokens,cus_1,1,c-3\n")))
        let c = run(["events", "import", csv], db: db, now: TextFixture.now)
        #expect(c.status == 65, "\(c.stderr)")
        #expect(c.stderr == "line 3: invalid_text: the line is not valid UTF-8\n", "\(c.stderr)")
        let csvReport = try #require(try JSONSerialization.jsonObject(with: Data(c.stdout.utf8)) as? [String: Any])
        #expect(int64(csvReport["accepted"]) == 2 && int64(csvReport["rejected"]) == 1, "\(csvReport)")
    }

    @Test("events import reads a byte order mark before NDJSON as before CSV", arguments: ["ndjson", "csv"])
    func byteOrderMark(_ format: String) throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        let text =
            format == "csv"
            ? "event_name,customer,value,identifier\ntokens,cus_1,2,bom-1\n"
            : #"{"event_name":"tokens","customer":"cus_1","value":2,"identifier":"bom-1"}"# + "\n"
        let file = try sb.file("in.\(format)", Data([0xEF, 0xBB, 0xBF] + bytes(text)))
        let report = try ok(["events", "import", file], db: db, now: TextFixture.now)
        #expect(int64(report["accepted"]) == 1 && int64(report["rejected"]) == 0, "\(report)")
        let event = try ok(["events", "show", "bom-1"], db: db, now: TextFixture.now)
        #expect(event["identifier"] as? String == "bom-1", "\(event)")
    }

    // MARK: Output

    /// ESC (a colour sequence), BEL, a C1 CSI and a line feed in a stored name.
    static let hostile = "a\u{1B}[31mb\u{07}c\u{9B}d\ne"

    @Test("human output writes control characters of stored text as \\u{…}; a name cannot drive the terminal")
    func humanOutputEscapesControls() throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        try ok(["customers", "create", "--id", "cus_x", "--name", Self.hostile], db: db, now: TextFixture.now)
        let shown = run(["customers", "show", "cus_x"], db: db, now: TextFixture.now, json: false)
        #expect(shown.status == 0, "\(shown)")
        let name = shown.stdout.split(separator: "\n").first { $0.hasPrefix("name ") }
        #expect(name?.hasSuffix(#"  a\u{1B}[31mb\u{7}c\u{9B}d\u{A}e"#) == true, "\(shown.stdout)")
        let listed = run(["customers", "list"], db: db, now: TextFixture.now, json: false)
        #expect(listed.stdout.contains(#"a\u{1B}[31mb\u{7}c\u{9B}d\u{A}e"#), "\(listed.stdout)")
        for out in [shown.stdout, listed.stdout] {
            #expect(!out.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        }
        let missing = run(["customers", "show", "x\u{1B}]0;title\u{07}"], db: db, now: TextFixture.now, json: false)
        #expect(missing.status == 65)
        #expect(missing.stderr == #"error: resource_missing: no such customer: 'x\u{1B}]0;title\u{7}'"# + "\n")
    }

    @Test("JSON output escapes control characters (C0, DEL, C1) and reads back as the stored name")
    func jsonOutputEscapesControls() throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        let name = Self.hostile + "\u{7F}"
        try ok(["customers", "create", "--id", "cus_x", "--name", name], db: db, now: TextFixture.now)
        let r = run(["customers", "show", "cus_x"], db: db, now: TextFixture.now)
        #expect(r.stdout.contains(#""name": "a\u001b[31mb\u0007c\u009bd\ne\u007f""#), "\(r.stdout)")
        #expect(!r.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == name)
    }

    // MARK: Values that look like options

    @Test("--name=-2+3 stores the name -2+3; --value -8 is a value (README)")
    func valuesThatLookLikeOptions() throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        let customer = try ok(["customers", "create", "--name=-2+3"], db: db, now: TextFixture.now)
        #expect(customer["name"] as? String == "-2+3", "\(customer)")
        let event = try ok(
            ["events", "record", "--event-name", "tokens", "--customer", "cus_1", "--value", "-8"], db: db,
            now: TextFixture.now)
        #expect(event["value"] as? String == "-8", "\(event)")
    }

    // MARK: subscriptions create --item

    @Test(
        "--item with an empty price or quantity around the colon is refused (invalid_request, 65)",
        arguments: [
            ("price_lic:", "item 'price_lic:': the quantity must be a whole number ≥ 0"),
            (":2", "item ':2' must be PRICE or PRICE:QUANTITY"),
        ])
    func emptyItemPart(_ item: String, _ message: String) throws {
        let sb = try Sandbox()
        let db = try TextFixture.ledger.copy(into: sb)
        let r = try rejected(
            ["subscriptions", "create", "--customer", "cus_1", "--item", item], db: db, codes: [65],
            code: "invalid_request", now: TextFixture.now)
        #expect(r.stderr == "error: invalid_request: --item (items): \(message)\n", "\(r.stderr)")
    }
}
