import Foundation
import Synchronization

/// What a command reports on stderr while it runs (an import's rejected lines).
///
/// While a first request runs on a new ledger file's stand-in (see `Context.create`), its
/// diagnostics are held in an unlinked temporary file: printed if that run is the one that
/// counts (or failed), dropped if the request runs again on a file another process created.
enum Diagnostics {
    /// The descriptor of the temporary file holding diagnostics, while they are held.
    private static let heldFile = Mutex<Int32?>(nil)

    static func write(_ line: String) {
        let data = Data(line.utf8)
        heldFile.withLock { fd in
            if let fd {
                FileHandle(fileDescriptor: fd, closeOnDealloc: false).write(data)
            } else {
                FileHandle.standardError.write(data)
            }
        }
    }

    /// Runs `body` with diagnostics held; a failure prints them before it is reported.
    static func held<T>(_ body: () throws -> T) throws -> T {
        var template = Array((NSTemporaryDirectory() + "/ledger-diagnostics-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in
            let fd = mkstemp(buffer.baseAddress!)
            if fd >= 0 { unlink(buffer.baseAddress!) }
            return fd
        }
        if fd >= 0 { heldFile.withLock { $0 = fd } }
        do {
            return try body()
        } catch {
            release()
            throw error
        }
    }

    /// Prints the held diagnostics and stops holding.
    static func release() {
        guard
            let fd = heldFile.withLock({ fd in
                defer { fd = nil }; return fd
            })
        else { return }
        lseek(fd, 0, SEEK_SET)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            FileHandle.standardError.write(chunk)
        }
    }

    /// Drops the held diagnostics and stops holding.
    static func discard() {
        guard
            let fd = heldFile.withLock({ fd in
                defer { fd = nil }; return fd
            })
        else { return }
        close(fd)
    }
}
