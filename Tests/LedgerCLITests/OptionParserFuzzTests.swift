import Foundation
import LedgerKit
import Testing

@testable import LedgerCLI

/// Fuzzing of the parsers that live in the CLI: tier specs (`--tier up_to=…,unit_amount=…`) and
/// `--metadata key=value` items. This target has no property-based package, so the inputs come
/// from a seeded generator (the same cases every run); cases: `LEDGER_FUZZ_COUNT` (default 2,000).
@Suite struct OptionParserFuzzTests {
    static let count = ProcessInfo.processInfo.environment["LEDGER_FUZZ_COUNT"].flatMap { Int($0) } ?? 2_000

    /// SplitMix64: a small seeded generator.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func text(_ alphabet: [String], _ rng: inout Seeded, upTo length: Int) -> String {
        (0..<Int.random(in: 0...length, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    static let tierAlphabet = [
        "up_to", "unit_amount", "unit_amount_decimal", "flat_amount", "flat_amount_decimal", "=", ",", "inf", "0",
        "1", "10", "-1", "1.5", "0.000000000001", "1e3", "99999999999999999999", "9223372036854775807", " ", "==",
        "\u{0}", "é", "INF", "up_to=inf", "up_to=10", ",unit_amount=1",
    ]

    @Test func tierSpecsParseOrRefuse() {
        var rng = Seeded(state: 11)
        for _ in 0..<Self.count {
            let spec = Self.text(Self.tierAlphabet, &rng, upTo: 12)
            do {
                let tier = try PricesCommand.parseTier(spec, index: 0)
                // What was accepted names up_to once, and its amounts within the limits.
                #expect(spec.components(separatedBy: "up_to=").count == 2, "\(spec.debugDescription)")
                if let upTo = tier.upTo { #expect(upTo > 0, "\(spec.debugDescription)") }
                for amount in [tier.unitAmount, tier.flatAmount].compactMap({ $0 }) {
                    #expect(!amount.isNegative && amount.scale <= 12, "\(spec.debugDescription)")
                }
            } catch is LedgerError {
            } catch {
                Issue.record("\(spec.debugDescription): threw \(error), not a LedgerError")
            }
        }
    }

    static let metadataAlphabet = [
        "k", "v", "=", "==", "", " ", "é", "\u{0}", "\u{1b}", String(repeating: "x", count: 41),
    ]

    @Test func metadataItemsParseOrRefuse() {
        var rng = Seeded(state: 12)
        for _ in 0..<Self.count {
            let items = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Self.text(Self.metadataAlphabet, &rng, upTo: 6)
            }
            do {
                let metadata = try KeyValues.metadata(items)
                // Each item is split at its first '=', nothing else altered.
                #expect(metadata.count == items.count, "\(items)")
                for item in items {
                    let eq = try #require(item.firstIndex(of: "="))
                    #expect(metadata[String(item[..<eq])] == String(item[item.index(after: eq)...]), "\(items)")
                }
            } catch is LedgerError {
            } catch {
                Issue.record("\(items): threw \(error), not a LedgerError")
            }
        }
    }
}
