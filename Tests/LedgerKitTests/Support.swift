import Foundation
import LedgerKit

/// A fixed clock at `seconds`, for deterministic tests.
func fixedClock(_ seconds: Int64) -> @Sendable () -> Int64 { { seconds } }

let jan1: Int64 = 1_767_225_600  // 2026-01-01T00:00:00Z

/// A mutable test clock shared with a ledger.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ start: Int64) { value = start }
    var now: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
    func set(_ iso: String) { now = try! Instant.parse(iso) }
}

/// What a test's ledger starts with, every object under the caller's ID.
struct Catalog: Sendable {
    var customers: [CustomerParams] = []
    var meters: [MeterParams] = []
    var products: [ProductParams] = []
    var prices: [PriceParams] = []

    /// Customers named after their IDs.
    static func customers(_ ids: [String]) -> [CustomerParams] { ids.map { CustomerParams(id: .init($0), name: $0) } }

    /// Customer `cus_1`, meter `mtr_tokens` (event `tokens`), product `prod_1` and its monthly
    /// metered price `price_tokens` at one cent a token: the credits suites' catalog.
    static let tokens = Catalog(
        customers: Self.customers(["cus_1"]),
        meters: [.init(id: "mtr_tokens", displayName: "Tokens", eventName: "tokens")],
        products: [.init(id: "prod_1", name: "Product")],
        prices: [.monthly("price_tokens", of: "prod_1", meter: "mtr_tokens", .unit("1"))])

    /// The same catalog with `ids` as its only customers (named after their IDs).
    func with(customers ids: [String]) -> Catalog {
        var catalog = self
        catalog.customers = Self.customers(ids)
        return catalog
    }
}

extension PriceParams {
    /// A monthly price of `product`: licensed, or metered on `meter` when one is given.
    static func monthly(
        _ id: String, of product: Product.ID, meter: Meter.ID? = nil, currency: Currency = try! Currency(code: "usd"),
        _ scheme: PricingScheme
    ) -> PriceParams {
        PriceParams(
            id: .init(id), product: product, currency: currency, kind: .recurring,
            recurring: .init(
                interval: .month, intervalCount: 1, usageType: meter == nil ? .licensed : .metered,
                meter: meter),
            scheme: scheme)
    }
}

extension PricingScheme {
    /// Per unit at `amount` minor units (a decimal), without a package.
    static func unit(_ amount: String) -> PricingScheme {
        .perUnit(unitAmount: ExactDecimal(parsing: amount)!, transform: nil)
    }
}

/// A ledger on a `TestClock` (a new one of the suites' backend, the one at `location`, or the
/// file at `path`) holding a `Catalog`.
struct World {
    let ledger: Ledger
    let clock: TestClock
    let customers: [Customer]
    let meters: [Meter]
    let products: [Product]
    let prices: [Price]

    init(_ catalog: Catalog, location: TestBackend.Location? = nil, path: String? = nil, at start: Int64 = jan1)
        throws
    {
        let clock = TestClock(start)
        let ledger: Ledger
        if let path {
            ledger = try Ledger(path: path, clock: { clock.now })
        } else if let location {
            ledger = try location.open(clock: { clock.now })
        } else {
            ledger = try TestBackend.ledger(clock: { clock.now })
        }
        self.ledger = ledger
        self.clock = clock
        customers = try catalog.customers.map { try ledger.createCustomer($0) }
        meters = try catalog.meters.map { try ledger.createMeter($0) }
        products = try catalog.products.map { try ledger.createProduct($0) }
        prices = try catalog.prices.map { try ledger.createPrice($0) }
    }

    /// The first customer, meter and product of the catalog.
    var customer: Customer { customers[0] }
    var meter: Meter { meters[0] }
    var product: Product { products[0] }

    /// The catalog's price `id`.
    func price(_ id: Price.ID) -> Price { prices.first { $0.id == id }! }

    /// The licensed and the metered price of the suites that bill a subscription.
    var licence: Price { price("price_licence") }
    var usage: Price { price("price_usage") }

    /// One more monthly price of the first product: `unit` minor units a unit of the first meter.
    func meteredPrice(_ id: String, unit: String, currency: Currency = try! Currency(code: "usd")) throws -> Price {
        try ledger.createPrice(.monthly(id, of: product.id, meter: meter.id, currency: currency, .unit(unit)))
    }

    /// Records `value` of `event` (default: the first meter's) for `customer` (default: the first
    /// one) at `iso`, written at `recordedAt` (default: `iso`). The clock moves there only when that
    /// is later than now: it never goes back, and a write before what the ledger processed is
    /// refused with clock_regression.
    @discardableResult
    func record(
        _ value: String, event: String? = nil, customer: Customer.ID? = nil, at iso: String,
        recordedAt: String? = nil, id: String? = nil
    ) throws -> (outcome: RecordOutcome, event: MeterEvent) {
        clock.now = max(clock.now, try Instant.parse(recordedAt ?? iso))
        return try ledger.record(
            EventSubmission(
                eventName: event ?? meter.eventName, identifier: id, timestamp: try Instant.parse(iso),
                customer: customer ?? self.customer.id,
                value: try ExactDecimal.quantity(value, param: "value", allowNegative: true)))
    }
}

/// A unique temporary directory, removed by the caller with `cleanup()`.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The code of the `LedgerError` that `body` throws; nil when it succeeds (`storage_error` for
/// any other error, which no test expects).
func code(_ body: () throws -> Void) -> LedgerError.Code? {
    do {
        try body()
        return nil
    } catch let error as LedgerError {
        return error.code
    } catch {
        return .storage
    }
}
