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
// A chunk's buffers (its tape, its sinks' bytes: up to a few MB) are freed on one thread and made
// again on another a moment later. With glibc's defaults the free hands their pages back to the
// kernel (an arena's top trimmed above 128 KiB, or a buffer above the dynamic mmap threshold
// unmapped) and the next chunk faults them in again, zeroed: 17,000–55,000 page faults in a
// 1M-row W2 run, ~7% of its CPU. Keeping up to 16 MiB free at an arena's top (M_TRIM_THRESHOLD,
// -1) and mapping only blocks of 4 MiB and more on their own (M_MMAP_THRESHOLD, -3) leaves ~3,400
// faults; memory still returns to the kernel beyond that, so the peak stays flat (BENCHMARKS.md,
// twentieth pass).
_ = glibcMallopt(-1, 16 << 20)
_ = glibcMallopt(-3, 4 << 20)

StandardStreams.reserveClosedDescriptors()
// Before the runtime opens descriptors of its own: a sink `/dev/fd/N` may name only these.
InheritedDescriptors.record()
// A reader that goes away (`debtflow run … | head -1`) must not kill the process with SIGPIPE
// before it removes its temporary files: the write fails with EPIPE instead, a sink error (exit 4).
signal(SIGPIPE, SIG_IGN)
let status = await CommandDispatcher.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
