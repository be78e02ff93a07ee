/// Counts the server names in a log's first lines, so the file is named after the one most of them give.
///
/// Every line of a log repeats one name, so a name is compared as bytes with the few seen so far: no String
/// and no hashing per line, which a `[String: Int]` cost on every line of a collection's thousands of small
/// HttpProxy files. A tie goes to the name seen first, so a load names the same server every time (a
/// dictionary's order changes from run to run).
struct ServerTally {
    private var names: [[UInt8]] = []
    private var counts: [Int] = []

    /// Lines after this one are not counted: by then the file has said which server it is.
    static let lines = 256

    /// Counts `name` (a value of the log's server column; empty values are not names).
    @inline(__always)
    mutating func count(_ name: UnsafeRawBufferPointer) {
        guard name.count > 0 else { return }
        for i in names.indices where names[i].count == name.count
            && names[i].withUnsafeBytes({ memcmp($0.baseAddress!, name.baseAddress!, name.count) == 0 }) {
            counts[i] += 1
            return
        }
        names.append(Array(name))
        counts.append(1)
    }

    mutating func count(_ name: String) {
        var s = name
        s.withUTF8 { count(UnsafeRawBufferPointer($0)) }
    }

    /// The name counted most often, the first seen among equals; nil when none was counted.
    var leader: String? {
        guard var best = counts.indices.first else { return nil }
        for i in counts.indices where counts[i] > counts[best] { best = i }
        return String(decoding: names[best], as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
