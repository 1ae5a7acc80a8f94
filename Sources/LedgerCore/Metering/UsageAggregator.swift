/// The aggregation of a meter over a time range: sum, count, last, max (SPEC §2.2).
///
/// Feed events in any order with `add`; `last` keeps the value of the greatest timestamp, ties
/// going to the one recorded last (greater `seq`). No event aggregates to 0.
public struct UsageAggregator: Sendable {
    public let formula: Meter.Aggregation
    public private(set) var count: Int64 = 0
    private var sum = ExactDecimal.zero
    private var maximum: ExactDecimal?
    private var lastKey: (timestamp: Int64, seq: Int64)?
    private var lastValue = ExactDecimal.zero

    public init(_ formula: Meter.Aggregation) { self.formula = formula }

    /// - Throws: `amount_overflow` when an exact sum no longer fits 38 digits.
    public mutating func add(timestamp: Int64, seq: Int64, value: ExactDecimal) throws {
        count += 1
        switch formula {
        case .sum: sum = try sum.adding(value)
        case .count: break
        case .max: maximum = maximum.map { max($0, value) } ?? value
        case .last:
            if let key = lastKey, (key.timestamp, key.seq) > (timestamp, seq) { return }
            lastKey = (timestamp, seq)
            lastValue = value
        }
    }

    /// Adds a group of events of one scale, summarized by storage: how many, the sum and the
    /// maximum of their significands. Not for `last`, which needs each event's order.
    /// - Throws: `amount_overflow` when an exact sum no longer fits 38 digits.
    public mutating func add(scale: Int, count: Int64, sum significands: Int64, maximum: Int64) throws {
        precondition(formula != .last, "last needs each event, in order")
        self.count += count
        switch formula {
        case .sum: sum = try sum.adding(ExactDecimal(significand: Int128(significands), scale: scale))
        case .max:
            let value = ExactDecimal(significand: Int128(maximum), scale: scale)
            self.maximum = self.maximum.map { max($0, value) } ?? value
        case .count, .last: break
        }
    }

    public var result: ExactDecimal {
        switch formula {
        case .sum: return sum
        case .count: return ExactDecimal(count)
        case .max: return maximum ?? .zero
        case .last: return lastValue
        }
    }
}
