import ArgumentParser
import Foundation

/// `ledger completions bash|zsh|fish`: the shell's completion script for every command and
/// option, generated from the command tree (so it never lags behind a new flag).
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the completion script for a shell: bash, zsh or fish.",
        discussion: """
            bash: ledger completions bash > /etc/bash_completion.d/ledger
            zsh:  ledger completions zsh > "${fpath[1]}/_ledger"
            fish: ledger completions fish > ~/.config/fish/completions/ledger.fish
            """)

    /// The shells ArgumentParser writes scripts for.
    enum Shell: String, CaseIterable, Sendable {
        case bash, zsh, fish
    }

    @ParentCommand var root: LedgerCommand
    @Argument(help: "The shell.") var shell: Choice<Shell>

    func validate() throws {
        try Refusal.check(Self.self, root) { _ = try self.shell.value(param: "shell") }
    }

    func run() throws {
        guard let kind = CompletionShell(rawValue: shell.text) else {
            preconditionFailure("ArgumentParser writes bash, zsh and fish scripts")
        }
        print(LedgerCommand.completionScript(for: kind), terminator: "")
    }
}
