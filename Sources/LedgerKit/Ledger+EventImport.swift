import Foundation

/// Reads lines from a file or standard input in fixed-size chunks: memory stays bounded by the
/// chunk and the longest line (`Limits.importLineBytesMax`), whatever the input's size.
public final class LineReader {
    public enum Line {
        case text(number: Int, String)
        /// The line exceeded `Limits.importLineBytesMax` and was skipped.
        case tooLong(number: Int)
    }

    private let handle: FileHandle
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
    }

    public init(handle: FileHandle) {
        self.handle = handle
    }

    public func next() -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let start = position
                position = newline + 1
                lineNumber += 1
                if skipping {
                    skipping = false
                    return .tooLong(number: lineNumber)
                }
                var end = newline
                if end > start && buffer[end - 1] == 0x0D { end -= 1 }
                return .text(number: lineNumber, String(decoding: buffer[start..<end], as: UTF8.self))
            }
            if finished {
                guard position < buffer.count || skipping else { return nil }
                let start = position
                position = buffer.count
                lineNumber += 1
                if skipping {
                    skipping = false
                    return .tooLong(number: lineNumber)
                }
                return .text(number: lineNumber, String(decoding: buffer[start...], as: UTF8.self))
            }
            // Keep only the unread part, and drop a line that grew past the limit.
            buffer.removeSubrange(0..<position)
            position = 0
            if buffer.count > Limits.importLineBytesMax {
                buffer.removeAll(keepingCapacity: true)
                skipping = true
            }
            let chunk = handle.readData(ofLength: 256 * 1024)
            if chunk.isEmpty {
                finished = true
            } else {
                bytesRead += chunk.count
                buffer.append(contentsOf: chunk)
            }
        }
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
        var rejections: [ImportRejection] = []  // only held while atomic
        let now = try self.now

        func reject(_ line: Int, _ error: LedgerError) {
            report.rejected += 1
            if atomic { rejections.append(ImportRejection(line: line, error: error)) }
            onRejection(ImportRejection(line: line, error: error))
        }

        func flush(_ tx: StorageTransaction) throws {
            var writer = EventWriter(tx, now: now, window: window)
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
        func fill(limit: Int) -> Bool {
            while pending.count < limit {
                guard let line = reader.next() else { return false }
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
                                guard case .text(_, let more)? = reader.next(),
                                    record.utf8.count < Limits.importLineBytesMax
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
                    } catch let error as LedgerError {
                        pending.append((number, .failure(error)))
                    } catch {
                        pending.append((number, .failure(LedgerError(.malformedLine, "\(error)"))))
                    }
                }
            }
            return true
        }

        if atomic {
            do {
                try write(at: now) { tx in
                    var more = true
                    while more {
                        more = fill(limit: Limits.importBatchSize)
                        try flush(tx)
                        onProgress(report, reader.bytesRead)
                    }
                    if report.rejected > 0 {
                        report.rolledBack = true
                        throw RollbackSignal()
                    }
                }
            } catch is RollbackSignal {
                return report
            }
        } else {
            var more = true
            while more {
                // One transaction per `importTransactionSize` events, parsed and written in
                // chunks of `importBatchSize` so memory stays bounded by the chunk.
                try write(at: now) { tx in
                    var written = 0
                    while more && written < Limits.importTransactionSize {
                        more = fill(limit: Limits.importBatchSize)
                        written += pending.count
                        try flush(tx)
                        onProgress(report, reader.bytesRead)
                    }
                }
            }
        }
        return report
    }
}
