import Foundation

/// Reads lines from a file or standard input in fixed-size chunks: memory stays bounded by the
/// chunk and the longest line (`Limits.importLineBytesMax`), whatever the input's size.
public final class LineReader {
    public enum Line {
        case text(number: Int, String)
        /// The line exceeded `Limits.importLineBytesMax` and was skipped.
        case tooLong(number: Int)
        /// The line is not valid UTF-8 or holds a NUL byte (`invalid_text`): it is refused, never
        /// read with replacement characters or cut at the NUL.
        case invalid(number: Int, LedgerError)
    }

    private let handle: FileHandle
    /// The input as messages name it: its path, or "standard input".
    private let name: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var lineNumber = 0
    private var skipping = false
    public private(set) var bytesRead = 0

    /// Reads the regular file at `path`. (Standard input and pipes are the caller's to spool to
    /// a file first: an import reads its input inside its write transactions, and must never hold
    /// the file's write lock while waiting on another process to send more input.)
    /// - Throws: `input_missing` when the path cannot be opened or is not a regular file.
    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw LedgerError(.inputMissing, "cannot open '\(path)'", param: "file")
        }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw LedgerError(.inputMissing, "'\(path)' is not a regular file", param: "file")
        }
        self.handle = handle
        name = path
    }

    /// Reads `handle`, which messages call `name`.
    public init(handle: FileHandle, name: String = "standard input") {
        self.handle = handle
        self.name = name
    }

    /// The next line, without its line break; nil at the end of the input.
    /// - Throws: `input_missing` when the input cannot be read (an I/O error).
    public func next() throws -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let start = position
                position = newline + 1
                // A line read whole from one chunk is held to the limit too, so a line's fate
                // never depends on where the chunks of the input happen to end.
                if skipping || newline - start > Limits.importLineBytesMax {
                    skipping = false
                    lineNumber += 1
                    return .tooLong(number: lineNumber)
                }
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                return line(start..<end)
            }
            if finished {
                guard position < buffer.count || skipping else { return nil }
                let start = position
                position = buffer.count
                if skipping || buffer.count - start > Limits.importLineBytesMax {
                    skipping = false
                    lineNumber += 1
                    return .tooLong(number: lineNumber)
                }
                return line(start..<buffer.count)
            }
            // Keep only the unread part, and drop a line that grew past the limit.
            buffer.removeSubrange(0..<position)
            position = 0
            if buffer.count > Limits.importLineBytesMax {
                buffer.removeAll(keepingCapacity: true)
                skipping = true
            }
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: 256 * 1024)
            } catch {
                throw LedgerError(.inputMissing, "cannot read '\(name)': \(Self.reason(error))", param: "file")
            }
            if let chunk, !chunk.isEmpty {
                bytesRead += chunk.count
                buffer.append(contentsOf: chunk)
            } else {
                finished = true
            }
        }
    }

    /// The line at `range` of the buffer as text. A byte order mark before the first line is
    /// dropped, in NDJSON as in CSV; a line that is not UTF-8 or holds a NUL is `invalid`.
    private func line(_ range: Range<Int>) -> Line {
        lineNumber += 1
        var range = range
        if lineNumber == 1, buffer[range].starts(with: [0xEF, 0xBB, 0xBF]) { range = range.dropFirst(3) }
        return buffer[range].withUnsafeBufferPointer { bytes in
            if let base = bytes.baseAddress, memchr(base, 0, bytes.count) != nil {
                return .invalid(number: lineNumber, LedgerError(.invalidText, "the line contains a NUL byte"))
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .invalid(number: lineNumber, LedgerError(.invalidText, "the line is not valid UTF-8"))
            }
            return .text(number: lineNumber, text)
        }
    }

    /// Where the reader is: `rewind(to:)` returns there, to read the same lines again.
    public struct Mark: Sendable {
        fileprivate let offset: UInt64?
        fileprivate let lineNumber: Int
        fileprivate let skipping: Bool
    }

    /// The reader's place now; its offset is nil when the input cannot seek (a pipe).
    public func mark() -> Mark {
        let offset = (try? handle.offset()).map { $0 - UInt64(buffer.count - position) }
        return Mark(offset: offset, lineNumber: lineNumber, skipping: skipping)
    }

    /// Reads again from `mark`: false when the input cannot seek back (then nothing changed).
    public func rewind(to mark: Mark) -> Bool {
        guard let offset = mark.offset, (try? handle.seek(toOffset: offset)) != nil else { return false }
        buffer.removeAll(keepingCapacity: true)
        position = 0
        finished = false
        bytesRead = Int(offset)
        lineNumber = mark.lineNumber
        skipping = mark.skipping
        return true
    }

    /// The system's words for a read error of `FileHandle` (`Input/output error`).
    public static func reason(_ error: any Error) -> String {
        let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return posix.map { String(cString: strerror(Int32($0.code))) } ?? error.localizedDescription
    }
}

