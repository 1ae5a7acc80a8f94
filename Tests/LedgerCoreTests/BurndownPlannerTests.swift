import PropertyBased
import Testing

@testable import LedgerCore

/// The burndown planner of SPEC §2.6: eligibility, the burn order, and how lines drain grants.
@Suite struct BurndownPlannerTests {
    typealias Grant = BurndownPlanner.Grant
    typealias Line = BurndownPlanner.Line
    typealias Application = BurndownPlanner.Application

    static let usd = try! Currency(code: "usd")
    static let eur = try! Currency(code: "eur")
    static let p1 = Price.ID("price_1")
    static let p2 = Price.ID("price_2")
    static let p3 = Price.ID("price_3")
    static let jan1: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z
    static let feb1: Int64 = 1_769_904_000  // 2026-02-01T00:00:00Z

    static func grant(
        _ id: String, priority: Int = 50, expiresAt: Int64? = nil, category: CreditGrant.Category = .paid,
        effectiveAt: Int64 = 0, sequence: Int64 = 1, available: Int64 = 100, currency: Currency = usd,
        scope: CreditGrant.Scope = .metered
    ) -> Grant {
        Grant(
            id: CreditGrant.ID(id), currency: currency, scope: scope, priority: priority, expiresAt: expiresAt,
            category: category, effectiveAt: effectiveAt, sequence: sequence, available: available)
    }

    static func line(
        _ id: String, price: Price.ID? = p1, metered: Bool = true, currency: Currency = usd, amount: Int64,
        periodEnd: Int64 = 1000
    ) -> Line {
        Line(
            id: InvoiceLine.ID(id), price: price, metered: metered, currency: currency, amount: amount,
            periodEnd: periodEnd)
    }

    static func app(_ grant: String, _ line: String, _ amount: Int64) -> Application {
        Application(grant: CreditGrant.ID(grant), line: InvoiceLine.ID(line), amount: amount)
    }

    /// Plans with the grants in the given order and in reverse: the input order must not matter.
    static func planBothWays(_ grants: [Grant], _ lines: [Line]) -> [Application] {
        let forward = BurndownPlanner.plan(grants: grants, lines: lines)
        let backward = BurndownPlanner.plan(grants: grants.reversed(), lines: lines)
        #expect(forward == backward)
        return forward
    }

    // MARK: Burn order, one key at a time

    @Test func priorityAscending() {
        let grants = [Self.grant("credgr_p50", priority: 50), Self.grant("credgr_p10", priority: 10)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_p10", "il_1", 100), Self.app("credgr_p50", "il_1", 50)])
        // The extremes of the range: 0 is applied first.
        let edges = [
            Self.grant("credgr_p100", priority: 100, available: 30),
            Self.grant("credgr_p0", priority: 0, available: 30),
        ]
        #expect(
            Self.planBothWays(edges, [Self.line("il_1", amount: 45)])
                == [Self.app("credgr_p0", "il_1", 30), Self.app("credgr_p100", "il_1", 15)])
    }

