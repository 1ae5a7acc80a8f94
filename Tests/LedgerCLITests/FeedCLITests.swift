import Foundation
import Testing

/// `ledger events-feed list`: the feed read page by page after a cursor, filtered by type.
@Suite struct FeedCLITests {
    @Test("events-feed list: pages after a cursor see every event once; --type filters; refusals change nothing")
    func pagesAndRefusals() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_licence", "price_payg"], id: "sub_f")
        try usage(db, "alpaca_ai_tokens", "cus_1", 3000, id: "e-1")
        try bill(db, now: "2026-02-01T01:00:00Z", created: 1, finalized: 1)
        let now = "2026-02-01T01:00:00Z"
        let all = try listData(["events-feed", "list"], db, now: now)
        let types = all.map { $0["type"] as? String ?? "?" }
        // The fixture's three customers, then the subscription and its first invoice, the boundary.
        #expect(
            types == [
                "customer.created", "customer.created", "customer.created", "customer.subscription.created",
                "invoice.created", "invoice.finalized", "customer.subscription.updated", "invoice.created",
                "invoice.finalized",
            ], "\(types)")
        #expect(
            all.allSatisfy { ($0["id"] as? String)?.hasPrefix("evt_") == true && $0["object"] as? String == "event" })
        let finalized = try #require(all.last)
        #expect(int64(finalized["created"]) == at("2026-02-01T01:00:00Z"), "\(finalized)")
        let invoice = try #require(path(finalized, "data.object") as? [String: Any])
        #expect(invoice["status"] as? String == "open" && int64(invoice["amount_due"]) == 10_000 + 120, "\(invoice)")

        // Two at a time after the last one seen: the same events, each once; has_more until the end.
        var seen: [String] = []
        var cursor: String?
        while true {
            let page = try ok(
                ["events-feed", "list", "--limit", "2"] + (cursor.map { ["--after", $0] } ?? []), db: db, now: now)
            let data = try #require(page["data"] as? [[String: Any]])
            seen += data.compactMap { $0["id"] as? String }
            guard let last = data.last?["id"] as? String else { break }
            #expect(page["has_more"] as? Bool == (seen.count < all.count), "\(seen.count): \(page)")
            cursor = last
        }
        #expect(seen == all.compactMap { $0["id"] as? String })

        let created = try listData(["events-feed", "list", "--type", "invoice.created"], db, now: now)
        #expect(created.count == 2 && created.allSatisfy { $0["type"] as? String == "invoice.created" })
        let human = run(["events-feed", "list", "--type", "invoice.finalized"], db: db, now: now, json: false)
        #expect(human.status == 0 && humanRows(human.stdout).count == 3, "\(human.stdout)")

        try rejected(
            ["events-feed", "list", "--after", "evt_nope"], db: db, codes: [65], code: "resource_missing", now: now)
        try rejected(["events-feed", "list", "--limit", "0"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(["events-feed", "list", "--limit", "-5"], db: db, codes: [65], code: "invalid_request", now: now)
        try rejected(
            ["events-feed", "list", "--type", "invoice.exploded"], db: db, codes: [65], code: "invalid_request",
            now: now)
    }
}
