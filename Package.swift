// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Ledger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LedgerKit", targets: ["LedgerKit"]),
        .executable(name: "ledger", targets: ["LedgerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // Pure domain: values in, values out. No storage, no I/O.
        .target(name: "LedgerCore"),
        // The library host apps link: storage (SQLite through GRDB, PostgreSQL through
        // postgres-nio) and the business operations.
        .target(
            name: "LedgerKit",
            dependencies: [
                "LedgerCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `ledger` command-line tool, a thin layer over LedgerKit.
        .executableTarget(
            name: "LedgerCLI",
            dependencies: [
                "LedgerKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The benchmark: ledger figures beside raw SQLite in the same run (Tools/Bench).
        .executableTarget(
            name: "ledger-bench",
            dependencies: [
                "LedgerKit",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Tools/Bench"
        ),
        // The library threads of the concurrency stress tool (Tools/stress.py, Tools/Stress).
        .executableTarget(
            name: "ledger-stress",
            dependencies: ["LedgerKit"],
            path: "Tools/Stress"
        ),
        .testTarget(
            name: "LedgerCoreTests",
            dependencies: [
                "LedgerCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "LedgerKitTests",
            dependencies: [
                "LedgerKit",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "LedgerCLITests",
            dependencies: ["LedgerKit", "LedgerCLI"]
        ),
    ]
)
