@testable import ExchangeEvidence
import Foundation
import TestSupport
import Testing

/// pyevtx-rs (omerbenamram's Rust parser, `pip install evtx`) as an independent oracle: `scripts/evtx-oracle`
/// prints each record normalised to `EventRecordID EventID TimeCreated(µs) values…`; `lines(of:)` prints
/// exhunt's records the same way.
enum EvtxOracle {
    /// True when python3 can import `evtx`; oracle tests are skipped with a message otherwise.
    static let available: Bool = {
        (try? run(["python3", "-c", "import evtx"]))?.status == 0
    }()

    static func run(_ args: [String]) throws -> (status: Int32, output: String) {
        let r = try Subprocess.run(args[0], Array(args.dropFirst()), timeout: 300)
        return (r.status, r.stdout)
    }

    /// The oracle's lines for a file.
    static func expected(_ path: String) throws -> [String] {
        let script = Fixtures.packageRoot.appendingPathComponent("scripts/evtx-oracle").path
        let (status, out) = try run(["python3", script, path])
        try #require(status == 0, "scripts/evtx-oracle failed on \(path) (status \(status))")
        return out.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// exhunt's records (not the recovered ones) in the oracle's form.
    static func actual(_ out: ReaderOutput) -> [String] {
        guard let rendered = out.rendered else { return [] }
        var lines: [String] = []
        rendered.withUnsafeBytes { all in
            for k in 0..<out.batch.count {
                let s = out.batch.offsets[k], n = Int(out.batch.lengths[k])
                let pairs = KeyValueLine.split(UnsafeRawBufferPointer(rebasing: all[s..<(s + n)]))
                if pairs.contains(where: { $0.name == "Recovered" }) { continue }
                func v(_ name: String) -> String { pairs.first { $0.name == name }?.value ?? "" }
                var fields = [v("EventRecordID"), v("EventID"), micro(v("TimeCreated"))]
                for (name, value) in pairs.dropFirst(WindowsEvent.systemKeys.count) { _ = name; fields.append(normalise(value)) }
                lines.append(fields.map(KeyValueLine.escape).joined(separator: "\t"))
            }
        }
        return lines
    }

    /// Times cut to microseconds (the oracle's precision), GUIDs without braces.
    static func normalise(_ v: String) -> String {
        if v.count == 38, v.first == "{", v.last == "}", v.filter({ $0 == "-" }).count == 4 { return String(v.dropFirst().dropLast()) }
        if v.count >= 21, v.hasSuffix("Z"), v.dropFirst(19).first == ".", Timestamp.parse(v) != nil { return micro(v) }
        return v
    }

    static func micro(_ t: String) -> String {
        guard t.count > 20, let dot = t.firstIndex(of: ".") else { return t }
        let frac = t[t.index(after: dot)...].prefix { $0.isNumber }
        return String(t[..<dot]) + "." + String((frac + "000000").prefix(6)) + "Z"
    }
}
