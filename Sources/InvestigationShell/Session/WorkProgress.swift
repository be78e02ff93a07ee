/// How far a long command (an export of millions of events) has got, for a progress display on stderr.
/// Loads report `LoadProgress`; other long work reports this.
public struct WorkProgress: Sendable {
    /// What is being done, e.g. `export timeline`.
    public var label: String
    public var done: Int
    public var total: Int
    /// What `done` and `total` count, e.g. `events`.
    public var unit: String
    /// True for the last report (complete or interrupted).
    public var finished = false

    public init(label: String, done: Int, total: Int, unit: String, finished: Bool = false) {
        self.label = label
        self.done = done
        self.total = total
        self.unit = unit
        self.finished = finished
    }
}
