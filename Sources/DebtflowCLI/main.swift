import DebtflowCore
import Foundation

// The `debtflow` executable: picks the command, runs it, and exits with the contract's code.
// `exit` flushes stdio, so everything printed reaches stdout.

// glibc gives each thread that allocates its own malloc arena (up to 8 per core); memory freed in
// one arena is not reused by another, so a streaming run's peak RSS drifted with thread timing
// (48 MB to 143 MB on the same input). A few arenas are plenty for debtflow's handful of threads.
// `mallopt` lives in <malloc.h>, which the Glibc module does not export; M_ARENA_MAX is -8 there.
@_silgen_name("mallopt") func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
_ = glibcMallopt(-8, 2)

let status = await CommandDispatcher.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
