import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finds the files of an evidence set: a folder (walked recursively, zips inside it opened), a `.zip`
/// (read in place, never extracted to disk), or a single file.
struct EvidenceWalker {
    var problems: [DiscoveryProblem] = []
    var files: [PendingFile] = []
    /// Read files into memory rather than mapping them (`load --copy`).
    var copy = false
    /// What zips in this load may inflate in total.
    var budget = InflateBudget(limit: nil)
    /// The folders above the root that its files' paths were prefixed with (`ServerNaming.context`), if any.
    var context: String?
    /// The zips opened, by their path in the set, hashing themselves meanwhile.
    var zips: [(path: String, zip: ZipSource)] = []

    static func isZip(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let magic = [UInt8](h.readData(ofLength: 4))
        // A member's local header, or the end record alone: a zip with no members is a zip that adds nothing.
        return magic == [0x50, 0x4B, 0x03, 0x04] || magic == [0x50, 0x4B, 0x05, 0x06]
    }

    mutating func walk(root: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else {
            throw ReadFailure(description: "\(root): no such file or folder")
        }
        // A pipe (`load /dev/stdin`, `load <(…)`) or a device has no bytes to map, hash again or show later: it
        // read as an empty file and the load succeeded on nothing (reviewer). Checked before anything opens it
        // (opening a pipe no one writes to waits for ever).
        var st = stat()
        if !isDir.boolValue, stat(root, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            throw ReadFailure(description: "\(root): not a regular file (a pipe or a device); save it to a file and load that")
        }
        let isZipRoot = !isDir.boolValue && Self.isZip(root)
        if isDir.boolValue {
            walkDirectory(root)
        } else if isZipRoot {
            walkZip(root, prefix: "")
        } else if root.lowercased().hasSuffix(".zip") {
            // Named as the archive of a collection but not one (a 7z renamed, a text file): loading it as a log
            // gave one unreadable file and a clean exit (reviewer).
            throw ReadFailure(description: "\(root): named .zip but not a zip archive; unpack it with the tool that made it and load the folder")
        } else {
            addFile(absolute: root, relative: (root as NSString).lastPathComponent)
            for i in files.indices { files[i].isRoot = true }
        }
        if !isZipRoot, let context = ServerNaming.context(ofRoot: root, isFile: !isDir.boolValue) {
            for i in files.indices where ServerNaming.fromPath(files[i].path).name == nil {
                files[i].path = context + "/" + files[i].path
                files[i].namedFromAbove = true
                self.context = context
            }
        }
        files.sort { $0.path < $1.path }
    }

    /// One thing a folder walk met, in the order a depth-first walk meets it.
    private enum Found {
        case file(absolute: String, relative: String, stat: stat)
        case zip(absolute: String, relative: String)
        case problem(DiscoveryProblem)
    }

    /// Walks a folder depth-first. The root's own entries are listed first; its folders are then walked each on
    /// a core of its own (listing and `fstatat` of 17,000 files took 60 ms before any file could be read) and
    /// what they found is replayed in the order a single depth-first walk meets it (the last folder first), so
    /// files, problems and zip budgets come out exactly as from one walk.
    private mutating func walkDirectory(_ root: String) {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        var found: [Found] = []
        var folders: [String] = []
        Self.list(base: base, "", found: &found, folders: &folders)
        var trees = [[Found]](repeating: [], count: folders.count)
        trees.withUnsafeMutableBufferPointer { out in
            DispatchQueue.concurrentPerform(iterations: folders.count) { i in
                var tree: [Found] = []
                var stack = [folders[i]]
                while let rel = stack.popLast() { Self.list(base: base, rel, found: &tree, folders: &stack) }
                out[i] = tree
            }
        }
        for tree in trees.reversed() { found += tree }
        for f in found {
            switch f {
            case .file(let absolute, let relative, let st): addFile(absolute: absolute, relative: relative, stat: st)
            case .zip(let absolute, let relative): walkZip(absolute, prefix: relative)
            case .problem(let p): problems.append(p)
            }
        }
    }

