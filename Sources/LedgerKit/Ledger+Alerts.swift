/// What a caller gives to create a credit balance alert.
public struct AlertParams: Sendable {
    public var id: Alert.ID?
    public var customer: Customer.ID
    /// Fires when the customer's credit balance in this currency is at or below this amount.
    public var lte: Money
    public var title: String?

    public init(id: Alert.ID? = nil, customer: Customer.ID, lte: Money, title: String? = nil) {
        self.id = id
        self.customer = customer
        self.lte = lte
        self.title = title
    }
}

extension Ledger {
    // MARK: Alerts

    /// Creates a credit balance alert, judged from now on: when the balance is already at or
    /// below the threshold, it fires now.
    /// - Throws: `resource_missing` (customer), `resource_already_exists`, `invalid_amount` (a
    ///   negative threshold), `invalid_text`, `invalid_request`.
    public func createAlert(_ params: AlertParams) throws -> Alert {
        let now = try self.now
        try Text.validate(params.title, param: "title")
        guard params.lte.amountMinor >= 0 else {
            throw LedgerError(.invalidAmount, "lte must be 0 or more, not \(params.lte.amountMinor)", param: "lte")
        }
        let id = try newID(params.id, prefix: Alert.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "alert", id: id, kind: "alert")
            _ = try tx.customerSeq(params.customer)
            var alert = Alert(
                id: .init(id), customer: params.customer, lte: params.lte, title: params.title, status: .active,
                created: now, archivedAt: nil, triggered: false, evaluatedThrough: now)
            let balance = try tx.creditBalance(customer: params.customer, currency: params.lte.currency, at: now)
            alert.triggered = balance <= params.lte.amountMinor
            try tx.insert(
                alert,
                nextCheckAt: try tx.nextCreditChange(
                    customer: params.customer, currency: params.lte.currency, after: now))
            if alert.triggered {
                try tx.appendFeed(
                    .alertTriggered, .alert(AlertCrossing(alert: alert, at: now, value: balance, triggered: true)),
                    at: now)
            }
            return alert
        }
    }

    /// - Throws: `resource_missing`.
    public func alert(_ id: Alert.ID) throws -> Alert {
        try store.read { tx in try tx.fetchAlert(id) }
    }

    /// Alerts, oldest first, optionally of one customer.
    public func alerts(customer: Customer.ID? = nil) throws -> [Alert] {
        try store.read { tx in try tx.alerts(customer: customer) }
    }

    /// Archives an alert: it is judged no more. Archiving an archived alert changes nothing.
    /// - Throws: `resource_missing`.
    public func archiveAlert(_ id: Alert.ID) throws -> Alert {
        let now = try self.now
        return try write(at: now) { tx, now in
            let alert = try tx.fetchAlert(id)
            guard alert.status == .active else { return alert }
            try tx.archive(id, at: now)
            return try tx.fetchAlert(id)
        }
    }

    /// Judges the customer's active alerts through `instant`: each crossing of a threshold by the
    /// balance's changes effective since the alert was last judged goes to the feed at the instant
    /// the change took effect. Called in the transaction of every write that books a credit
    /// balance transaction, and by the billing run when a later-effective one takes effect. A
    /// judgment never goes back: a change booked at an instant already judged (an allowed clock
    /// regression) moves the balance from then on but crosses nothing before.
    static func judgeAlerts(_ tx: StorageTransaction, customer: Customer.ID, through instant: Int64) throws {
        try judgeTopUps(tx, customer: customer, through: instant)
        for var alert in try tx.activeAlerts(customer: customer) {
            guard let lte = alert.lte else { continue }
            let currency = lte.currency
            if instant >= alert.evaluatedThrough {
                let from = try tx.creditBalance(customer: customer, currency: currency, at: alert.evaluatedThrough)
                let changes = try tx.creditChanges(
                    customer: customer, currency: currency, after: alert.evaluatedThrough, through: instant)
                let crossings = AlertRule.crossings(
                    at: alert.evaluatedThrough, from: from, triggered: alert.triggered, threshold: lte.amountMinor,
                    changes: changes)
                for crossing in crossings {
                    alert.triggered = crossing.triggered
                    alert.evaluatedThrough = crossing.at
                    try tx.appendFeed(
                        crossing.triggered ? .alertTriggered : .alertRecovered,
                        .alert(
                            AlertCrossing(
                                alert: alert, at: crossing.at, value: crossing.value, triggered: crossing.triggered)),
                        at: crossing.at)
                }
                alert.evaluatedThrough = instant
            }
            try tx.saveJudgment(
                alert,
                nextCheckAt: try tx.nextCreditChange(
                    customer: customer, currency: currency, after: alert.evaluatedThrough))
        }
    }
}
