/// How much a product costs and how often: Stripe's `price`.
///
/// Amounts, tiers, recurring and transform are fixed at creation (archive and create anew);
/// only `active`, `lookup_key`, `nickname` and `metadata` could change.
public struct Price: Hashable, Sendable {
    public typealias ID = Identifier<Price>
    public static let idPrefix = "price"

    public enum Kind: String, Sendable, CaseIterable {
        case oneTime = "one_time"
        case recurring
    }

    public enum Interval: String, Sendable, CaseIterable {
        case day, week, month, year
    }

    public enum UsageType: String, Sendable, CaseIterable {
        case licensed, metered
    }

    /// Recurring terms: every `intervalCount` `interval`s, licensed (in advance) or metered
    /// (in arrears, from `meter`).
    public struct Recurring: Hashable, Sendable {
        public var interval: Interval
        public var intervalCount: Int
        public var usageType: UsageType
        /// The meter's ID; required for metered prices, absent for licensed ones.
        public var meter: Meter.ID?

        public init(interval: Interval, intervalCount: Int, usageType: UsageType, meter: Meter.ID?) {
            self.interval = interval
            self.intervalCount = intervalCount
            self.usageType = usageType
            self.meter = meter
        }
    }

    public var id: ID
    public var product: Product.ID
    public var currency: Currency
    public var active: Bool
    public var lookupKey: String?
    public var nickname: String?
    public var kind: Kind
    public var recurring: Recurring?
    public var scheme: PricingScheme
    public var metadata: [String: String]
    public var created: Int64

    public init(
        id: ID, product: Product.ID, currency: Currency, active: Bool, lookupKey: String?,
        nickname: String?, kind: Kind, recurring: Recurring?, scheme: PricingScheme,
        metadata: [String: String], created: Int64
    ) {
        self.id = id
        self.product = product
        self.currency = currency
        self.active = active
        self.lookupKey = lookupKey
        self.nickname = nickname
        self.kind = kind
        self.recurring = recurring
        self.scheme = scheme
        self.metadata = metadata
        self.created = created
    }

    /// Checks the rules of SPEC §2.3 that need no storage: recurring terms, the scheme, text
    /// limits and metadata. (The product and meter are checked where they are stored.)
    /// - Throws: `invalid_request`, `invalid_tiers`, `invalid_amount`, `invalid_metadata`.
    public func validate() throws {
        switch (kind, recurring) {
        case (.oneTime, .some):
            throw LedgerError.invalidRequest(
                "a one_time price cannot have recurring terms (interval, usage_type, meter)",
                param: "type")
        case (.recurring, .none):
            throw LedgerError.invalidRequest("a recurring price needs an interval", param: "interval")
        case (.recurring, .some(let recurring)):
            let max = Limits.intervalCountMax[recurring.interval.rawValue] ?? 0
            if recurring.intervalCount < 1 || recurring.intervalCount > max {
                throw LedgerError.invalidRequest(
                    "interval_count \(recurring.intervalCount) for interval \(recurring.interval.rawValue) must be 1–\(max) (at most 3 years)",
                    param: "interval_count")
            }
            switch (recurring.usageType, recurring.meter) {
            case (.metered, .none):
                throw LedgerError.invalidRequest("a metered price needs a meter", param: "meter")
            case (.licensed, .some):
                throw LedgerError.invalidRequest(
                    "a licensed price cannot have a meter; use usage_type metered", param: "meter")
            default: break
            }
        case (.oneTime, .none): break
        }
        try scheme.validate()
        try Text.validate(nickname, param: "nickname")
        try Text.validate(lookupKey, param: "lookup_key", maxLength: Limits.lookupKeyLengthMax)
        if let lookupKey, lookupKey.isEmpty {
            throw LedgerError.invalidRequest("lookup_key cannot be empty", param: "lookup_key")
        }
        try Metadata.validate(metadata)
    }
}

