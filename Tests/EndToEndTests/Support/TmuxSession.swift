import Foundation

/// The interactive shell in a real terminal emulator: tmux runs exhunt in a detached window of a fixed size,
/// keys are sent with `send-keys`, and the screen is read back with `capture-pane` (joined lines, as shown).
/// Each session has its own tmux server socket, killed at the end.
final class TmuxSession {
    private let socket = "exhunt-test-\(UUID().uuidString.prefix(8))"
    let width: Int

    /// Starts `exhunt arguments` with `environment` (colour on unless NO_COLOR is given; LESS and PAGER unset
    /// unless given) in a window `width` × `height`, in the repository root. `remain-on-exit` keeps the
    /// window after exhunt ends so its last screen can be read.
    init(width: Int = 120, height: Int = 30, arguments: [String] = [], environment: [String: String]) throws {
        self.width = width
        let env = ["TERM": "xterm-256color", "LANG": "C.UTF-8"].merging(environment) { $1 }
        var unset = ["LESS", "PAGER", "NO_COLOR"].filter { env[$0] == nil }.flatMap { ["-u", $0] }
        unset += env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let command = (["env"] + unset + [ExhuntProcess.binary.path] + arguments).map(Self.quote).joined(separator: " ")
        try tmux(["new-session", "-d", "-x", "\(width)", "-y", "\(height)", "-c", ExhuntProcess.repoRoot.path, command])
        try tmux(["set-option", "-g", "remain-on-exit", "on"])
        serverPID = Int32((try? tmux(["display-message", "-p", "#{pid}"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    }

    /// The tmux server's process: `kill-server` answered 0 yet left servers holding a dead pane running after
    /// test runs, so the server is also signalled directly.
    private var serverPID: Int32?

    deinit {
        _ = try? tmux(["kill-server"])
        if let serverPID, serverPID > 1 { kill(serverPID, SIGKILL) }
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @discardableResult
    func tmux(_ args: [String]) throws -> String {
        let r = try ExhuntProcess.run(["-L", socket] + args, executable: URL(fileURLWithPath: "/usr/bin/tmux"))
        return r.stdout
    }

    /// Types text (literally), or keys by tmux name (`Enter`, `C-c`, `C-d`, `q`).
    func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }
    func key(_ name: String) throws { try tmux(["send-keys", name]) }

    /// The visible screen, wrapped lines joined, trailing blanks trimmed.
    func screen() -> String { (try? tmux(["capture-pane", "-p", "-J"])) ?? "" }

    /// The screen with the scroll-back, as tmux shows it.
    func history() -> String { (try? tmux(["capture-pane", "-p", "-J", "-S", "-"])) ?? "" }

    /// Waits until `needle` appears `occurrences` times on the screen and scroll-back.
    @discardableResult
    func waitFor(_ needle: String, occurrences: Int = 1, timeout: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if history().components(separatedBy: needle).count - 1 >= occurrences { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// True once exhunt has ended (the pane is dead).
    func exited() -> Bool {
        ((try? tmux(["display-message", "-p", "#{pane_dead}"])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }
}
