import DebtflowTestSupport
import Foundation
import Testing

/// The scripted HTTP server the push tests run against hands out a port once per test process: a
/// client that outlives its test cannot reach a later test's server and be counted there.
@Suite("HTTP stub server ports")
struct HTTPStubServerPortTests {
    @Test("400 stub servers started and stopped one after the other listen on 400 different ports")
    func portsAreNeverReused() throws {
        // Without the check, bind(0) repeats ports often: 400 listeners made and closed one after
        // the other on 127.0.0.1 got 386-392 distinct ports in each of five tries (Linux 6.18).
        var ports: [Int] = []
        for _ in 0..<400 {
            let server = try HTTPStubServer { _, _ in .drop }
            ports.append(server.port)
            server.stop()
        }
        #expect(Set(ports).count == ports.count)
    }
}
