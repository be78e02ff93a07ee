import Foundation

/// Wall and CPU time of one command, printed like sqlite3's `.timer on`.
struct RunClock {
    private let start = DispatchTime.now().uptimeNanoseconds
    private let cpu = RunClock.cpuTimes()

    static func cpuTimes() -> (user: Double, sys: Double) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return (Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }

    func report() -> String {
        let real = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let now = RunClock.cpuTimes()
        return String(format: "Run Time: real %.3f user %.3f sys %.3f", real, now.user - cpu.user, now.sys - cpu.sys)
    }
}
