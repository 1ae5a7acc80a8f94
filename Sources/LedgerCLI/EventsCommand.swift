import ArgumentParser
import Foundation
import LedgerKit

struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Record, import, cancel and summarize meter events.",
        subcommands: [Record.self, Import.self, Cancel.self, Summary.self, Show.self])

    /// The accepted timestamp window, shared by record and import.
    struct WindowOptions: ParsableArguments {
        @Option(
            parsing: .unconditional,
            help: "Accept timestamps up to this many days before now (Stripe's window).")
        var maxAgeDays: Int64 = Limits.eventMaxAgeSeconds / 86_400

        func window() throws -> EventWindow {
            guard maxAgeDays >= 0, maxAgeDays <= 36_500 else {
                throw LedgerError.invalidRequest("--max-age-days must be 0–36500", param: "max_age_days")
            }
            return EventWindow(maxAgeSeconds: maxAgeDays * 86_400)
        }
    }

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "record", abstract: "Record one meter event.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The meter's event name.") var eventName: String
        @Option(help: "The customer's ID (default: the payload's value under the meter's customer key).")
        var customer: String?
        @Option(
            parsing: .unconditional,
            help: "The value, a decimal; negative corrects (default: the payload's value under the meter's value key).")
        var value: String?
        @Option(parsing: .unconditional, help: "When it happened (default now): Unix seconds or ISO 8601.")
        var timestamp: String?
        @Option(help: "A unique identifier (default generated); re-sending it is a no-op.") var identifier: String?
        @Option(help: "A dimension key=value stored with the event (repeatable).") var payload: [String] = []
        @OptionGroup var window: WindowOptions

        func run() throws {
            try Context(root: root).run { ledger in
                var dimensions: [String: String] = [:]
                for item in payload {
                    guard let eq = item.firstIndex(of: "=") else {
                        throw LedgerError.invalidRequest("payload '\(item)' must be key=value", param: "payload")
                    }
                    dimensions[String(item[..<eq])] = String(item[item.index(after: eq)...])
                }
                let submission = EventSubmission(
                    eventName: eventName, identifier: identifier,
                    timestamp: try timestamp.map { try Instant.parse($0, param: "timestamp") },
                    customer: customer.map { .init($0) },
                    value: try value.map { try ExactDecimal.quantity($0, param: "value", allowNegative: true) },
                    payload: dimensions)
                let (outcome, event) = try ledger.record(submission, window: try window.window())
                return Output(
                    json: Shape.event(event, outcome: outcome),
                    human:
                        "\(outcome.rawValue): \(event.identifier) \(event.eventName) \(event.customer) \(event.value) at \(Instant.format(event.timestamp))"
                )
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import events from NDJSON or CSV (a file, or - for standard input).")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The file to read, or - for standard input.") var file: String
        @Option(help: "The file's format (default: csv for a .csv file, else ndjson).")
        var format: Choice<ImportFormat>?
        @Flag(help: "All or nothing: any rejected line writes nothing.") var atomic = false
        @OptionGroup var window: WindowOptions

        func run() throws {
            let context = Context(root: root)
            try context.run { ledger in
                let reader = try Input.reader(file)
                let format = try resolvedFormat()
                let terminal = isatty(STDERR_FILENO) == 1
                var lastDraw = 0
                let report = try ledger.importEvents(
                    reader, format: format, atomic: atomic, window: try window.window(),
                    onRejection: { rejection in
                        let message = Human.escapingControls(rejection.error.message)
                        Diagnostics.write("line \(rejection.line): \(rejection.error.code.rawValue): \(message)\n")
                    },
                    onProgress: { report, bytes in
                        guard terminal, report.lines - lastDraw >= 50_000 || report.lines < lastDraw else { return }
                        lastDraw = report.lines
                        let text =
                            "\r\(report.lines) lines, \(bytes / 1_048_576) MiB: \(report.accepted) accepted, \(report.duplicate) duplicate, \(report.rejected) rejected"
                        FileHandle.standardError.write(Data(text.utf8))
                    })
                if terminal && lastDraw > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
                let json = Shape.eventImport(report, format: format, atomic: atomic)
                var human =
                    "\(report.accepted) accepted, \(report.duplicate) duplicate, \(report.rejected) rejected (\(Human.count(report.lines, "line")))"
                if report.rolledBack { human += "; atomic import rolled back: nothing written" }
                return Output(json: json, human: human, status: report.rejected > 0 ? Exit.rejected : 0)
            }
        }

        func resolvedFormat() throws -> ImportFormat {
            if let format { return try format.value(param: "format") }
            return file.lowercased().hasSuffix(".csv") ? .csv : .ndjson
        }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel", abstract: "Cancel an event by identifier: it stops counting.")
        @ParentCommand var root: LedgerCommand
        @Option(help: "The meter's event name.") var eventName: String
        @Option(help: "The event's identifier.") var identifier: String

        func run() throws {
            try Context(root: root).run { ledger in
                let event = try ledger.cancelEvent(eventName: eventName, identifier: identifier)
                return Output(
                    json: Shape.eventCancellation(event, eventName: eventName, identifier: identifier),
                    human: "cancelled: \(identifier) (\(event.value) at \(Instant.format(event.timestamp)))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an event by identifier.")
        @ParentCommand var root: LedgerCommand
        @Argument(help: "The event's identifier.") var identifier: String

        func run() throws {
            try Context(root: root).read { ledger in
                let e = try ledger.event(identifier: identifier)
                return Output(
                    json: Shape.event(e),
                    human: Human.fields([
                        ("identifier", e.identifier), ("event_name", e.eventName), ("customer", e.customer.rawValue),
                        ("value", e.value.description), ("timestamp", Instant.format(e.timestamp)),
                        ("recorded", Instant.format(e.recordedAt)), ("cancelled", e.cancelledAt.map(Instant.format)),
                        ("late", e.late ? "yes" : nil), ("dimensions", Human.metadata(e.dimensions)),
                    ]))
            }
        }
    }

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "summary",
            abstract: "A meter's aggregated usage for a customer over a time range.")
        @ParentCommand var root: LedgerCommand
        @OptionGroup var summary: SummaryOptions

        func run() throws {
            try Context(root: root).read { ledger in try summary.output(ledger) }
        }
    }
}