/// The input format of an import.
public enum ImportFormat: String, Sendable, CaseIterable {
    case ndjson, csv
}

/// What an import did.
public struct ImportReport: Hashable, Sendable {
    public var accepted = 0
    public var duplicate = 0
    public var rejected = 0
    /// Lines read (blank lines included).
    public var lines = 0
    /// True when `atomic` and something was rejected: nothing was written.
    public var rolledBack = false
}

/// A rejected import line.
public struct ImportRejection: Hashable, Sendable {
    public var line: Int
    public var error: LedgerError
}

extension Ledger {
    /// Imports events from `reader`, each line one event, in batched transactions of
    /// `Limits.importBatchSize` (or one transaction when `atomic`, then all-or-nothing).
    ///
    /// Rejected lines are reported through `onRejection` with their line number and never stop
    /// the import; re-importing the same lines reports them as duplicates.
    /// - Throws: `storage_error`, `busy` (the import stops; batches already committed stay).
    public func importEvents(
        _ reader: LineReader, format: ImportFormat, atomic: Bool = false,
        window: EventWindow = EventWindow(),
        onRejection: (ImportRejection) -> Void = { _ in },
        onProgress: (ImportReport, Int) -> Void = { _, _ in }
    ) throws -> ImportReport {
        var report = ImportReport()
        var header: ImportLine.CSVHeader?
        var pending: [(Int, Result<EventSubmission, LedgerError>)] = []
        // The rejections of the transaction under way, reported once it has ended: a write that
        // lost a conflict runs again (PostgreSQL) and rejects its lines again.
        var rejections: [ImportRejection] = []
        let now = try self.now

        func reject(_ line: Int, _ error: LedgerError) {
            report.rejected += 1
            rejections.append(ImportRejection(line: line, error: error))
        }

        func reportRejections() {
            rejections.forEach(onRejection)
            rejections.removeAll()
        }

        /// Writes `body` in one transaction. A transaction that runs again (it lost a conflict,
        /// on PostgreSQL) starts from where the first run started: the same lines, the same
        /// counts; it is refused when the input cannot seek back.
        func restartably(_ body: (StorageTransaction) throws -> Void) throws {
            let start = (report: report, header: header, reader: reader.mark())
            var runs = 0
            try write(at: now) { tx, _ in
                runs += 1
                if runs > 1 {
                    guard reader.rewind(to: start.reader) else {
                        throw LedgerError(
                            .busy,
                            "a concurrent write conflicted with the import, whose input cannot be read again; the batches before it committed"
                        )
                    }
                    (report, header) = (start.report, start.header)
                    pending.removeAll(keepingCapacity: true)
                    rejections.removeAll()
                }
                try body(tx)
            }
        }

        /// Writes `pending` through `writer`, which lives as long as its transaction: the
        /// customers and meters it looked up stay cached from one chunk to the next.
        func flush(_ writer: inout EventWriter) throws {
            for (line, parsed) in pending {
                do {
                    switch try writer.write(parsed.get()) {
                    case .accepted: report.accepted += 1
                    case .duplicate: report.duplicate += 1
                    }
                } catch let error as LedgerError where error.kind == .rejected {
                    reject(line, error)
                }
            }
            pending.removeAll(keepingCapacity: true)
            try writer.advanceClock()
        }

        /// Reads up to `limit` submissions into `pending`; false at the end of the input.
        /// - Throws: `input_missing` when the input cannot be read.
        func fill(limit: Int) throws -> Bool {
            while pending.count < limit {
                guard let line = try reader.next() else { return false }
                report.lines += 1
                switch line {
                case .tooLong(let number):
                    pending.append(
                        (
                            number,
                            .failure(
                                LedgerError(
                                    .malformedLine, "the line is longer than \(Limits.importLineBytesMax) bytes"))
                        ))
                case .invalid(let number, let error):
                    pending.append((number, .failure(error)))
                case .text(let number, let text):
                    if text.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
                    do {
                        switch format {
                        case .ndjson:
                            pending.append((number, .success(try ImportLine.ndjson(Substring(text)))))
                        case .csv:
                            var record = text
                            var fields = try ImportLine.csvFields(Substring(record))
                            while fields == nil {
                                // A quoted field spans lines: read on, within the line limit.
                                let next = try reader.next()
                                if case .invalid(_, let error)? = next {
                                    report.lines += 1
                                    throw error
                                }
                                guard case .text(_, let more)? = next, record.utf8.count < Limits.importLineBytesMax
                                else {
                                    throw LedgerError(.malformedLine, "a quoted field is never closed")
                                }
                                report.lines += 1
                                record += "\n" + more
                                fields = try ImportLine.csvFields(Substring(record))
                            }
                            if let current = header {
                                pending.append((number, .success(try current.submission(fields!))))
                            } else {
                                header = try ImportLine.CSVHeader(fields!)
                            }
                        }
                    } catch let error as LedgerError where error.kind == .rejected {
                        pending.append((number, .failure(error)))
                    } catch let error as LedgerError {
                        throw error  // the input cannot be read: the import stops
                    } catch {
                        pending.append((number, .failure(LedgerError(.malformedLine, "\(error)"))))
                    }
                }
            }
            return true
        }

        if atomic {
            do {
                try restartably { tx in
                    var writer = EventWriter(tx, now: now, window: window)
                    var more = true
                    while more {
                        more = try fill(limit: Limits.importBatchSize)
                        try flush(&writer)
                        onProgress(report, reader.bytesRead)
                    }
                    if report.rejected > 0 {
                        report.rolledBack = true
                        throw RollbackSignal()
                    }
                    try Self.judgeUsageAlerts(tx, writer.touched, at: now)
                }
                reportRejections()
            } catch is RollbackSignal {
                reportRejections()
                return report
            }
        } else {
            var more = true
            while more {
                // One transaction per `importTransactionSize` events, parsed and written in
                // chunks of `importBatchSize` so memory stays bounded by the chunk.
                let startMore = more
                do {
                    try restartably { tx in
                        more = startMore
                        var writer = EventWriter(tx, now: now, window: window)
                        var written = 0
                        while more && written < Limits.importTransactionSize {
                            more = try fill(limit: Limits.importBatchSize)
                            written += pending.count
                            try flush(&writer)
                            onProgress(report, reader.bytesRead)
                        }
                        // A refused import (lines rejected, none accepted) writes nothing: not the
                        // clock, nor the steps due by now that the write ran first (SPEC §3).
                        if report.accepted == 0 && report.rejected > 0 { throw RollbackSignal() }
                        try Self.judgeUsageAlerts(tx, writer.touched, at: now)
                    }
                    reportRejections()
                } catch is RollbackSignal {
                    reportRejections()
                    continue
                }
            }
        }
        return report
    }
}
