/// A threshold on a customer's credit balance that fires once when the balance falls to it or
/// below and recovers once when it rises above again: Stripe's `billing.alert` of type
/// `credit_balance_threshold` (README: Alerts).
public struct Alert: Hashable, Sendable, Codable {
    public typealias ID = Identifier<Alert>
    public static let idPrefix = "alrt"

    public enum Status: String, Sendable, CaseIterable, Codable {
        case active, archived
    }

    public var id: ID
    public var customer: Customer.ID
    /// Fires when the balance in this currency is at or below `lte` (minor units).
    public var lte: Money
    public var title: String?
    public var status: Status
    public var created: Int64
    public var archivedAt: Int64?
    /// Whether the balance is at or below the threshold as of `evaluatedThrough`.
    public var triggered: Bool
    public var evaluatedThrough: Int64

    public init(
        id: ID, customer: Customer.ID, lte: Money, title: String?, status: Status, created: Int64,
        archivedAt: Int64?, triggered: Bool, evaluatedThrough: Int64
    ) {
        self.id = id
        self.customer = customer
        self.lte = lte
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
    /// The balance then (minor units of the alert's currency).
    public var value: Int64
    public var triggered: Bool

    public init(alert: Alert, at: Int64, value: Int64, triggered: Bool) {
        self.alert = alert
        self.at = at
        self.value = value
        self.triggered = triggered
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
