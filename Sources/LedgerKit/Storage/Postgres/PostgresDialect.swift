import Foundation

/// Rewrites the storage methods' SQL (SQLite's dialect, `?` parameters) into PostgreSQL's, once
/// per statement text. What it rewrites, and nothing else:
/// - each `?` becomes `$1`, `$2`, … in order (never inside a quoted string);
/// - `x IS ?` and `x IS NOT ?` (SQLite's NULL-safe comparison) become `IS [NOT] DISTINCT FROM`;
/// - a parameter tested alone, `? IS [NOT] NULL`, is cast to text (the server cannot infer the
///   type of a parameter that nothing compares);
/// - the scalar `max(a, b, …)` and `min(a, b, …)` (two or more arguments) become `GREATEST`
///   and `LEAST`;
/// - `group_concat(x, sep)` becomes `string_agg(x, sep)`;
/// - `CROSS JOIN t a ON …` (SQLite's way to fix the join order) becomes `JOIN t a ON …`.
/// Everything else is written so that it means the same on both (see the README's "Storage").
enum PostgresDialect {
    private static let cache = Cache()

    static func translate(_ sql: String) -> String {
        if let known = cache.get(sql) { return known }
        let translated = rewrite(numbered(sql))
        cache.set(sql, translated)
        return translated
    }

    /// `?` → `$n` and `?n` → `$n`, outside single-quoted strings.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var inString = false
        var count = 0
        var characters = sql.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "'" { inString.toggle() }
            guard character == "?" && !inString else {
                out.append(character)
                continue
            }
            out.append("$")
            guard let digit = pending, digit.isASCII, digit.isNumber else {
                count += 1
                out += "\(count)"
                continue
            }
            while let next = pending, next.isASCII, next.isNumber {
                out.append(next)
                pending = characters.next()
            }
        }
        return out
    }

    private static let rules: [(NSRegularExpression, String)] = [
        (#"(\$[0-9]+) IS NOT NULL"#, "CAST($1 AS TEXT) IS NOT NULL"),
        (#"(\$[0-9]+) IS NULL"#, "CAST($1 AS TEXT) IS NULL"),
        (#" IS NOT (\$[0-9]+)"#, " IS DISTINCT FROM $1"),
        (#" IS (\$[0-9]+)"#, " IS NOT DISTINCT FROM $1"),
        (#"\bgroup_concat\("#, "string_agg("),
        (#"\bCROSS JOIN ([A-Za-z_]+ [A-Za-z_]+) ON\b"#, "JOIN $1 ON"),
    ].map { pattern, template in
        // The patterns are constants: a failure here is a programming error.
        (try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive]), template)
    }

    static func rewrite(_ sql: String) -> String {
        var text = scalarExtremes(sql)
        for (expression, template) in rules {
            text = expression.stringByReplacingMatches(
                in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        return text
    }

    /// `min(`/`max(` with a comma at the top level of its parentheses → `LEAST(`/`GREATEST(`.
    static func scalarExtremes(_ sql: String) -> String {
        var characters = Array(sql)
        var index = 0
        while index + 4 <= characters.count {
            let name = String(characters[index..<index + 4]).lowercased()
            let boundary = index == 0 || !(characters[index - 1].isLetter || characters[index - 1] == "_")
            guard boundary, name == "min(" || name == "max(" else {
                index += 1
                continue
            }
            var depth = 0
            var commas = 0
            var inString = false
            for character in characters[(index + 3)...] {
                if character == "'" { inString.toggle() }
                if inString { continue }
                if character == "(" { depth += 1 }
                if character == ")" {
                    depth -= 1
                    if depth == 0 { break }
                }
                if character == "," && depth == 1 { commas += 1 }
            }
            if commas > 0 {
                let replacement = Array(name == "min(" ? "LEAST(" : "GREATEST(")
                characters.replaceSubrange(index..<index + 4, with: replacement)
                index += replacement.count
            } else {
                index += 4
            }
        }
        return String(characters)
    }

    /// Translations by SQL text, shared by every session (the texts are the program's constants,
    /// a few hundred at most).
    private final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var translations: [String: String] = [:]

        func get(_ sql: String) -> String? { lock.withLock { translations[sql] } }

        func set(_ sql: String, _ translated: String) { lock.withLock { translations[sql] = translated } }
    }

    /// The statements of a migration file, split at top-level semicolons: not inside quotes, a
    /// dollar-quoted body (`$$ … $$`, `$tag$ … $tag$`) or a `--` comment. The server takes one
    /// statement per request.
    static func statements(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var index = script.startIndex
        var quote: Character?
        var dollarTag: String?
        while index < script.endIndex {
            let character = script[index]
            let rest = script[index...]
            if let tag = dollarTag {
                if rest.hasPrefix(tag) {
                    current += tag
                    index = script.index(index, offsetBy: tag.count)
                    dollarTag = nil
                    continue
                }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if rest.hasPrefix("--") {
                let end = rest.firstIndex(of: "\n") ?? script.endIndex
                index = end
                continue
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "$", let tag = Self.dollarTag(rest) {
                dollarTag = tag
                current += tag
                index = script.index(index, offsetBy: tag.count)
                continue
            } else if character == ";" {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
                index = script.index(after: index)
                continue
            }
            current.append(character)
            index = script.index(after: index)
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty { statements.append(last) }
        return statements
    }

    /// `$$` or `$tag$` at the start of `text`, or nil (a `$1` parameter is not a tag).
    private static func dollarTag(_ text: Substring) -> String? {
        var tag = "$"
        for character in text.dropFirst() {
            if character == "$" { return tag + "$" }
            guard character.isLetter || character == "_" || (character.isNumber && tag.count > 1) else { return nil }
            tag.append(character)
        }
        return nil
    }
}
