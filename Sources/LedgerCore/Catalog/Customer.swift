/// Someone who is billed: the owner of subscriptions, invoices and credit grants.
public struct Customer: Hashable, Sendable {
    public typealias ID = Identifier<Customer>
    public static let idPrefix = "cus"

    public var id: ID
    public var name: String?
    public var email: String?
    public var metadata: [String: String]
    /// Unix seconds.
    public var created: Int64

    public init(
        id: ID, name: String?, email: String?, metadata: [String: String], created: Int64
    ) {
        self.id = id
        self.name = name
        self.email = email
        self.metadata = metadata
        self.created = created
    }
}

// Stored as they were by the event feed (FeedEvent.Object).
extension Customer: Codable {}
