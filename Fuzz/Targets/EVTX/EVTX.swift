import FuzzSupport

// fuzz-seeds: ../shared/fixtures/evtx
/// Windows `.evtx` event logs (the EVTX reader only; other bytes fall through to the text readers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.evidence(data, size, path: "EX01/eventlogs/Security.evtx")
}

@_cdecl("EVTX_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
