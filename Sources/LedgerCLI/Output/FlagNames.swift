/// The command-line flag behind a Stripe parameter named by an error, so that a refusal names
/// both: `error: invalid_request: --end (end_time): …`.
enum FlagNames {
    /// Parameters whose flag is not the parameter's name with dashes.
    private static let irregular: [String: String] = [
        "end_time": "--end", "start_time": "--start", "pending_invoice_items_behavior": "--pending-items",
        "value_settings.event_payload_key": "--value-key", "customer_mapping.event_payload_key": "--customer-key",
        "default_aggregation.formula": "--aggregation", "grace": "--grace-period", "transform_quantity": "--divide-by",
        "applicability_config.scope": "--scope", "applicability_config.scope.prices": "--scope-price",
        "credit_grant": "--grant", "items": "--item", "tiers": "--tier",
    ]

    /// `items[2].price` → `--item`, `tiers[0].up_to` → `--tier`, `metadata[plan]` → `--metadata`,
    /// `unit_amount_decimal` → `--unit-amount-decimal`.
    static func flag(for param: String) -> String {
        let base = String(param.prefix { $0 != "[" })
        if let flag = irregular[base] { return flag }
        let head = base.prefix { $0 != "." }
        return "--" + head.replacingOccurrences(of: "_", with: "-")
    }

    /// `message` led by the flag and the parameter when the flag was given on the command line
    /// (`arguments`) and the message does not name it already; else `message` as it is.
    static func naming(_ param: String?, in message: String, arguments: [String]) -> String {
        guard let param else { return message }
        let flag = flag(for: param)
        let given = arguments.prefix { $0 != "--" }.contains { $0 == flag || $0.hasPrefix(flag + "=") }
        guard given, !message.contains(flag) else { return message }
        return "\(flag) (\(param)): \(message)"
    }
}