    /// Lists folder `rel` of `base` in name order: files, zips and problems into `found`, subfolders onto `folders`.
    private static func list(base: String, _ rel: String, found: inout [Found], folders: inout [String]) {
        let dir = rel.isEmpty ? base : base + "/" + rel
        // readdir and fstatat relative to the open folder: no Foundation listing, no full path lookup per file.
        guard let handle = opendir(dir) else {
            found.append(.problem(DiscoveryProblem(path: rel.isEmpty ? "." : rel, message: "folder cannot be read: \(String(cString: strerror(errno)))")))
            return
        }
        defer { closedir(handle) }
        let dfd = dirfd(handle)
        var names: [String] = []
        while let entry = readdir(handle) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            // A name that is not UTF-8 (Latin-1 from an old share, a hostile name) has no exact String form, so
            // nothing could open it again by name: it is named, bytes escaped, instead of failing as "missing".
            guard let name = String(validating: bytes, as: UTF8.self) else {
                let shown = bytes.withUnsafeBytes { ControlCharacters.escapeBytes($0) }
                let r = rel.isEmpty ? shown : rel + "/" + shown
                found.append(.problem(DiscoveryProblem(path: r, message: "name is not UTF-8 (those bytes are shown as \\xNN); not loaded: "
                                                       + "rename it to UTF-8 (convmv -f latin1 -t utf8) and load again")))
                continue
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            let r = rel.isEmpty ? name : rel + "/" + name
            let abs = dir + "/" + name
            var st = stat()
            guard fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                found.append(.problem(DiscoveryProblem(path: r, message: "cannot stat: \(String(cString: strerror(errno)))")))
                continue
            }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: folders.append(r)
            case S_IFREG:
                if name.lowercased().hasSuffix(".zip") && isZip(abs) { found.append(.zip(absolute: abs, relative: r)) }
                else { found.append(.file(absolute: abs, relative: r, stat: st)) }
            case S_IFLNK:
                found.append(.problem(DiscoveryProblem(path: r, message: "symbolic link not followed (could point outside the evidence)")))
            default:
                found.append(.problem(DiscoveryProblem(path: r, message: "not a regular file; skipped")))
            }
        }
    }

    private mutating func addFile(absolute: String, relative: String, stat st0: stat? = nil) {
        var st = st0 ?? stat()
        if st0 == nil { _ = stat(absolute, &st) }
        let modified = Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec / 1_000_000)
        let copy = self.copy
        files.append(PendingFile(path: relative, location: absolute, size: Int(st.st_size), modified: modified) {
            try FileBytes.read(absolute, copy: copy)
        })
    }

    private mutating func walkZip(_ path: String, prefix: String) {
        let zipName = prefix.isEmpty ? (path as NSString).lastPathComponent : prefix
        do {
            let zip = try ZipSource(path: path, budget: budget)
            zip.startHashing()
            zips.append((zipName, zip))
            for message in zip.problems { problems.append(DiscoveryProblem(path: zipName, message: message, skipped: false)) }
            for member in zip.members {
                if let why = member.rejection {
                    problems.append(DiscoveryProblem(path: zipName + "!/" + member.entry.name, message: why))
                    continue
                }
                let rel = prefix.isEmpty ? member.path : prefix + "/" + member.path
                files.append(PendingFile(path: rel, location: path + "!/" + member.path, size: member.size,
                                         modified: member.modified) { try zip.read(member) })
            }
        } catch {
            problems.append(DiscoveryProblem(path: zipName, message: "zip cannot be opened: \(error)"))
        }
    }
}

/// Reads whole files: maps them read-only (the page cache holds the bytes, not the process), or with `copy`
/// (`load --copy`, for evidence on mounts that may change or fail under a session) reads them with `read(2)`.
enum FileBytes {
    static func read(_ path: String, copy: Bool) throws -> LoadedBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ReadFailure(description: "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ReadFailure(description: "cannot stat: \(String(cString: strerror(errno)))") }
        let expected = Int(st.st_size)
        if expected == 0 { return LoadedBytes(bytes: EvidenceBytes([])) }
        if !copy, let mapping = try EvidenceBytes.Mapping.file(fd, length: expected) {
            return LoadedBytes(bytes: EvidenceBytes(mapping, count: expected), identity: FileIdentity(st))
        }
        var failure: String?
        let out = [UInt8](unsafeUninitializedCapacity: expected) { buf, initialized in
            var got = 0
            while got < expected {
                let n = Glibc.read(fd, buf.baseAddress! + got, min(1 << 20, expected - got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "read error after \(got) bytes: \(String(cString: strerror(errno)))"
                    break
                }
                if n == 0 { break }
                got += n
            }
            initialized = got
        }
        if let failure {
            if out.isEmpty { throw ReadFailure(description: failure) }
            throw PartialRead(loaded: LoadedBytes(bytes: EvidenceBytes(out)), message: failure + "; the readable part is loaded")
        }
        return LoadedBytes(bytes: EvidenceBytes(out))
    }
}
