import Synchronization

/// Free-form string-to-string data on every object, within Stripe's limits.
public enum Metadata {
    /// - Throws: `invalid_text` for a key or value holding NUL, `invalid_metadata` naming the key
    ///   or the limit.
    public static func validate(_ metadata: [String: String]) throws {
        if metadata.count > Limits.metadataKeysMax {
            throw LedgerError(
                .invalidMetadata,
                "metadata has \(metadata.count) keys; at most \(Limits.metadataKeysMax) are allowed",
                param: "metadata")
        }
        for (key, value) in metadata {
            try Text.checkCharacters(key, param: "metadata")
            try Text.checkCharacters(value, param: "metadata[\(key)]")
            if key.isEmpty {
                throw LedgerError(.invalidMetadata, "metadata keys cannot be empty", param: "metadata")
            }
            if key.count > Limits.metadataKeyLengthMax {
                throw LedgerError(
                    .invalidMetadata,
                    "metadata key '\(key.prefix(50))…' is \(key.count) characters; at most \(Limits.metadataKeyLengthMax)",
                    param: "metadata[\(key.prefix(50))]")
            }
            if value.count > Limits.metadataValueLengthMax {
                throw LedgerError(
                    .invalidMetadata,
                    "metadata value of '\(key)' is \(value.count) characters; at most \(Limits.metadataValueLengthMax)",
                    param: "metadata[\(key)]")
            }
        }
    }
}

extension Metadata {
    /// Applies an update to stored metadata as Stripe does: each key given is set to its value,
    /// a key given an empty value is removed, keys not given stay.
    ///
    /// `merge(["a": "1", "b": "2"], ["b": "", "c": "3"])` is `["a": "1", "c": "3"]`.
    /// - Throws: what `validate` throws, for the changes or the merged map (over 50 keys).
    public static func merge(_ current: [String: String], _ changes: [String: String]) throws -> [String: String] {
        try validate(changes)
        var merged = current
        for (key, value) in changes {
            merged[key] = value.isEmpty ? nil : value
        }
        try validate(merged)
        return merged
    }
}

/// Checks text from callers: its characters, and free text (names, descriptions) against
/// `Limits.textLengthMax`.
public enum Text {
    /// - Throws: `invalid_text` (see `checkCharacters`), `invalid_request` naming the parameter.
    public static func validate(_ text: String?, param: String, maxLength: Int = Limits.textLengthMax)
        throws
    {
        guard let text else { return }
        try checkCharacters(text, param: param)
        if text.count > maxLength {
            throw LedgerError.invalidRequest(
                "\(param) is \(text.count) characters; at most \(maxLength)", param: param)
        }
    }

    /// Refuses a NUL character in any text a caller gives (a name, an ID, metadata, an event's
    /// identifier): SQLite and C APIs read text up to its first NUL, so `"a\0b"` would be stored
    /// or compared as `"a"` while the rest of the ledger sees the whole string. (A Swift `String`
    /// is valid UTF-8; text arriving as bytes, on the command line or in an import, is checked for
    /// that where it is decoded.)
    /// - Throws: `invalid_text` naming the parameter.
    public static func checkCharacters(_ text: String, param: String) throws {
        let hasNUL = text.utf8.withContiguousStorageIfAvailable { $0.contains(0) } ?? text.utf8.contains(0)
        guard hasNUL else { return }
        throw LedgerError(.invalidText, "\(param) contains a NUL character (U+0000)", param: param)
    }
}

/// The random source of generated IDs: xoshiro256** seeded once per process from the system's
/// generator, behind a lock. IDs need uniqueness, not secrecy; a system call per ID was the
/// largest single cost of a billing run that makes tens of thousands of them.
enum IDRandom {
    private static let state = Mutex<(UInt64, UInt64, UInt64, UInt64)>(
        {
            var system = SystemRandomNumberGenerator()
            return (system.next(), system.next(), system.next(), system.next() | 1)
        }())

    static func next() -> UInt64 {
        state.withLock { s in
            let result = rotl(s.1 &* 5, 7) &* 9
            let t = s.1 << 17
            s.2 ^= s.0
            s.3 ^= s.1
            s.1 ^= s.2
            s.0 ^= s.3
            s.2 ^= t
            s.3 = rotl(s.3, 45)
            return result
        }
    }

    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
