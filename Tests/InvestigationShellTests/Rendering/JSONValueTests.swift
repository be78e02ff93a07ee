@testable import InvestigationShell
import Testing

/// A streamed document reads exactly as the one built in memory, whatever pieces it was written in and however
/// many cores made its `.items`.
@Suite struct JSONValueTests {
    /// A document like a hunt's: an object holding a long array of objects made on demand, with text to escape.
    static func document(_ count: Int) -> JSONValue {
        .object([
            ("findings", .items(JSONItems(count: count) { i in
                .object([("id", .string("F\(i + 1)")), ("events", .array([.int(i), .int(i + 1)])),
                         ("summary", .string(i % 7 == 0 ? "ua \u{1B}[31m \"q\" \\ \(i)" : "plain \(i)")), ("empty", .items(JSONItems(count: 0) { _ in .null }))])
            })),
            ("total", .int(count)), ("seconds", .double(0.5)),
        ])
    }

    /// The same document with its items made up front, as `.array`.
    static func eager(_ count: Int) -> JSONValue {
        guard case .object(let pairs) = document(count), case .items(let items) = pairs[0].1 else { fatalError() }
        return .object([("findings", .array((0..<count).map(items.item)))] + pairs.dropFirst())
    }

    @Test(arguments: [0, 1, OrderedBlocks.block - 1, OrderedBlocks.block * 3 + 5, OrderedBlocks.block * 40 + 1])
    func streamedEqualsBuiltInMemory(count: Int) {
        for pretty in [true, false] {
            var pieces: [String] = []
            Self.document(count).stream(pretty: pretty) { pieces.append($0) }
            let whole = pretty ? Self.eager(count).pretty() : Self.eager(count).serialized()
            #expect(pieces.joined() == whole + "\n")
            // Pieces are handed over once they pass the piece size, never grown to the whole document.
            #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= JSONWriter.piece && $0.utf8.count < JSONWriter.piece * 4 })
        }
    }

    @Test func escapesTerminalControlsInStreamedItems() {
        var text = ""
        Self.document(8).stream(pretty: false) { text += $0 }
        #expect(!text.contains("\u{1B}"))
        #expect(text.contains(#"ua \u001b[31m \"q\" \\ 0"#))
    }
}
