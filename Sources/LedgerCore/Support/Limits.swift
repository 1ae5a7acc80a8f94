/// Every bound the ledger enforces, each with its reason, in one place.
public enum Limits {
    /// The first instant the ledger accepts: 1970-01-01T00:00:00Z (Unix seconds 0). Billing
    /// before the Unix epoch has no use, and negative seconds invite sign mistakes.
    public static let instantMin: Int64 = 0
    /// The last instant the ledger accepts: 9999-12-31T23:59:59Z. Four-digit years keep every
    /// instant printable as ISO 8601, and every period, grace and summary window near the bound
    /// far inside 64 bits, so time arithmetic on accepted instants cannot overflow.
    public static let instantMax: Int64 = 253_402_300_799
    /// Metadata keys per object (Stripe: 50).
    public static let metadataKeysMax = 50
    /// Characters in a metadata key (Stripe: 40).
    public static let metadataKeyLengthMax = 40
    /// Characters in a metadata value (Stripe: 500).
    public static let metadataValueLengthMax = 500
    /// Digits after the point in unit amounts, quantities and meter values (Stripe: 12).
    public static let fractionDigitsMax = 12
    /// Significant digits of a quantity or meter value (SPEC §1).
    public static let quantitySignificantDigitsMax = 15
    /// Significant digits of a unit or flat decimal amount. With 15-digit quantities the exact
    /// product stays within 38 digits, so pricing never loses a digit.
    public static let unitAmountSignificantDigitsMax = 20
    /// Tiers per price (Stripe: 250). Bounds the exact sum of tier amounts.
    public static let tiersMax = 250
    /// Characters of a caller-supplied ID (Stripe IDs are at most 255).
    public static let idLengthMax = 255
    /// Characters of a name, nickname, description or email.
    public static let textLengthMax = 5_000
    /// Characters of a lookup key (Stripe: 200).
    public static let lookupKeyLengthMax = 200
    /// Random base62 characters in a generated ID.
    public static let generatedIdLength = 24
    /// Bytes in one import line (NDJSON) or record (CSV): bounds memory per line.
    public static let importLineBytesMax = 64 * 1024
    /// Import lines parsed and held in memory at once: bounds the importer's memory.
    public static let importBatchSize = 10_000
    /// Events per transaction in a non-atomic import: an index page dirtied by many events of
    /// one transaction is written once, so larger transactions write far less (the benchmark
    /// measured about 2× the throughput of 10,000-event transactions), while the write lock is
    /// held for well under the 10-second busy timeout of other writers.
    public static let importTransactionSize = 50_000
    /// SQLite page cache per connection, in KiB: holds the index pages one import transaction
    /// dirties, so they are written once at commit instead of spilled and read back.
    public static let pageCacheKiB = 16_384
    /// How far back an event's timestamp may lie (Stripe: 35 days).
    public static let eventMaxAgeSeconds: Int64 = 35 * 86_400
    /// How far ahead an event's timestamp may lie (Stripe: 5 minutes).
    public static let eventMaxFutureSeconds: Int64 = 5 * 60
    /// Dimension keys per event (payload keys besides customer and value).
    public static let eventDimensionsMax = 50
    /// Characters of an event identifier.
    public static let eventIdentifierLengthMax = 255
    /// Seconds between a subscription period's end and the finalization of its invoice
    /// (Stripe: about an hour), so usage recorded shortly after the period still counts.
    public static let finalizationGraceSeconds: Int64 = 3_600
    /// The most days an invoice sent to the customer may give until it is due (ten years).
    public static let daysUntilDueMax: Int64 = 3_650
    /// The longest grace period a subscription may ask for (30 days).
    public static let finalizationGraceSecondsMax: Int64 = 30 * 86_400
    /// Steps (period closings, finalizations) per transaction of a billing run: amortizes the
    /// commit over many invoices while bounding the work redone after a failure.
    public static let billStepsPerTransaction = 2_000
    /// Periods of one subscription that one billing run (or a write's catch-up of due steps)
    /// closes unless asked for more (`bill --max-periods`): after a long gap or a clock that
    /// jumped, a daily subscription would otherwise write thousands of invoices unasked.
    public static let billPeriodsPerSubscriptionMax = 1_000
    /// Events per page of the event feed (Stripe's list limit).
    public static let feedPageMax = 100
    /// The most an allowance gives each period, and rolls over (minor units, 10^15): the grants
    /// of many periods open at once still sum within 64 bits.
    public static let allowanceAmountMax: Int64 = 1_000_000_000_000_000
    /// The most periods a rolled-over allowance grant covers (`--rollover-periods`).
    public static let rolloverPeriodsMax = 12
    /// Unused credit grants per customer (Stripe: 100).
    public static let unusedGrantsMax = 100
    /// Prices a grant may be scoped to (Stripe: 20).
    public static let grantScopePricesMax = 20
    /// Items per subscription (Stripe: 20).
    public static let subscriptionItemsMax = 20
    /// Recurring interval at most three years (Stripe): counts per interval unit.
    public static let intervalCountMax: [String: Int] = [
        "day": 3 * 365, "week": 156, "month": 36, "year": 3,
    ]
}
