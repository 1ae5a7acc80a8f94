/// What is sold; prices hang from it.
public struct Product: Hashable, Sendable {
    public typealias ID = Identifier<Product>
    public static let idPrefix = "prod"

    public var id: ID
    public var name: String
    public var description: String?
    public var active: Bool
    public var metadata: [String: String]
    public var created: Int64

    public init(
        id: ID, name: String, description: String?, active: Bool, metadata: [String: String],
        created: Int64
    ) {
        self.id = id
        self.name = name
        self.description = description
        self.active = active
        self.metadata = metadata
        self.created = created
    }
}
