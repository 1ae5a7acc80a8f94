/// A threshold on a customer's credit balance that fires once when the balance falls to it or
/// below and recovers once when it rises above again: Stripe's `billing.alert` of type
/// `credit_balance_threshold` (README: Alerts).
public struct Alert: Hashable, Sendable, Codable {
    public typealias ID = Identifier<Alert>
    public static let idPrefix = "alrt"

    public enum Status: String, Sendable, CaseIterable, Codable {
        case active, archived
    }

    /// A usage alert's terms (Stripe's `usage_threshold`): the meter, the level, and whether it
    /// fires once ever (`one_time`, Stripe's) or once in each billing period (`per_period`).
    public struct UsageThreshold: Hashable, Sendable, Codable {
        public enum Recurrence: String, Sendable, CaseIterable, Codable {
            case oneTime = "one_time"
            case perPeriod = "per_period"
        }

        public var meter: Meter.ID
        public var gte: ExactDecimal
        public var recurrence: Recurrence

        public init(meter: Meter.ID, gte: ExactDecimal, recurrence: Recurrence) {
            self.meter = meter
            self.gte = gte
            self.recurrence = recurrence
        }
    }

    public var id: ID
    public var customer: Customer.ID
    /// A credit balance alert fires when the balance in this currency is at or below `lte`
    /// (minor units); nil for a usage alert.
    public var lte: Money?
    /// A usage alert's terms; nil for a credit balance alert.
    public var usage: UsageThreshold?
    /// The billing period (its start) a usage alert's `triggered` is for.
    public var periodStart: Int64?
    public var title: String?
    public var status: Status
    public var created: Int64
    public var archivedAt: Int64?
    /// Whether the balance is at or below the threshold as of `evaluatedThrough`.
    public var triggered: Bool
    public var evaluatedThrough: Int64

    public init(
        id: ID, customer: Customer.ID, lte: Money?, title: String?, status: Status, created: Int64,
        archivedAt: Int64?, triggered: Bool, evaluatedThrough: Int64, usage: UsageThreshold? = nil,
        periodStart: Int64? = nil
    ) {
        precondition((lte == nil) != (usage == nil), "an alert watches a credit balance or a usage")
        self.id = id
        self.customer = customer
        self.lte = lte
        self.usage = usage
        self.periodStart = periodStart
        self.title = title
        self.status = status
        self.created = created
        self.archivedAt = archivedAt
        self.triggered = triggered
        self.evaluatedThrough = evaluatedThrough
    }
}

/// One crossing of an alert's threshold: the feed's `billing.alert.triggered` (the balance fell
/// to the threshold or below) or `billing.alert.recovered` (it rose above again).
public struct AlertCrossing: Hashable, Sendable, Codable {
    public var alert: Alert
    /// The instant the balance crossed: when the change that crossed it took effect.
    public var at: Int64
    /// The balance then (minor units of the alert's currency); 0 for a usage alert.
    public var value: Int64
    public var triggered: Bool
    /// A usage alert's usage of the period then.
    public var usage: ExactDecimal?

    public init(alert: Alert, at: Int64, value: Int64, triggered: Bool, usage: ExactDecimal? = nil) {
        self.alert = alert
        self.at = at
        self.value = value
        self.triggered = triggered
        self.usage = usage
    }
}

/// The crossings rule, a pure function of the balance's timeline.
public enum AlertRule {
    /// The crossings of `balance ≤ threshold` as the balance moves from `balance` (with
    /// `triggered` its state) by `changes`, `(instant, signed amount)` in effective order: the
    /// balance after all the changes of one instant decides, so movements within an instant that
    /// cancel out cross nothing. Returns `(instant, balance then, triggered)` per crossing.
    public static func crossings(
        from balance: Int64, triggered: Bool, threshold: Int64, changes: [(at: Int64, amount: Int64)]
    ) -> [(at: Int64, value: Int64, triggered: Bool)] {
        var value = balance
        var state = triggered
        var out: [(at: Int64, value: Int64, triggered: Bool)] = []
        var index = changes.startIndex
        while index < changes.endIndex {
            let instant = changes[index].at
            while index < changes.endIndex && changes[index].at == instant {
                value += changes[index].amount
                index += 1
            }
            let now = value <= threshold
            if now != state {
                out.append((instant, value, now))
                state = now
            }
        }
        return out
    }
}

extension AlertRule {
    /// `crossings(from:triggered:threshold:changes:)` of a state judged at `start`, when more may
    /// have been booked at `start` itself since (a later step of the same instant): the balance
    /// at `start` now, `from`, disagreeing with the state is a crossing at `start`.
    public static func crossings(
        at start: Int64, from balance: Int64, triggered: Bool, threshold: Int64, changes: [(at: Int64, amount: Int64)]
    ) -> [(at: Int64, value: Int64, triggered: Bool)] {
        let now = balance <= threshold
        let first: [(at: Int64, value: Int64, triggered: Bool)] = now == triggered ? [] : [(start, balance, now)]
        return first + crossings(from: balance, triggered: now, threshold: threshold, changes: changes)
    }

    /// A usage alert's state after a judgment: the period's usage `usage` against `gte`, from
    /// `triggered` for the period starting `statePeriod`, now in the period starting `period`.
    /// `per_period` starts each period untriggered; `one_time` never starts again once fired.
    /// Returns the new state and whether it crossed (fired, or recovered within the period).
    public static func judgeUsage(
        _ terms: Alert.UsageThreshold, usage: ExactDecimal, triggered: Bool, statePeriod: Int64?, period: Int64
    ) -> (triggered: Bool, crossed: Bool) {
        let samePeriod = statePeriod == period
        if terms.recurrence == .oneTime && triggered { return (true, false) }
        let before = samePeriod ? triggered : false
        let now = usage >= terms.gte
        // A period begun untriggered crosses only by firing.
        return (now, now != before)
    }
}
