import FuzzSupport

// fuzz-seeds: Tests/ExchangeEvidenceTests/Fixtures/httpproxy Tests/ExchangeEvidenceTests/Fixtures/ecp Tests/ExchangeEvidenceTests/Fixtures/iis Tests/ExchangeEvidenceTests/Fixtures/oab Tests/ExchangeEvidenceTests/Fixtures/iis-native Tests/ExchangeEvidenceTests/Fixtures/siem
/// Exchange CSV logs (HttpProxy, ECP, OAB), IIS W3C and IIS-format logs, SIEM CSV exports and plain text, read as `load` reads them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.evidence(data, size, path: "EX01/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG")
}

@_cdecl("TextLogs_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
