import FuzzSupport

// fuzz-seeds: zip:Tests/ExchangeEvidenceTests/Fixtures/httpproxy zip:Tests/ExchangeEvidenceTests/Fixtures/listings
/// Zipped evidence sets: the walk, member bounds and every member read as `load` reads it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.zip(data, size)
}

@_cdecl("Zip_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
