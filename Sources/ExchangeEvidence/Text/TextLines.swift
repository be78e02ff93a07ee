extension StringProtocol {
    /// The lines of a text, ended by LF or CRLF, empty ones kept. `"\r\n"` is one Character to Swift, so
    /// `split(separator: "\n")` leaves a Windows-edited file one line: every reader of line-based text (command
    /// files, mapping and rule files, classic event text) splits here.
    public func textLines() -> [SubSequence] {
        split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }
}
