import FuzzSupport

// fuzz-seeds: Tests/ExchangeEvidenceTests/Fixtures/eventlog Tests/ExchangeDetectionTests/Fixtures/hostlogs Tests/ExchangeDetectionTests/Fixtures/hostlogs-4688
/// Windows events exported as XML (`wevtutil qe /f:xml`, RenderedXml, an `<Events>` root).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.evidence(data, size, path: "EX01/eventlogs/security.xml")
}

@_cdecl("EventXML_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
