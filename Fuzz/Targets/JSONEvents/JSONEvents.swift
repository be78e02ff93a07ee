import FuzzSupport

// fuzz-seeds: Tests/ExchangeEvidenceTests/Fixtures/json
/// Windows events as JSON (NXLog, winlogbeat, Velociraptor, Splunk, PowerShell, Timesketch), lines or arrays.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.evidence(data, size, path: "EX01/eventlogs/events.jsonl")
}

@_cdecl("JSONEvents_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
