/// The fallback for any text file no other reader claims: every line becomes an event, so nothing readable
/// is dropped and `grep-ioc --raw`, `timeline --contains` and `show` still reach it. The time is taken from
/// an ISO timestamp at the start of the line when there is one.
public struct PlainTextReader: EvidenceReader {
    public init() {}
    public var name: String { "text" }
    public var readsText: Bool { true }

    public func score(path: String, head: UnsafeRawBufferPointer) -> Int { 1 }

    public func read(_ input: ReaderInput, into out: inout ReaderOutput) {
        let lower = input.path.lowercased()
        out.kind = lower.contains("oabgeneratorlog") ? .oabGenerator : .text
        out.channel = ExchangeCSVReader.channel(forPath: input.path)
        let schema = out.batch.addSchema(FieldSchema(format: .plain, names: ["line"]))
        var scanner = LineScanner(input.bytes)
        while let (off, len) = scanner.next() {
            if len == 0 { continue }
            let line = UnsafeRawBufferPointer(rebasing: input.bytes[off..<(off + len)])
            LineChecks.check(line, number: scanner.lineNumber, problems: &out.problems)
            out.batch.append(offset: off, length: len, line: scanner.lineNumber, time: LineChecks.leadingTime(line), schema: schema)
            // The OAB generator's download path is the file the exploit wrote: a path indicators are looked for in
            // (`grep-ioc` reads `url_stem`; ECS maps it to `file.path`), as a listing's path is.
            if out.kind == .oabGenerator, let path = OABGeneratorLine.downloadPath(in: line) { out.batch.set(.urlStem, path) }
        }
    }
}
