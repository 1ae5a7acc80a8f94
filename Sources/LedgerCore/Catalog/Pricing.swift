/// The pricing function: (pricing terms, quantity) → exact amount → rounded line amount.
///
/// Pure and total over valid terms and non-negative quantities. The exact amount keeps every
/// digit; rounding happens once, on the line, half away from zero (Stripe: 0.05 × 30 = 1.5 → 2).
public enum Pricing {
    /// The result of pricing one quantity.
    public struct Quote: Hashable, Sendable {
        /// The quantity priced (after `transform_quantity`, the number of packages).
        public var billedQuantity: ExactDecimal
        /// The exact amount in minor units, before rounding (wider than an `ExactDecimal`: a
        /// 12-decimal unit amount times a 12-decimal quantity keeps all 24 decimals).
        public var exactAmount: ExactAmount
        /// `exactAmount` rounded half away from zero to whole minor units.
        public var amount: Int64
    }

    /// Prices `quantity` under `scheme`.
    /// - Throws: `invalid_quantity` for a negative quantity, `amount_overflow` when the amount
    ///   does not fit 64-bit minor units.
    public static func quote(_ scheme: PricingScheme, quantity: ExactDecimal) throws -> Quote {
        if quantity.isNegative {
            throw LedgerError(.invalidQuantity, "quantity \(quantity) is negative", param: "quantity")
        }
        let billed: ExactDecimal
        let exact: ExactAmount
        switch scheme {
        case .perUnit(let unitAmount, let transform):
            if let transform {
                billed = try quantity.divided(
                    byInteger: transform.divideBy,
                    rounding: transform.round == .up ? .up : .down)
            } else {
                billed = quantity
            }
            exact = try ExactAmount.product(unitAmount, billed)
        case .tiered(.volume, let tiers):
            billed = quantity
            exact = try volume(tiers, quantity)
        case .tiered(.graduated, let tiers):
            billed = quantity
            exact = try graduated(tiers, quantity)
        }
        return Quote(
            billedQuantity: billed, exactAmount: exact, amount: try exact.roundedToMinorUnits())
    }

    /// The whole quantity at the tier it ends in, plus that tier's flat amount.
    static func volume(_ tiers: [PriceTier], _ quantity: ExactDecimal) throws -> ExactAmount {
        let tier =
            tiers.first { tier in tier.upTo.map { quantity <= ExactDecimal($0) } ?? true }
            ?? tiers[tiers.count - 1]
        return try tierAmount(tier, units: quantity)
    }

    /// Each tier prices the units that fall in it; every tier reached adds its flat amount.
    /// The first tier is always reached, so quantity 0 bills its flat amount (Stripe).
    static func graduated(_ tiers: [PriceTier], _ quantity: ExactDecimal) throws -> ExactAmount {
        var total = ExactAmount.zero
        var lower = ExactDecimal.zero
        for (index, tier) in tiers.enumerated() {
            if index > 0 && quantity <= lower { break }
            let upper = tier.upTo.map { ExactDecimal($0) }
            let top = upper.map { min($0, quantity) } ?? quantity
            let units = try top.subtracting(lower)
            total = try total.adding(tierAmount(tier, units: max(units, .zero)))
            guard let upper else { break }
            lower = upper
        }
        return total
    }

    private static func tierAmount(_ tier: PriceTier, units: ExactDecimal) throws -> ExactAmount {
        var amount = try ExactAmount(tier.flatAmount ?? .zero)
        if let unitAmount = tier.unitAmount {
            amount = try amount.adding(ExactAmount.product(unitAmount, units))
        }
        return amount
    }
}
