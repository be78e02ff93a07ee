import FuzzSupport

// fuzz-seeds: Tests/ExchangeEvidenceTests/Fixtures/listings Tests/ExchangeDetectionTests/Fixtures/files/EX01/listings
/// PowerShell `Export-Csv` listings: `Get-ChildItem` file listings and `Get-FileHash` hash lists.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.evidence(data, size, path: "EX01/listings/files.csv")
}

@_cdecl("CSVListings_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
