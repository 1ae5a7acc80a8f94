import Foundation

/// What a command produces: JSON for `--json`, and text for people.
struct Output {
    var json: JSON
    var human: String
    var status: Int32 = 0
    /// The command already wrote its output (`export` streams rows): nothing more is printed.
    var streamed = false

    func print(json asJSON: Bool) {
        print(text: asJSON ? json.render() : Human.escapingControls(human, keepingLineBreaks: true))
    }

    /// Prints `text` as it is: JSON, or human text already passed through `Human.escapingControls`.
    func print(text: String) {
        Swift.print(text)
        if status != 0 { Foundation.exit(status) }
    }
}
