import LedgerKit

extension Shape {
    /// Stripe's answer to a delete: `{"id", "object", "deleted": true}`.
    static func deleted(_ id: String, object kind: String) -> JSON {
        .object([("id", .string(id)), ("object", .string(kind)), ("deleted", .bool(true))])
    }

    /// A subscription, with the items its next period bills (`next_period_items`, the same list
    /// as `items` unless an update changed them; null once it ended): `subscriptions update`
    /// takes effect at the current period's end.
    static func subscriptionWithNextPeriod(_ s: Subscription, _ context: ShapeContext) -> JSON {
        let shape: JSON = subscription(s, context)
        guard case .object(let stripe) = shape else { return shape }
        var next = JSON.null
        if s.status == .active {
            let start = s.currentPeriodEnd
            let end = (try? s.cycle.boundary(after: start)) ?? start
            next = .list(
                (s.nextPeriodItems ?? s.items).map { subscriptionItem($0, of: s, period: (start, end), context) })
        }
        var fields: [(String, JSON)] = []
        for field in stripe {
            fields.append(field)
            if field.0 == "items" { fields.append(("next_period_items", next)) }
        }
        return .object(fields)
    }
}