    @Test func earlierExpiryFirst() {
        let grants = [Self.grant("credgr_late", expiresAt: 5000), Self.grant("credgr_soon", expiresAt: 3000)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 130)])
                == [Self.app("credgr_soon", "il_1", 100), Self.app("credgr_late", "il_1", 30)])
    }

    @Test func expiringBeforeNonExpiring() {
        let grants = [Self.grant("credgr_never", expiresAt: nil), Self.grant("credgr_expiring", expiresAt: 5000)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 170)])
                == [Self.app("credgr_expiring", "il_1", 100), Self.app("credgr_never", "il_1", 70)])
        // A very distant expiry still comes before none at all.
        let far = [Self.grant("credgr_never", expiresAt: nil), Self.grant("credgr_far", expiresAt: .max)]
        #expect(
            Self.planBothWays(far, [Self.line("il_1", amount: 101)])
                == [Self.app("credgr_far", "il_1", 100), Self.app("credgr_never", "il_1", 1)])
    }

    @Test func promotionalBeforePaid() {
        let grants = [Self.grant("credgr_paid", category: .paid), Self.grant("credgr_promo", category: .promotional)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 125)])
                == [Self.app("credgr_promo", "il_1", 100), Self.app("credgr_paid", "il_1", 25)])
    }

    @Test func earlierEffectiveFirst() {
        let grants = [Self.grant("credgr_later", effectiveAt: 500), Self.grant("credgr_earlier", effectiveAt: 200)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 140)])
                == [Self.app("credgr_earlier", "il_1", 100), Self.app("credgr_later", "il_1", 40)])
    }

    @Test func creationOrderFirst() {
        let grants = [Self.grant("credgr_second", sequence: 8), Self.grant("credgr_first", sequence: 7)]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 101)])
                == [Self.app("credgr_first", "il_1", 100), Self.app("credgr_second", "il_1", 1)])
    }

    @Test func smallerIDFirst() {
        let grants = [Self.grant("credgr_aab"), Self.grant("credgr_aaa")]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 160)])
                == [Self.app("credgr_aaa", "il_1", 100), Self.app("credgr_aab", "il_1", 60)])
        // Lexicographic, not numeric: "credgr_10" < "credgr_9"; uppercase sorts before lowercase.
        let three = [
            Self.grant("credgr_9", available: 10), Self.grant("credgr_a", available: 10),
            Self.grant("credgr_10", available: 10),
        ]
        #expect(
            Self.planBothWays(three, [Self.line("il_1", amount: 25)])
                == [
                    Self.app("credgr_10", "il_1", 10), Self.app("credgr_9", "il_1", 10),
                    Self.app("credgr_a", "il_1", 5),
                ])
        let cased = [Self.grant("credgr_b", available: 10), Self.grant("credgr_B", available: 10)]
        #expect(
            Self.planBothWays(cased, [Self.line("il_1", amount: 15)])
                == [Self.app("credgr_B", "il_1", 10), Self.app("credgr_b", "il_1", 5)])
    }

    // MARK: The burn orders of SCENARIOS' credits, on the instants of a January invoice

    /// 300 each, created in this order, against a 500 metered line of January (period end
    /// 2026-02-01): the later-created priority 0 grant burns before priority 100.
    @Test func aPriority0GrantBurnsBeforeAPriority100CreatedEarlier() {
        let grants = [
            Self.grant("credgr_p100", priority: 100, effectiveAt: Self.jan1, sequence: 1, available: 300),
            Self.grant("credgr_p0", priority: 0, effectiveAt: Self.jan1, sequence: 2, available: 300),
        ]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 500, periodEnd: Self.feb1)])
                == [Self.app("credgr_p0", "il_1", 300), Self.app("credgr_p100", "il_1", 200)])
    }

    /// Never expiring, expiring 2026-12-01 and 2026-06-01, in that order of creation: the earliest
    /// expiry burns first, the grant that never expires last.
    @Test func theEarliestExpiryBurnsFirstAndNoExpiryLast() {
        let grants = [
            Self.grant("credgr_never", effectiveAt: Self.jan1, sequence: 1, available: 300),
            Self.grant("credgr_dec", expiresAt: 1_796_083_200, effectiveAt: Self.jan1, sequence: 2, available: 300),
            Self.grant("credgr_jun", expiresAt: 1_780_272_000, effectiveAt: Self.jan1, sequence: 3, available: 300),
        ]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 700, periodEnd: Self.feb1)])
                == [
                    Self.app("credgr_jun", "il_1", 300), Self.app("credgr_dec", "il_1", 300),
                    Self.app("credgr_never", "il_1", 100),
                ])
    }

    @Test func aPromotionalGrantBurnsBeforeAPaidOneCreatedEarlier() {
        let grants = [
            Self.grant("credgr_paid", category: .paid, effectiveAt: Self.jan1, sequence: 1, available: 300),
            Self.grant("credgr_promo", category: .promotional, effectiveAt: Self.jan1, sequence: 2, available: 300),
        ]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 500, periodEnd: Self.feb1)])
                == [Self.app("credgr_promo", "il_1", 300), Self.app("credgr_paid", "il_1", 200)])
    }

    /// Effective 2026-01-10 (created first) and 2026-01-01.
    @Test func theEarlierEffectiveGrantBurnsFirst() {
        let grants = [
            Self.grant("credgr_later", effectiveAt: 1_768_003_200, sequence: 1, available: 300),
            Self.grant("credgr_earlier", effectiveAt: Self.jan1, sequence: 2, available: 300),
        ]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 500, periodEnd: Self.feb1)])
                == [Self.app("credgr_earlier", "il_1", 300), Self.app("credgr_later", "il_1", 200)])
    }

    @Test func threeGrantsOnOneKey() {
        let grants = [
            Self.grant("credgr_p30", priority: 30, available: 40),
            Self.grant("credgr_p70", priority: 70, available: 40),
            Self.grant("credgr_p5", priority: 5, available: 40),
        ]
        #expect(
            Self.planBothWays(grants, [Self.line("il_1", amount: 100)])
                == [
                    Self.app("credgr_p5", "il_1", 40), Self.app("credgr_p30", "il_1", 40),
                    Self.app("credgr_p70", "il_1", 20),
                ])
    }

    /// Each key outranks every later one: the grant winning on the earlier key goes first even
    /// though it loses on all later keys.
    @Test func earlierKeysDominate() {
        // Priority beats expiry, category, effective date, sequence and ID.
        let a = Self.grant("credgr_z", priority: 10, expiresAt: nil, category: .paid, effectiveAt: 900, sequence: 9)
        let b = Self.grant(
            "credgr_a", priority: 11, expiresAt: 2000, category: .promotional, effectiveAt: 0, sequence: 1)
        #expect(
            Self.planBothWays([b, a], [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_z", "il_1", 100), Self.app("credgr_a", "il_1", 50)])
        // Expiry beats category, effective date, sequence and ID.
        let c = Self.grant("credgr_z", expiresAt: 3000, category: .paid, effectiveAt: 900, sequence: 9)
        let d = Self.grant("credgr_a", expiresAt: 3001, category: .promotional, effectiveAt: 0, sequence: 1)
        #expect(
            Self.planBothWays([d, c], [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_z", "il_1", 100), Self.app("credgr_a", "il_1", 50)])
        // Category beats effective date, sequence and ID.
        let e = Self.grant("credgr_z", category: .promotional, effectiveAt: 900, sequence: 9)
        let f = Self.grant("credgr_a", category: .paid, effectiveAt: 0, sequence: 1)
        #expect(
            Self.planBothWays([f, e], [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_z", "il_1", 100), Self.app("credgr_a", "il_1", 50)])
        // Effective date beats sequence and ID.
        let g = Self.grant("credgr_z", effectiveAt: 100, sequence: 9)
        let h = Self.grant("credgr_a", effectiveAt: 101, sequence: 1)
        #expect(
            Self.planBothWays([h, g], [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_z", "il_1", 100), Self.app("credgr_a", "il_1", 50)])
        // Sequence beats ID.
        let i = Self.grant("credgr_z", sequence: 1)
        let j = Self.grant("credgr_a", sequence: 2)
        #expect(
            Self.planBothWays([j, i], [Self.line("il_1", amount: 150)])
                == [Self.app("credgr_z", "il_1", 100), Self.app("credgr_a", "il_1", 50)])
    }

    // MARK: Scope and line order

    @Test func scopedGrantPaysOnlyItsPrices() {
        // The metered-wide grant comes first; the grant scoped to p1 can only help the p1 line.
        let wide = Self.grant("credgr_wide", priority: 10, available: 100, scope: .metered)
        let scoped = Self.grant("credgr_p1", priority: 50, available: 100, scope: .prices([Self.p1]))
        let p1Line = Self.line("il_p1", price: Self.p1, amount: 80)
        let p2Line = Self.line("il_p2", price: Self.p2, amount: 80)
        // p1 then p2: the wide grant covers p1 and has 20 left for p2; the scoped grant is unused.
        #expect(
            Self.planBothWays([wide, scoped], [p1Line, p2Line])
                == [Self.app("credgr_wide", "il_p1", 80), Self.app("credgr_wide", "il_p2", 20)])
        // p2 then p1: the wide grant is mostly gone by p1, and the scoped grant pays the rest of it.
        #expect(
            Self.planBothWays([wide, scoped], [p2Line, p1Line])
                == [
                    Self.app("credgr_wide", "il_p2", 80), Self.app("credgr_wide", "il_p1", 20),
                    Self.app("credgr_p1", "il_p1", 60),
                ])
    }

    @Test func scopedGrantFirstInOrderStillSkipsOtherPrices() {
        let scoped = Self.grant("credgr_p1", priority: 10, available: 100, scope: .prices([Self.p1]))
        let wide = Self.grant("credgr_wide", priority: 50, available: 100, scope: .metered)
        let lines = [Self.line("il_p1", price: Self.p1, amount: 150), Self.line("il_p2", price: Self.p2, amount: 80)]
        #expect(
            Self.planBothWays([wide, scoped], lines)
                == [
                    Self.app("credgr_p1", "il_p1", 100), Self.app("credgr_wide", "il_p1", 50),
                    Self.app("credgr_wide", "il_p2", 50),
                ])
    }

    @Test func grantScopedToP2NeverPaysP1() {
        let scoped = Self.grant("credgr_p2", available: 500, scope: .prices([Self.p2]))
        #expect(BurndownPlanner.plan(grants: [scoped], lines: [Self.line("il_p1", price: Self.p1, amount: 100)]) == [])
        #expect(!BurndownPlanner.eligible(scoped, Self.line("il_p1", price: Self.p1, amount: 100)))
        // It does pay its own price, after the p1 line is passed over.
        let lines = [Self.line("il_p1", price: Self.p1, amount: 100), Self.line("il_p2", price: Self.p2, amount: 70)]
        #expect(BurndownPlanner.plan(grants: [scoped], lines: lines) == [Self.app("credgr_p2", "il_p2", 70)])
    }

    @Test func multiPriceScope() {
        let scoped = Self.grant("credgr_13", available: 100, scope: .prices([Self.p1, Self.p3]))
        let lines = [
            Self.line("il_3", price: Self.p3, amount: 30), Self.line("il_2", price: Self.p2, amount: 30),
            Self.line("il_1", price: Self.p1, amount: 90),
        ]
        #expect(
            BurndownPlanner.plan(grants: [scoped], lines: lines)
                == [Self.app("credgr_13", "il_3", 30), Self.app("credgr_13", "il_1", 70)])
    }

    // MARK: Ineligible grants and lines

    @Test func otherCurrencyNeverUsed() {
        let euro = Self.grant("credgr_eur", priority: 0, available: 500, currency: Self.eur)
        let dollar = Self.grant("credgr_usd", priority: 90, available: 50, currency: Self.usd)
        #expect(
            Self.planBothWays([euro, dollar], [Self.line("il_1", currency: Self.usd, amount: 100)])
                == [Self.app("credgr_usd", "il_1", 50)])
        #expect(BurndownPlanner.plan(grants: [euro], lines: [Self.line("il_1", currency: Self.usd, amount: 100)]) == [])
        #expect(
            BurndownPlanner.plan(grants: [euro], lines: [Self.line("il_1", currency: Self.eur, amount: 100)])
                == [Self.app("credgr_eur", "il_1", 100)])
    }

    @Test func licensedLinesAndInvoiceItemsNeverPaid() {
        let wide = Self.grant("credgr_1", available: 1000)
        let licensed = Self.line("il_licensed", price: Self.p1, metered: false, amount: 100)
        let item = Self.line("il_item", price: nil, metered: true, amount: 100)
        let itemUnmetered = Self.line("il_item2", price: nil, metered: false, amount: 100)
        let metered = Self.line("il_metered", price: Self.p1, amount: 100)
        #expect(BurndownPlanner.plan(grants: [wide], lines: [licensed, item, itemUnmetered]) == [])
        #expect(
            BurndownPlanner.plan(grants: [wide], lines: [licensed, item, metered, itemUnmetered])
                == [Self.app("credgr_1", "il_metered", 100)])
        // Even a grant scoped to p1 does not pay a licensed p1 line.
        let scoped = Self.grant("credgr_s", available: 1000, scope: .prices([Self.p1]))
        #expect(BurndownPlanner.plan(grants: [scoped], lines: [licensed]) == [])
    }

    @Test func effectiveAfterPeriodEndNotUsed() {
        let early = Self.grant("credgr_early", priority: 90, effectiveAt: 0, available: 100)
        let late = Self.grant("credgr_late", priority: 0, effectiveAt: 1001, available: 100)
        let onTheDot = Self.grant("credgr_dot", priority: 10, effectiveAt: 1000, available: 30)
        let line = Self.line("il_1", amount: 150, periodEnd: 1000)
        #expect(Self.planBothWays([late, early], [line]) == [Self.app("credgr_early", "il_1", 100)])
        // effective_at ≤ period_end: a grant effective exactly at the period end counts.
        #expect(
            Self.planBothWays([late, early, onTheDot], [line])
                == [Self.app("credgr_dot", "il_1", 30), Self.app("credgr_early", "il_1", 100)])
    }

    @Test func expiryMustBeAfterPeriodEnd() {
        let line = Self.line("il_1", amount: 100, periodEnd: 1000)
        let atEnd = Self.grant("credgr_at", expiresAt: 1000, available: 100)
        let before = Self.grant("credgr_before", expiresAt: 999, available: 100)
        let after = Self.grant("credgr_after", expiresAt: 1001, available: 40)
        #expect(BurndownPlanner.plan(grants: [atEnd], lines: [line]) == [])
        #expect(BurndownPlanner.plan(grants: [before], lines: [line]) == [])
        #expect(BurndownPlanner.plan(grants: [after], lines: [line]) == [Self.app("credgr_after", "il_1", 40)])
        // Expiring earlier would put them first, but only the one expiring after the end is used.
        #expect(Self.planBothWays([atEnd, before, after], [line]) == [Self.app("credgr_after", "il_1", 40)])
        #expect(!BurndownPlanner.eligible(atEnd, line))
        #expect(BurndownPlanner.eligible(after, line))
    }

    /// Stands for a grant that expired between the period end and finalization: its balance at
    /// finalization is 0, so the planner gets available 0.
    @Test func zeroBalanceNotUsed() {
        let empty = Self.grant("credgr_empty", priority: 0, expiresAt: 1500, available: 0)
        let next = Self.grant("credgr_next", priority: 50, available: 70)
        let line = Self.line("il_1", amount: 100, periodEnd: 1000)
        #expect(BurndownPlanner.plan(grants: [empty], lines: [line]) == [])
        #expect(Self.planBothWays([empty, next], [line]) == [Self.app("credgr_next", "il_1", 70)])
    }

    @Test func noGrantsOrNoLines() {
        #expect(BurndownPlanner.plan(grants: [], lines: [Self.line("il_1", amount: 100)]) == [])
        #expect(BurndownPlanner.plan(grants: [Self.grant("credgr_1")], lines: []) == [])
    }

    // MARK: Amounts

    @Test func oneGrantAcrossLines() {
        let grants = [Self.grant("credgr_1", available: 100)]
        let lines = [Self.line("il_1", amount: 60), Self.line("il_2", amount: 60)]
        #expect(
            BurndownPlanner.plan(grants: grants, lines: lines)
                == [Self.app("credgr_1", "il_1", 60), Self.app("credgr_1", "il_2", 40)])
    }

    @Test func twoGrantsAcrossThreeLines() {
        let grants = [
            Self.grant("credgr_b", sequence: 2, available: 30), Self.grant("credgr_a", sequence: 1, available: 50),
        ]
        let lines = [Self.line("il_1", amount: 40), Self.line("il_2", amount: 40), Self.line("il_3", amount: 40)]
        #expect(
            Self.planBothWays(grants, lines)
                == [
                    Self.app("credgr_a", "il_1", 40), Self.app("credgr_a", "il_2", 10),
                    Self.app("credgr_b", "il_2", 30),
                ])
    }

    @Test func zeroAmountLineGetsNothing() {
        let grants = [Self.grant("credgr_1", available: 100)]
        let lines = [Self.line("il_zero", amount: 0), Self.line("il_1", amount: 50), Self.line("il_zero2", amount: 0)]
        #expect(BurndownPlanner.plan(grants: grants, lines: lines) == [Self.app("credgr_1", "il_1", 50)])
    }

    @Test func neverMoreThanLineOrBalance() {
        // Line smaller than the grant: the line's amount; grant smaller than the line: the balance.
        #expect(
            BurndownPlanner.plan(
                grants: [Self.grant("credgr_1", available: 1000)], lines: [Self.line("il_1", amount: 7)])
                == [Self.app("credgr_1", "il_1", 7)])
        #expect(
            BurndownPlanner.plan(
                grants: [Self.grant("credgr_1", available: 7)], lines: [Self.line("il_1", amount: 1000)])
                == [Self.app("credgr_1", "il_1", 7)])
        // Exactly equal: one application, nothing from the next grant.
        let grants = [
            Self.grant("credgr_a", sequence: 1, available: 100), Self.grant("credgr_b", sequence: 2, available: 100),
        ]
        #expect(Self.planBothWays(grants, [Self.line("il_1", amount: 100)]) == [Self.app("credgr_a", "il_1", 100)])
    }

    // MARK: Properties

    /// The stated burn order written as a tuple of keys: priority, expires_at (nil last), category
    /// (promotional 0, paid 1), effective_at, sequence, then the ID's bytes.
    static func orderKey(_ g: Grant) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        (
            Int64(g.priority), g.expiresAt == nil ? 1 : 0, g.expiresAt ?? 0, g.category == .promotional ? 0 : 1,
            g.effectiveAt, g.sequence
        )
    }

    static func referenceBefore(_ a: Grant, _ b: Grant) -> Bool {
        let (ka, kb) = (orderKey(a), orderKey(b))
        if ka != kb { return ka < kb }
        return Array(a.id.rawValue.utf8).lexicographicallyPrecedes(Array(b.id.rawValue.utf8))
    }

    static func referenceEligible(_ g: Grant, _ l: Line) -> Bool {
        if !l.metered { return false }
        guard let price = l.price else { return false }
        if g.currency != l.currency { return false }
        if g.effectiveAt > l.periodEnd { return false }
        if let expiry = g.expiresAt, expiry <= l.periodEnd { return false }
        if case .prices(let list) = g.scope, !list.contains(price) { return false }
        return true
    }

    static func referencePlan(grants: [Grant], lines: [Line]) -> [Application] {
        // Insertion sort with the reference comparator, so as not to share the planner's sort.
        var sorted: [Grant] = []
        for g in grants {
            let at = sorted.firstIndex { referenceBefore(g, $0) } ?? sorted.count
            sorted.insert(g, at: at)
        }
        var left = sorted.map(\.available)
        var result: [Application] = []
        for l in lines {
            var remaining = l.amount
            for (i, g) in sorted.enumerated() {
                guard remaining > 0, referenceEligible(g, l) else { continue }
                let take = min(remaining, left[i])
                if take > 0 {
                    result.append(Application(grant: g.id, line: l.id, amount: take))
                    left[i] -= take
                    remaining -= take
                }
            }
        }
        return result
    }

    static let scopeGen = zip(Gen.bool, Gen.bool, Gen.bool, Gen.bool).map { input -> CreditGrant.Scope in
        let (wide, has1, has2, has3) = input
        if wide { return .metered }
        return .prices([has1 ? p1 : nil, has2 ? p2 : nil, has3 ? p3 : nil].compactMap { $0 })
    }

    /// A grant with few distinct values per key, so ties are common; the ID is a placeholder.
    static let grantGen = zip(
        Gen.bool, scopeGen, Gen.element(of: [0, 10, 50] as [Int]).map { $0! },
        Gen.element(of: [nil, 100, 200, 300, 400] as [Int64?]).map { $0! }, Gen.bool,
        Gen.element(of: [0, 100, 200, 300] as [Int64]).map { $0! }, Gen.int64(in: 1...3), Gen.int64(in: 0...500)
    ).map { input -> Grant in
        let (euro, scope, priority, expiresAt, promotional, effectiveAt, sequence, available) = input
        return Grant(
            id: CreditGrant.ID("credgr_?"), currency: euro ? eur : usd, scope: scope, priority: priority,
            expiresAt: expiresAt, category: promotional ? .promotional : .paid, effectiveAt: effectiveAt,
            sequence: sequence, available: available)
    }

    /// 1–6 grants with distinct IDs in a random order relative to their position.
    static let grantsGen = zip(grantGen.array(of: 1...6), Gen.shuffled(["a", "b", "c", "d", "e", "f"]))
        .map { input -> [Grant] in
            let (grants, names) = input
            return grants.enumerated().map { index, grant in
                var g = grant
                g.id = CreditGrant.ID("credgr_" + names[index])
                return g
            }
        }

    static let lineGen = zip(
        Gen.element(of: [p1, p2, p3] as [Price.ID]).map { $0! }, Gen.int(in: 0...9), Gen.bool,
        Gen.int64(in: 0...400), Gen.element(of: [100, 200, 300] as [Int64]).map { $0! }
    ).map { input -> Line in
        let (price, kind, euro, amount, periodEnd) = input
        // Mostly metered lines with a price; some licensed lines and some invoice items.
        return Line(
            id: InvoiceLine.ID("il_?"), price: kind == 0 ? nil : price, metered: kind != 1,
            currency: euro ? eur : usd, amount: amount, periodEnd: periodEnd)
    }

    static let linesGen = lineGen.array(of: 1...6).map { lines -> [Line] in
        lines.enumerated().map { index, line in
            var l = line
            l.id = InvoiceLine.ID("il_\(index)")
            return l
        }
    }

    @Test func precedesIsAStrictTotalOrder() async {
        // IDs from a small set too, so that grants equal on every key appear.
        let idGen = Gen.element(of: ["credgr_a", "credgr_b", "credgr_c"]).map { CreditGrant.ID($0!) }
        let withID = zip(Self.grantGen, idGen).map { input -> Grant in
            var g = input.0
            g.id = input.1
            return g
        }
        await propertyCheck(count: 1000, input: withID, withID, withID) { a, b, c in
            let before = BurndownPlanner.precedes
            for x in [a, b, c] { #expect(!before(x, x)) }
            for (x, y) in [(a, b), (b, c), (a, c)] {
                #expect(!(before(x, y) && before(y, x)))
                let sameKeys = Self.orderKey(x) == Self.orderKey(y) && x.id == y.id
                // Distinct on the keys: exactly one precedes the other.
                #expect(before(x, y) != before(y, x) || sameKeys)
                #expect(before(x, y) == Self.referenceBefore(x, y))
            }
            for (x, y, z) in [(a, b, c), (a, c, b), (b, a, c), (b, c, a), (c, a, b), (c, b, a)] {
                if before(x, y) && before(y, z) { #expect(before(x, z)) }
            }
        }
    }

    @Test func planEqualsBruteForce() async {
        await propertyCheck(count: 2000, input: Self.grantsGen, Self.linesGen) { grants, lines in
            let actual = BurndownPlanner.plan(grants: grants, lines: lines)
            let expected = Self.referencePlan(grants: grants, lines: lines)
            #expect(actual == expected)
            #expect(BurndownPlanner.plan(grants: grants.reversed(), lines: lines) == actual)
            #expect(actual.reduce(0) { $0 + $1.amount } == expected.reduce(0) { $0 + $1.amount })
            for a in actual {
                #expect(a.amount > 0)
                let g = grants.first { $0.id == a.grant }!
                let l = lines.first { $0.id == a.line }!
                #expect(Self.referenceEligible(g, l))
                #expect(BurndownPlanner.eligible(g, l))
            }
            for g in grants {
                #expect(actual.filter { $0.grant == g.id }.reduce(0) { $0 + $1.amount } <= g.available)
            }
            for l in lines {
                #expect(actual.filter { $0.line == l.id }.reduce(0) { $0 + $1.amount } <= l.amount)
            }
            // Eligibility agrees with the reference for every pair, applied or not.
            for g in grants {
                for l in lines { #expect(BurndownPlanner.eligible(g, l) == Self.referenceEligible(g, l)) }
            }
        }
    }
}
