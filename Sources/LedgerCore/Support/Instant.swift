/// Instants are UTC Unix seconds. Input accepts Unix seconds or ISO 8601
/// (`2026-01-31T00:00:00Z`, offsets `+02:00`, a bare date meaning 00:00:00Z); output is ISO 8601.
public enum Instant {
    /// - Throws: `invalid_time` naming the text.
    public static func parse(_ text: String, param: String = "time") throws -> Int64 {
        let bad = LedgerError(
            .invalidTime,
            "\(param) '\(text)' is neither Unix seconds nor ISO 8601 (2026-01-31T00:00:00Z)",
            param: param)
        if let seconds = Int64(text) { return seconds }
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

    /// `2026-01-31T00:00:00Z`.
    public static func format(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))Z"
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
