/// What a caller gives to create a usage alert (Stripe's `usage_threshold`).
public struct UsageAlertParams: Sendable {
    public var id: Alert.ID?
    public var customer: Customer.ID
    public var meter: Meter.ID
    /// Fires when the period's usage reaches this.
    public var gte: ExactDecimal
    public var recurrence: Alert.UsageThreshold.Recurrence
    public var title: String?

    public init(
        id: Alert.ID? = nil, customer: Customer.ID, meter: Meter.ID, gte: ExactDecimal,
        recurrence: Alert.UsageThreshold.Recurrence = .perPeriod, title: String? = nil
    ) {
        self.id = id
        self.customer = customer
        self.meter = meter
        self.gte = gte
        self.recurrence = recurrence
        self.title = title
    }
}

extension Ledger {
    /// Creates a usage alert, judged from now on: when the current period's usage already
    /// reaches `gte`, it fires now.
    /// - Throws: `resource_missing` (customer, meter), `resource_already_exists`,
    ///   `invalid_quantity` (gte not above 0), `invalid_text`.
    public func createUsageAlert(_ params: UsageAlertParams) throws -> Alert {
        let now = try self.now
        try Text.validate(params.title, param: "title")
        guard params.gte > 0 else {
            throw LedgerError(.invalidQuantity, "gte must be greater than 0, not \(params.gte)", param: "gte")
        }
        let id = try newID(params.id, prefix: Alert.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "alert", id: id, kind: "alert")
            _ = try tx.customerSeq(params.customer)
            _ = try tx.meterKey(params.meter)
            let alert = Alert(
                id: .init(id), customer: params.customer, lte: nil, title: params.title, status: .active,
                created: now, archivedAt: nil, triggered: false, evaluatedThrough: now,
                usage: .init(meter: params.meter, gte: params.gte, recurrence: params.recurrence))
            try tx.insert(alert, nextCheckAt: nil)
            try Self.judgeUsageAlerts(tx, customer: params.customer, meter: params.meter, at: now)
            return try tx.fetchAlert(alert.id)
        }
    }

    /// The customer's current billing period for the meter: the current period of its oldest
    /// active subscription with a price on the meter; nil without one.
    static func usagePeriod(_ tx: StorageTransaction, customer: Customer.ID, meter: Meter.ID) throws
        -> (start: Int64, end: Int64)?
    {
        var cache: [Price.ID: PriceInfo] = [:]
        for sub in try tx.subscriptions(customer: customer) where sub.status == .active {
            for item in sub.items where try tx.priceInfo(item.price, cache: &cache).price.recurring?.meter == meter {
                return (sub.currentPeriodStart, sub.currentPeriodEnd)
            }
        }
        return nil
    }

    /// Judges the usage alerts of every customer's meter an event writer changed.
    static func judgeUsageAlerts(_ tx: StorageTransaction, _ touched: Set<EventWriter.UsageKey>, at instant: Int64)
        throws
    {
        for key in touched.sorted(by: {
            ($0.customer.rawValue, $0.meter.rawValue) < ($1.customer.rawValue, $1.meter.rawValue)
        }) {
            try judgeUsageAlerts(tx, customer: key.customer, meter: key.meter, at: instant)
        }
    }

    /// Judges the customer's active usage alerts on the meter at `instant` (after events were
    /// recorded or cancelled in the caller's transaction): the current period's usage then
    /// against each threshold; a crossing goes to the feed at `instant`.
    static func judgeUsageAlerts(_ tx: StorageTransaction, customer: Customer.ID, meter: Meter.ID, at instant: Int64)
        throws
    {
        let alerts = try tx.activeUsageAlerts(customer: customer, meter: meter)
        guard !alerts.isEmpty, let period = try usagePeriod(tx, customer: customer, meter: meter) else { return }
        let (meterSeq, formula) = try tx.meterKey(meter)
        let usage = try tx.aggregate(
            customerSeq: try tx.customerSeq(customer), meterSeq: meterSeq, formula: formula, start: period.start,
            end: period.end, asOf: instant)
        for var alert in alerts {
            guard let terms = alert.usage else { continue }
            let judged = AlertRule.judgeUsage(
                terms, usage: usage, triggered: alert.triggered, statePeriod: alert.periodStart, period: period.start)
            alert.triggered = judged.triggered
            alert.periodStart = period.start
            alert.evaluatedThrough = max(alert.evaluatedThrough, instant)
            try tx.saveUsageJudgment(alert)
            guard judged.crossed else { continue }
            try tx.appendFeed(
                judged.triggered ? .alertTriggered : .alertRecovered,
                .alert(AlertCrossing(alert: alert, at: instant, value: 0, triggered: judged.triggered, usage: usage)),
                at: instant)
        }
    }
}
