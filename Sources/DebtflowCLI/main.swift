import DebtflowCore
import DebtflowSink
import Foundation

// The `debtflow` executable: picks the command, runs it, and exits with the contract's code.
// `exit` flushes stdio, so everything printed reaches stdout.

// glibc gives threads their own malloc arenas (up to 8 per core), and memory freed in one arena is
// not reused by another; two arenas are plenty for debtflow's few threads and keep the peak lower
// (1M-row conversion through a slow sink: 41–47 MB instead of 48–50 MB).
// `mallopt` lives in <malloc.h>, which the Glibc module does not export; M_ARENA_MAX is -8 there.
@_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
_ = glibcMallopt(-8, 2)

StandardStreams.reserveClosedDescriptors()
// Before the runtime opens descriptors of its own: a sink `/dev/fd/N` may name only these.
InheritedDescriptors.record()
// A reader that goes away (`debtflow run … | head -1`) must not kill the process with SIGPIPE
// before it removes its temporary files: the write fails with EPIPE instead, a sink error (exit 4).
signal(SIGPIPE, SIG_IGN)
let status = await CommandDispatcher.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
