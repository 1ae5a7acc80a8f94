import ArgumentParser
import LedgerKit

/// `true` or `false` typed on the command line (`--active false`), as a closed set so that
/// `--help` lists both and any other text is refused as a request (`invalid_request`, exit 65).
enum Toggle: String, CaseIterable, Sendable {
    case on = "true"
    case off = "false"

    var bool: Bool { self == .on }
}

/// `--metadata key=value` of an update: merged into what is stored, as Stripe does.
struct UpdateMetadataOptions: ParsableArguments {
    @Option(help: "A key=value pair to set (repeatable); an empty value (key=) removes the key; other keys stay.")
    var metadata: [String] = []

    /// The `--metadata` pairs as changes (an empty value removes its key).
    /// - Throws: `invalid_metadata` for an item without `=`, a repeated key, or a map over the limits.
    func changes() throws -> [String: String] { try KeyValues.metadata(metadata) }
}
