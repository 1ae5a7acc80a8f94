/// Instants are UTC Unix seconds. Input accepts Unix seconds or ISO 8601
/// (`2026-01-31T00:00:00Z`, offsets `+02:00`, a bare date meaning 00:00:00Z); output is ISO 8601.
///
/// Every instant that enters the ledger (text parsed here, a clock reading, an instant a library
/// caller passes) is within `range`, years 1970 through 9999: `check` is the one test of it.
public enum Instant {
    /// The instants the ledger accepts (`Limits.instantMin` ... `Limits.instantMax`).
    public static let range: ClosedRange<Int64> = Limits.instantMin...Limits.instantMax

    /// `seconds` when it is within `range`.
    /// - Throws: `invalid_time` naming `param`, the value and the range.
    @discardableResult
    public static func check(_ seconds: Int64, param: String) throws -> Int64 {
        guard range.contains(seconds) else { throw outOfRange(param, "\(seconds)") }
        return seconds
    }

    static func outOfRange(_ param: String, _ shown: String) -> LedgerError {
        LedgerError(
            .invalidTime,
            "\(param) \(shown) is outside the supported range \(format(range.lowerBound)) through \(format(range.upperBound)) (Unix seconds \(range.lowerBound) through \(range.upperBound))",
            param: param)
    }

    /// Parses Unix seconds or ISO 8601 into an instant within `range`.
    /// - Throws: `invalid_time` naming the text: malformed, or outside `range`.
    public static func parse(_ text: String, param: String = "time") throws -> Int64 {
        let seconds = try parseUnchecked(text, param: param)
        guard range.contains(seconds) else { throw outOfRange(param, "'\(text)'") }
        return seconds
    }

    private static func parseUnchecked(_ text: String, param: String) throws -> Int64 {
        if let seconds = Int64(text) { return seconds }
        let bad = LedgerError(
            .invalidTime,
            "\(param) '\(text)' is neither Unix seconds nor ISO 8601 (2026-01-31T00:00:00Z)",
            param: param)
        let chars = Array(text.utf8)
        var index = 0
        func number(_ width: Int) throws -> Int64 {
            guard index + width <= chars.count else { throw bad }
            var value: Int64 = 0
            for c in chars[index..<index + width] {
                guard c >= 48 && c <= 57 else { throw bad }
                value = value * 10 + Int64(c - 48)
            }
            index += width
            return value
        }
        func expect(_ c: UInt8) throws {
            guard index < chars.count, chars[index] == c else { throw bad }
            index += 1
        }
        let year = try number(4)
        try expect(UInt8(ascii: "-"))
        let month = try number(2)
        try expect(UInt8(ascii: "-"))
        let day = try number(2)
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            throw bad
        }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        if index == chars.count { return seconds }
        guard chars[index] == UInt8(ascii: "T") || chars[index] == UInt8(ascii: " ") else { throw bad }
        index += 1
        let hour = try number(2)
        try expect(UInt8(ascii: ":"))
        let minute = try number(2)
        var second: Int64 = 0
        if index < chars.count, chars[index] == UInt8(ascii: ":") {
            index += 1
            second = try number(2)
            if index < chars.count, chars[index] == UInt8(ascii: ".") {
                // Fractions of a second are dropped: instants are whole seconds.
                index += 1
                while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
            }
        }
        guard hour < 24, minute < 60, second < 60 else { throw bad }
        seconds += hour * 3600 + minute * 60 + second
        guard index < chars.count else { throw bad }  // a time needs its zone: Z or an offset
        if chars[index] == UInt8(ascii: "Z") {
            index += 1
        } else if chars[index] == UInt8(ascii: "+") || chars[index] == UInt8(ascii: "-") {
            let sign: Int64 = chars[index] == UInt8(ascii: "+") ? 1 : -1
            index += 1
            let offsetHours = try number(2)
            if index < chars.count, chars[index] == UInt8(ascii: ":") { index += 1 }
            let offsetMinutes = try number(2)
            guard offsetHours < 24, offsetMinutes < 60 else { throw bad }
            seconds -= sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            throw bad
        }
        guard index == chars.count else { throw bad }
        return seconds
    }

    /// `2026-01-31T00:00:00Z`. Total over Int64: a year outside 0...9999 (only an instant outside
    /// `range`, named in an error) is signed as ISO 8601's expanded years are (`+292277026596-…`).
    public static func format(_ seconds: Int64) -> String {
        let (days, rest) = split(seconds)
        let (y, m, d) = civilFromDays(days)
        if (0...9999).contains(y) {
            // The common case in 20 bytes, with no intermediate strings (exports format millions).
            return String(unsafeUninitializedCapacity: 20) { bytes in
                func put(_ value: Int64, _ width: Int, at offset: Int) {
                    var value = value
                    for index in stride(from: offset + width - 1, through: offset, by: -1) {
                        bytes[index] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                        value /= 10
                    }
                }
                put(y, 4, at: 0)
                put(m, 2, at: 5)
                put(d, 2, at: 8)
                put(rest / 3600, 2, at: 11)
                put(rest % 3600 / 60, 2, at: 14)
                put(rest % 60, 2, at: 17)
                for (offset, byte) in [(4, 0x2D), (7, 0x2D), (10, 0x54), (13, 0x3A), (16, 0x3A), (19, 0x5A)] {
                    bytes[offset] = UInt8(byte)
                }
                return 20
            }
        }
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let year = y < 0 ? "-" + pad(-y, 4) : y > 9999 ? "+" + String(y) : pad(y, 4)
        return
            "\(year)-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
    }

    /// Whole days since 1970-01-01 (rounded down) and the second of that day, for any Int64.
    public static func split(_ seconds: Int64) -> (days: Int64, secondOfDay: Int64) {
        let (quotient, remainder) = seconds.quotientAndRemainder(dividingBy: 86_400)
        return remainder < 0 ? (quotient - 1, remainder + 86_400) : (quotient, remainder)
    }

    public static func isLeap(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