/// The pricing terms of a price: everything needed to turn a quantity into an amount.
public enum PricingScheme: Hashable, Sendable {
    /// `billing_scheme = per_unit`: `unitAmount` (minor units, exact) per unit, after an
    /// optional `transform_quantity`.
    case perUnit(unitAmount: ExactDecimal, transform: TransformQuantity?)
    /// `billing_scheme = tiered`.
    case tiered(mode: TiersMode, tiers: [PriceTier])

    public var billingScheme: String {
        switch self {
        case .perUnit: return "per_unit"
        case .tiered: return "tiered"
        }
    }

    /// - Throws: `invalid_tiers` or `invalid_amount` naming the offending tier or amount.
    public func validate() throws {
        switch self {
        case .perUnit(let unitAmount, let transform):
            if unitAmount.isNegative {
                throw LedgerError(.invalidAmount, "unit_amount cannot be negative", param: "unit_amount")
            }
            if let transform, transform.divideBy < 1 {
                throw LedgerError.invalidRequest(
                    "transform_quantity.divide_by must be a positive integer", param: "divide_by")
            }
        case .tiered(_, let tiers):
            if tiers.isEmpty {
                throw LedgerError(.invalidTiers, "a tiered price needs at least one tier", param: "tiers")
            }
            if tiers.count > Limits.tiersMax {
                throw LedgerError(
                    .invalidTiers, "\(tiers.count) tiers; at most \(Limits.tiersMax)", param: "tiers")
            }
            var previous: Int64 = 0
            for (index, tier) in tiers.enumerated() {
                let isLast = index == tiers.count - 1
                if tier.unitAmount == nil && tier.flatAmount == nil {
                    throw LedgerError(
                        .invalidTiers,
                        "tier \(index + 1) has neither a unit amount nor a flat amount",
                        param: "tiers[\(index)]")
                }
                if tier.unitAmount?.isNegative == true || tier.flatAmount?.isNegative == true {
                    throw LedgerError(
                        .invalidAmount, "tier \(index + 1) has a negative amount", param: "tiers[\(index)]")
                }
                switch (tier.upTo, isLast) {
                case (.none, false):
                    throw LedgerError(
                        .invalidTiers, "only the last tier can have up_to=inf (tier \(index + 1) has it)",
                        param: "tiers[\(index)].up_to")
                case (.some, true):
                    throw LedgerError(
                        .invalidTiers, "the last tier must have up_to=inf", param: "tiers[\(index)].up_to")
                case (.some(let upTo), false):
                    if upTo <= previous {
                        throw LedgerError(
                            .invalidTiers,
                            "tier \(index + 1) up_to=\(upTo) must be greater than \(previous) (tiers in increasing order)",
                            param: "tiers[\(index)].up_to")
                    }
                    previous = upTo
                case (.none, true): break
                }
            }
        }
    }
}

/// `transform_quantity`: divide the quantity by `divideBy`, then round to a whole number.
public struct TransformQuantity: Hashable, Sendable {
    public enum Round: String, Sendable, CaseIterable {
        case up, down
    }

    public var divideBy: Int64
    public var round: Round

    public init(divideBy: Int64, round: Round) {
        self.divideBy = divideBy
        self.round = round
    }
}

public enum TiersMode: String, Sendable, CaseIterable {
    case graduated, volume
}

/// One tier: quantities above the previous tier's `upTo` up to and including this `upTo`.
public struct PriceTier: Hashable, Sendable {
    /// Inclusive upper bound; nil is `inf` (only the last tier).
    public var upTo: Int64?
    /// Per unit, in minor units (exact).
    public var unitAmount: ExactDecimal?
    /// Once for the tier, in minor units (exact).
    public var flatAmount: ExactDecimal?

    public init(upTo: Int64?, unitAmount: ExactDecimal?, flatAmount: ExactDecimal?) {
        self.upTo = upTo
        self.unitAmount = unitAmount
        self.flatAmount = flatAmount
    }
}

extension Price {
    /// A metered recurring price: it bills usage in arrears.
    public var isMetered: Bool { recurring?.usageType == .metered }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension Price.Interval: Codable {}
