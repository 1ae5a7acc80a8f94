import Foundation
import Testing

/// Opening a new ledger file: any number of processes at once, owner-only, nothing left behind by
/// a refused first request, and a read-only file read but never written. SQLite only (`sb.file`
/// whatever the backend): each test is about the file, its stand-in or its permissions.
@Suite("first opens and file permissions through the binary")
struct FirstOpenCLITests {
    /// Files in the sandbox other than the test's own process output.
    static func ledgerFiles(_ sb: Sandbox) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sb.dir.path)
            .filter { !$0.hasSuffix(".out") && !$0.hasSuffix(".err") }.sorted()
    }

    @Test("8 processes creating one new file at once all succeed, and every write is kept")
    func concurrentFirstOpens() throws {
        for round in 0..<4 {
            let sb = try Sandbox()
            let writers = try (0..<8).map { n in
                try LedgerProcess(
                    sb, "w\(n)", db: sb.file, now: defaultNow,
                    arguments: ["customers", "create", "--id", "cus_\(n)", "--name", "N\(n)"])
            }
            for writer in writers { try writer.process.run() }
            for writer in writers { writer.process.waitUntilExit() }
            for (n, writer) in writers.enumerated() {
                #expect(writer.process.terminationStatus == 0, "round \(round), writer \(n): \(writer.stderr)")
            }
            let list = try ok(["customers", "list"], db: sb.file)
            let ids = (list["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.sorted()
            #expect(ids == (0..<8).map { "cus_\($0)" }, "round \(round)")
            #expect(try Self.ledgerFiles(sb).allSatisfy { $0.hasPrefix("ledger.sqlite") }, "no stand-in left")
        }
    }

    /// Several first imports from standard input at once: whichever creates the file, each
    /// reports every line once (a run repeated on the file another process created reads its
    /// input again and prints its rejections once).
    @Test("concurrent first imports from standard input report each line once")
    func concurrentFirstImports() throws {
        let sb = try Sandbox()
        let lines = (1...3).map { #"{"event_name":"nope","customer":"cus_1","value":1,"identifier":"e\#($0)"}"# }
        let importers = try (0..<4).map { n in
            try LedgerProcess(
                sb, "i\(n)", db: sb.file, now: defaultNow, arguments: ["events", "import", "-"], pipedInput: true)
        }
        for importer in importers { try importer.process.run() }
        for importer in importers {
            importer.input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
        for importer in importers { try importer.input.fileHandleForWriting.close() }
        for importer in importers { importer.process.waitUntilExit() }
        for importer in importers {
            #expect(importer.process.terminationStatus == 65, "\(importer.stderr)")
            let rejections = importer.stderr.split(separator: "\n").filter { $0.hasPrefix("line ") }
            #expect(rejections.count == 3, "\(importer.stderr)")
            #expect(int64(importer.report["rejected"]) == 3, "\(importer.stdout)")
        }
        #expect(databaseExists(sb.file))
        #expect(try Self.ledgerFiles(sb).allSatisfy { $0.hasPrefix("ledger.sqlite") })
    }

    @Test("a refused first request leaves no file, and no stand-in")
    func refusedFirstRequestLeavesNothing() throws {
        let sb = try Sandbox()
        let r = run(["customers", "create", "--id", "a:b", "--name", "A"], db: sb.file)
        #expect(r.status == 65, "\(r)")
        #expect(try Self.ledgerFiles(sb).isEmpty)
    }

    @Test("a new ledger file is readable and writable by its owner only")
    func newFileIsOwnerOnly() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--name", "A"], db: sb.file)
        let mode = try FileManager.default.attributesOfItem(atPath: sb.file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    /// A file this process may not write: reads work, a write is `read_only` (74) and changes
    /// nothing. As root (who may write anything), the binary runs as `nobody` through setpriv.
    @Test("a read-only file is read, and a write to it says read_only")
    func readOnlyFile() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.file)
        let asRoot = getuid() == 0
        try FileManager.default.setAttributes([.posixPermissions: asRoot ? 0o644 : 0o444], ofItemAtPath: sb.file)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sb.dir.path)
        let before = try Data(contentsOf: URL(fileURLWithPath: sb.file))
        func ledger(_ args: [String]) throws -> CLIResult {
            let arguments = ["--db", sb.file, "--now", defaultNow] + args
            guard asRoot else { return LedgerBinary.execute(arguments) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments =
                ["--reuid=65534", "--regid=65534", "--clear-groups", LedgerBinary.url.path] + arguments
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let stdout = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return CLIResult(
                status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                stderr: String(decoding: stderr, as: UTF8.self))
        }
        let list = try ledger(["customers", "list"])
        #expect(list.status == 0, "\(list)")
        #expect(list.stdout.contains("cus_1"), "\(list)")
        let write = try ledger(["customers", "create", "--name", "B"])
        #expect(write.status == 74, "\(write)")
        #expect(write.stderr.hasPrefix("error: read_only: "), "\(write)")
        #expect(write.stderr.split(separator: "\n").count == 1, "\(write)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: sb.file)) == before)
    }
}
