import FuzzSupport

// fuzz-seeds: Fuzz/Seeds/sigma
/// Sigma rule files (YAML, several documents), run over a small store of requests and process events.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Fuzz.sigma(data, size)
}

@_cdecl("SigmaRules_main")
public func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt { Fuzz.main(argc, argv, fuzz) }
