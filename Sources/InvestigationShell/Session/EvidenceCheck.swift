import ExchangeEvidence

/// Tells the user when mapped evidence changed on disk under the session.
///
/// Loaded files are mapped, not copied (see `EvidenceBytes`). A file truncated, rewritten or replaced while
/// the session runs no longer matches its recorded SHA-256, and lines past a truncation read as empty. Before
/// a command that reads raw bytes in bulk the shell compares every mapped file's size, modification time and
/// inode with the load's; after any command that touched a page past a file's new end (absorbed, not fatal)
/// it does the same. Each changed file is reported once, on stderr and in `sources --problems`.
struct EvidenceCheck {
    let session: Session
    private let faultsBefore = EvidenceBytes.absorbedFaults

    init(session: Session) { self.session = session }

    func reportChangedFiles() {
        for file in session.store.filesChangedSinceLoad() {
            let why = file.changedSinceLoad ?? "changed since it was loaded"
            session.output.diagnostic("warning: \(TerminalText.escape(file.path)) \(TerminalText.escape(why)); "
                                      + "its recorded SHA-256 no longer describes it (reload it, or use load --copy for evidence that may change)\n")
        }
    }

    func afterCommand() {
        guard EvidenceBytes.absorbedFaults != faultsBefore else { return }
        reportChangedFiles()
    }
}