/// The options of `events summary` and of its alias `meters list-event-summaries` (Stripe's
/// `GET /v1/billing/meters/:id/event_summaries`), and what they print.
struct SummaryOptions: ParsableArguments {
    @Option(help: "The meter's ID.") var meter: String
    @Option(help: "The customer's ID.") var customer: String
    @Option(
        parsing: .unconditional, help: "Start (inclusive), aligned to a minute (an hour or UTC day when grouped).")
    var start: String
    @Option(parsing: .unconditional, help: "End (exclusive), aligned like --start.") var end: String
    @Option(help: "One summary per window of this size that holds events (default: one for the range).")
    var group: Choice<SummaryGrouping>?

    func output(_ ledger: Ledger) throws -> Output {
        let grouping = try group?.value(param: "value_grouping_window")
        let summaries = try ledger.eventSummaries(
            meter: .init(meter), customer: .init(customer),
            start: try Instant.parse(start, param: "start_time"),
            end: try Instant.parse(end, param: "end_time"), grouping: grouping)
        return Output(
            json: .list(summaries.map(Shape.summary)),
            human: Human.table(
                ["START", "END", "AGGREGATED VALUE"],
                summaries.map {
                    [Instant.format($0.start), Instant.format($0.end), $0.aggregatedValue.description]
                }))
    }
}

/// The input of `events import`: a file, or standard input spooled first.
enum Input {
    /// A reader over `path`; `-` or anything that is not a regular file (a pipe, a terminal) is
    /// copied to an unlinked temporary file first, so the import never holds the ledger's write
    /// lock while waiting on another process to send more input.
    /// - Throws: `input_missing` when it cannot be opened, read or spooled.
    /// Standard input as first read (spooled, or a regular file from its offset then), so that a
    /// request run again reads the same input again.
    nonisolated(unsafe) private static var standardInput: (handle: FileHandle, offset: UInt64)?

    static func reader(_ path: String) throws -> LineReader {
        if path == "-", let (handle, offset) = standardInput {
            try handle.seek(toOffset: offset)
            return LineReader(handle: handle, name: "standard input")
        }
        return try firstReader(path)
    }

    private static func firstReader(_ path: String) throws -> LineReader {
        let source: FileHandle
        if path == "-" {
            source = FileHandle.standardInput
        } else {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw LedgerError(.inputMissing, "cannot open '\(path)'", param: "file")
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw LedgerError(.inputMissing, "'\(path)' is a directory, not a file", param: "file")
            }
            if (info.st_mode & S_IFMT) == S_IFREG { return try LineReader(path: path) }
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw LedgerError(.inputMissing, "cannot open '\(path)'", param: "file")
            }
            source = handle
        }
        var info = stat()
        guard fstat(source.fileDescriptor, &info) == 0 else {
            throw LedgerError(.inputMissing, "cannot read '\(path)'", param: "file")
        }
        let name = path == "-" ? "standard input" : path
        if (info.st_mode & S_IFMT) == S_IFREG {
            if path == "-" { standardInput = (source, try source.offset()) }
            return LineReader(handle: source, name: name)
        }
        let spool = FileManager.default.temporaryDirectory
            .appendingPathComponent("ledger-import-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        guard FileManager.default.createFile(atPath: spool, contents: nil, attributes: [.posixPermissions: 0o600]),
            let writer = FileHandle(forWritingAtPath: spool), let reader = FileHandle(forReadingAtPath: spool)
        else { throw LedgerError(.inputMissing, "cannot spool '\(path)' to a temporary file", param: "file") }
        unlink(spool)  // gone when the reader closes
        do {
            while let chunk = try source.read(upToCount: 1 << 20), !chunk.isEmpty {
                try writer.write(contentsOf: chunk)
            }
        } catch {
            throw LedgerError(.inputMissing, "cannot spool '\(name)': \(LineReader.reason(error))", param: "file")
        }
        try? writer.close()
        standardInput = (reader, 0)
        return LineReader(handle: reader, name: name)
    }
}
