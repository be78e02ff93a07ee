import Foundation

/// Paths of the IOC test fixtures (`Tests/ExchangeDetectionTests/Fixtures/IOC`), found from this file.
enum IOCFixtures {
    static let directory: String = {
        let here = URL(fileURLWithPath: #filePath)
        return here.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("IOC").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }
}
