import Foundation

/// Splits a JSON array into its elements' byte ranges without parsing them, so that each element can be
/// decoded on its own: one malformed STIX object or feed row is reported with its line while the others
/// still load, and every element knows the line it starts on.
enum JSONElements {
    /// Ranges of the top-level elements of the array starting at `open` (the offset of `[`).
    /// Stops at the closing `]` or at the end of the input (a truncated array yields what it has).
    static func elements(of bytes: [UInt8], arrayAt open: Int) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start: Int?
        var i = open + 1
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
            } else {
                switch c {
                case 0x22:
                    inString = true
                    if start == nil { start = i }
                case 0x7B, 0x5B:  // { [
                    if start == nil { start = i }
                    depth += 1
                case 0x7D, 0x5D:  // } ]
                    if depth == 0 {
                        if let s = start { out.append(s..<trimEnd(bytes, s, i)) }
                        return out
                    }
                    depth -= 1
                case 0x2C where depth == 0:  // ,
                    if let s = start { out.append(s..<trimEnd(bytes, s, i)) }
                    start = nil
                case 0x20, 0x09, 0x0A, 0x0D:
                    break
                default:
                    if start == nil { start = i }
                }
            }
            i += 1
        }
        if let s = start { out.append(s..<bytes.count) }
        return out
    }

    /// Offset of the `[` that opens the value of `"key"` (first occurrence), or nil.
    static func arrayValue(of key: String, in bytes: [UInt8]) -> Int? { arrayValues(of: key, in: bytes, first: true).first }

    /// Offsets of the `[` that open the values of `"key"`, every occurrence in file order (or the first only).
    static func arrayValues(of key: String, in bytes: [UInt8], first: Bool = false) -> [Int] {
        var out: [Int] = []
        var from = 0
        while let k = LineLocator.find("\"\(key)\"", in: bytes, from: from) {
            var i = k + key.utf8.count + 2
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            if i < bytes.count, bytes[i] == UInt8(ascii: ":") {
                i += 1
                while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
                if i < bytes.count, bytes[i] == UInt8(ascii: "[") {
                    out.append(i)
                    if first { break }
                }
            }
            from = k + 1
        }
        return out
    }

    /// Parses one JSON value, or returns the parser's complaint with the line it points at.
    static func parse(_ bytes: ArraySlice<UInt8>, baseOffset: Int, locator: LineLocator) -> Result<Any, IOCLoadProblemText> {
        do {
            return .success(try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]))
        } catch {
            let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            var line = locator.line(at: baseOffset)
            if let r = text.range(of: #"character (\d+)"#, options: .regularExpression) {
                let digits = text[r].split(separator: " ").last.flatMap { Int($0) } ?? 0
                line = locator.line(at: baseOffset + digits)
            } else if text.contains("end of file") {
                // Cut short: the parser names no character, and the place it stopped is the end (reviewer: line 1).
                line = locator.line(at: baseOffset + max(0, bytes.count - 1))
            }
            return .failure(IOCLoadProblemText(line: line, message: "malformed JSON (\(text))"))
        }
    }

    private static func trimEnd(_ b: [UInt8], _ s: Int, _ e: Int) -> Int {
        var e = e
        while e > s, [0x20, 0x09, 0x0A, 0x0D].contains(b[e - 1]) { e -= 1 }
        return e
    }
}

/// A problem message and its line, before the file name is attached.
struct IOCLoadProblemText: Error {
    var line: Int
    var message: String
}
