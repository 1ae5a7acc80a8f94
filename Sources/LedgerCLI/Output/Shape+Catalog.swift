import LedgerKit

extension Shape {
    static func customer(_ c: Customer) -> JSON {
        .object([
            ("id", .string(c.id.rawValue)), ("object", .string("customer")),
            ("created", .int(c.created)), ("email", .optional(c.email)), ("livemode", .bool(false)),
            ("metadata", .metadata(c.metadata)), ("name", .optional(c.name)),
        ])
    }

    static func product(_ p: Product) -> JSON {
        .object([
            ("id", .string(p.id.rawValue)), ("object", .string("product")),
            ("active", .bool(p.active)), ("created", .int(p.created)),
            ("description", .optional(p.description)), ("livemode", .bool(false)),
            ("metadata", .metadata(p.metadata)),
            ("name", .string(p.name)),
        ])
    }

    /// An exact amount as Stripe shows it: the integer when whole, else null beside the decimal.
    static func integerOrNull(_ d: ExactDecimal?) -> JSON {
        guard let d, d.isInteger, let i = Int64(exactly: d.significand) else { return .null }
        return .int(i)
    }

    static func price(_ p: Price) -> JSON {
        var unitAmount: ExactDecimal?
        var transform: JSON = .null
        var tiers: JSON = .null
        var tiersMode: JSON = .null
        switch p.scheme {
        case .perUnit(let amount, let t):
            unitAmount = amount
            if let t {
                transform = .object([("divide_by", .int(t.divideBy)), ("round", .string(t.round.rawValue))])
            }
        case .tiered(let mode, let list):
            tiersMode = .string(mode.rawValue)
            tiers = .array(
                list.map { tier in
                    .object([
                        ("flat_amount", integerOrNull(tier.flatAmount)),
                        ("flat_amount_decimal", .optional(tier.flatAmount?.description)),
                        ("unit_amount", integerOrNull(tier.unitAmount)),
                        ("unit_amount_decimal", .optional(tier.unitAmount?.description)),
                        ("up_to", .optional(tier.upTo)),
                    ])
                })
        }
        var recurring: JSON = .null
        if let r = p.recurring {
            recurring = .object([
                ("interval", .string(r.interval.rawValue)), ("interval_count", .int(Int64(r.intervalCount))),
                ("meter", .optional(r.meter?.rawValue)), ("usage_type", .string(r.usageType.rawValue)),
            ])
        }
        return .object([
            ("id", .string(p.id.rawValue)), ("object", .string("price")),
            ("active", .bool(p.active)), ("billing_scheme", .string(p.scheme.billingScheme)),
            ("created", .int(p.created)), ("currency", .string(p.currency.code)),
            ("livemode", .bool(false)), ("lookup_key", .optional(p.lookupKey)),
            ("metadata", .metadata(p.metadata)), ("nickname", .optional(p.nickname)),
            ("product", .string(p.product.rawValue)), ("recurring", recurring),
            ("tiers", tiers), ("tiers_mode", tiersMode), ("transform_quantity", transform),
            ("type", .string(p.kind.rawValue)), ("unit_amount", integerOrNull(unitAmount)),
            ("unit_amount_decimal", .optional(unitAmount?.description)),
        ])
    }

    static func quote(_ price: Price, _ quantity: ExactDecimal, _ q: Pricing.Quote) -> JSON {
        .object([
            ("object", .string("price_quote")), ("price", .string(price.id.rawValue)),
            ("currency", .string(price.currency.code)),
            ("quantity_decimal", .string(quantity.description)),
            ("billed_quantity_decimal", .string(q.billedQuantity.description)),
            ("amount", .int(q.amount)), ("amount_decimal", .string(q.exactAmount.description)),
        ])
    }
}
