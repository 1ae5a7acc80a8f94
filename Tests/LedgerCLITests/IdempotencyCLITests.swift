import Foundation
import Testing

@Suite("idempotency keys through the binary")
struct IdempotencyCLITests {
    @Test func aRepeatedKeyReplaysTheFirstResponseAndLeavesTheFileUnchanged() throws {
        let sb = try Sandbox()
        let db = sb.path("l.sqlite")
        let first = run(["--idempotency-key", "key-1", "customers", "create", "--name", "A"], db: db)
        #expect(first.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let again = run(["--idempotency-key", "key-1", "customers", "create", "--name", "A"], db: db)
        #expect(again.status == 0)
        #expect(again.stdout == first.stdout)
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let other = run(["--idempotency-key", "key-1", "customers", "create", "--name", "B"], db: db)
        #expect(other.status == 65)
        #expect(other.stderr.contains("idempotency_key_reused"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        let list = run(["customers", "list"], db: db)
        let data = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        #expect((data["data"] as? [Any])?.count == 1)
    }
}
