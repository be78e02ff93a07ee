import ExchangeEvidence

/// The events a finding rests on, in time order: a run of a list that many findings share. A Sigma hunt has
/// millions of findings of two or three events each; one list per rule and table instead of one array per
/// finding saves millions of allocations (and the fresh pages they fault in).
public struct FindingEvents: RandomAccessCollection, Hashable, Sendable, ExpressibleByArrayLiteral {
    private let list: [EventID]
    private let start: Int32
    private let length: Int32

    /// All of `events`.
    public init(_ events: [EventID]) {
        list = events
        precondition(events.count <= Int(Int32.max))
        start = 0
        length = Int32(events.count)
    }

    /// `range` of `list`, which other findings may share.
    public init(_ list: [EventID], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= list.count && range.upperBound <= Int(Int32.max))
        self.list = list
        start = Int32(range.lowerBound)
        length = Int32(range.count)
    }

    public init(arrayLiteral elements: EventID...) { self.init(elements) }

    public var count: Int { Int(length) }
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public subscript(i: Int) -> EventID {
        precondition(i >= 0 && i < count, "FindingEvents index out of range")
        return list[Int(start) + i]
    }

    /// The events as an array (a copy unless the finding owns its whole list).
    public var array: [EventID] { start == 0 && count == list.count ? list : Array(list[Int(start)..<(Int(start) + count)]) }

    public static func == (a: FindingEvents, b: FindingEvents) -> Bool { a.elementsEqual(b) }
    public func hash(into h: inout Hasher) {
        h.combine(count)
        for e in self { h.combine(e) }
    }
}
