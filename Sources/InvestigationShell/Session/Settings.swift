import Foundation

/// Session settings changed with `set NAME VALUE`.
public struct Settings: Sendable {
    public enum OutputMode: String, CaseIterable, Sendable { case table, json }
    public var output: OutputMode = .table
    /// Each JSON document on one line (`exhunt --json`: a stream of JSON lines, one per command).
    public var jsonLines = false
    /// IANA zone for displaying times; storage and JSON stay UTC.
    public var timezone: TimeZone = TimeZone(identifier: "UTC")!
    /// The zone as the user named it (Foundation reports UTC as "GMT").
    public var timezoneName = "UTC"
    /// Print each command's run time on stderr (sqlite3's `.timer on`).
    public var timer = false
    /// Colour on a terminal unless `NO_COLOR` is set.
    public var color = false
}
