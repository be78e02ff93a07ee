import FuzzSupport

// fuzz-seeds: Tests/ExchangeDetectionTests/Fixtures/IOC Sources/ExchangeDetection/Resources/iocs
/// Indicator files: STIX 2 bundles, MISP events, MSTIC CSV/JSON feeds, plain lists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.indicators(data, size)
}

@_cdecl("IOCFiles_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
