// swift-tools-version:6.0
import Foundation
import PackageDescription

// The fuzz targets: libFuzzer through SwiftPM (`scripts/fuzz` builds them with `-sanitize=fuzzer`).
// One executable per folder under Targets/, so adding a target is one small file: Targets/NAME/NAME.swift
// (copy one: it defines the test function and `NAME_main`, the entry SwiftPM expects, handing over to libFuzzer).
let targets = (try? FileManager.default.contentsOfDirectory(atPath: Context.packageDirectory + "/Targets"))?
    .filter { !$0.hasPrefix(".") }.sorted() ?? []
// A path dependency's identity is its folder's name (the clone's, the worktree's).
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "exhunt-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .target(name: "CLibFuzzer", path: "CLibFuzzer"),
        .target(name: "FuzzSupport",
                dependencies: ["CLibFuzzer",.product(name: "ExchangeEvidence", package: root),
                               .product(name: "ExchangeDetection", package: root)],
                path: "Support"),
    ] + targets.map { .executableTarget(name: $0, dependencies: ["FuzzSupport"], path: "Targets/\($0)") },
    swiftLanguageModes: [.v5]
)
