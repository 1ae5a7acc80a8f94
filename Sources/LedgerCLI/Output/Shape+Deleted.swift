import LedgerKit

extension Shape {
    /// Stripe's answer to a delete: `{"id", "object", "deleted": true}`.
    static func deleted(_ id: String, object kind: String) -> JSON {
        .object([("id", .string(id)), ("object", .string(kind)), ("deleted", .bool(true))])
    }

    /// A subscription, with the items its next period bills (`next_period_items`, the same list
    /// as `items` unless an update changed them; null once it ended): `subscriptions update`
    /// takes effect at the current period's end.
    static func subscriptionWithNextPeriod(_ s: Subscription) -> JSON {
        let shape: JSON = subscription(s)
        guard case .object(let stripe) = shape else { return shape }
        var next = JSON.null
        if s.status == .active {
            var items: [JSON] = []
            for item in s.nextPeriodItems ?? s.items {
                items.append(
                    .object([
                        ("id", .string(item.id.rawValue)), ("object", .string("subscription_item")),
                        ("price", .string(item.price.rawValue)), ("quantity", .optional(item.quantity)),
                        ("subscription", .string(s.id.rawValue)),
                    ]))
            }
            next = .list(items)
        }
        var fields: [(String, JSON)] = []
        for field in stripe {
            fields.append(field)
            if field.0 == "items" { fields.append(("next_period_items", next)) }
        }
        return .object(fields)
    }
}
