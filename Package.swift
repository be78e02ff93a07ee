// swift-tools-version:6.0
import PackageDescription

/// Release builds skip the run-time exclusivity checks on class properties (the compile-time ones stay, and debug
/// builds, which the tests use, keep them): the hot loops of load and hunt read store columns held by classes, and
/// the checks took a third of a Sigma table build (1,500 rules: tables 2.3 -> 1.45 s, whole pass 4.4 -> 2.8 s).
let releaseSpeed: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Dependencies point one way: exhunt → InvestigationShell → ExchangeDetection → ExchangeEvidence.
let package = Package(
    name: "exhunt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "exhunt", targets: ["exhunt"]),
        .library(name: "ExchangeEvidence", targets: ["ExchangeEvidence"]),
        .library(name: "ExchangeDetection", targets: ["ExchangeDetection"]),
        .library(name: "InvestigationShell", targets: ["InvestigationShell"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries (Debian: libedit-dev, libssl-dev, libyara-dev, zlib1g-dev).
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CYara", pkgConfig: "yara", providers: [.apt(["libyara-dev"])]),
        .systemLibrary(name: "CLibz", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // Read-only mappings of evidence that survive a file shrinking under them (C: a SIGBUS handler).
        .target(name: "CMappedEvidence"),
        // The per-line separator scan (C: SSE2 comparisons turned into bit masks, which Swift cannot express).
        .target(name: "CLineScan"),

        // Core libraries
        .target(
            name: "ExchangeEvidence",
            dependencies: ["CCrypto", "CLibz", "CDeflate", "CMappedEvidence", "CLineScan"],
            swiftSettings: releaseSpeed),
        .target(
            name: "ExchangeDetection",
            dependencies: ["ExchangeEvidence", "CYara", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources")],
            swiftSettings: releaseSpeed),
        .target(
            name: "InvestigationShell",
            dependencies: ["ExchangeEvidence", "ExchangeDetection", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: releaseSpeed),
        .executableTarget(
            name: "exhunt",
            dependencies: [
                "InvestigationShell", "CEditLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests mirror the sources; TestSupport runs helper programs with a deadline, so no test can hang a run.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "ExchangeEvidenceTests",
            dependencies: ["ExchangeEvidence", "CLibz", "TestSupport",
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"]),
        .testTarget(name: "ExchangeDetectionTests", dependencies: ["ExchangeDetection", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "InvestigationShellTests", dependencies: ["InvestigationShell", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "EndToEndTests", dependencies: ["exhunt", "TestSupport"], exclude: ["Scripts"]),
    ],
    swiftLanguageModes: [.v5]
)
