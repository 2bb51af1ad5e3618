import DebtflowCore
import DebtflowRead
#if canImport(Glibc)
import Glibc
#endif

/// The record source of a many-input run: the inputs one after the other, each through its own
/// reader (opened when its turn comes, closed at its end), in the expander's sorted order.
///
/// Every chunk carries an ``InputMark`` (its input's index and matched path); a chunk never holds
/// records of two inputs. After each input's records comes one empty chunk whose mark ends that
/// input: plain when it was read through, with ``InputMark/failure`` when reading it failed with
/// an input error. With `continueAfterError` the next input is read after a failure; otherwise
/// the source ends there (the runner's drain stops the run with that error once the mark reaches
/// it, after the outcomes before it). Records are numbered per input, as each reader numbers them.
///
/// Buffers nothing beyond the current reader's chunk. Owned by one task.
final class InputSequenceSource: RecordSource {
    let name: String
    let totalBytes: Int64?
    private let inputs: [MatchedInput]
    private let sizes: [Int64]
    private let openInput: (MatchedInput) throws -> any RecordSource
    private let continuesAfterError: Bool
    /// For each input, whether its records are known by their path (``DebtflowCore/Provenance/idsByPath``).
    private let idsByPath: [Bool]
    private let warn: (String) -> Void
    private var position = 0
    private var current: (any RecordSource)?
    private var currentRecords = 0
    private var bytesBefore: Int64 = 0

    /// - Parameters:
    ///   - inputs: the files to read, in order.
    ///   - continueAfterError: `read.on_input_error: continue`.
    ///   - warn: where to say that an input held no records.
    ///   - openInput: opens one input's reader (named by its matched path).
    ///   - pathsSharingFileNames: the inputs whose records without an id are known by their path
    ///     (``InputPlan/pathsSharingFileNames``).
    init(inputs: [MatchedInput], continueAfterError: Bool, warn: @escaping (String) -> Void,
         pathsSharingFileNames: Set<String> = [], openInput: @escaping (MatchedInput) throws -> any RecordSource) {
        self.inputs = inputs
        self.idsByPath = inputs.map { pathsSharingFileNames.contains($0.path) }
        self.continuesAfterError = continueAfterError
        self.warn = warn
        self.openInput = openInput
        self.name = inputs.count == 1 ? inputs[0].path : "\(inputs.count) inputs"
        self.sizes = inputs.map { input in
            var status = stat()
            return stat(input.absolutePath, &status) == 0 ? Int64(status.st_size) : 0
        }
        self.totalBytes = sizes.reduce(0, +)
    }

    func nextChunk() async throws -> Chunk<Record>? {
        guard position < inputs.count else { return nil }
        let input = inputs[position]
        var mark = InputMark(index: position, path: input.path)
        do {
            if current == nil {
                current = try openInput(input)
                currentRecords = 0
            }
            if var chunk = try await current!.nextChunk() {
                currentRecords += chunk.count
                if idsByPath[position] {
                    chunk.setIDsByPath()
                }
                chunk.input = mark
                chunk.inputBytesConsumed = bytesBefore + (chunk.inputBytesConsumed ?? 0)
                return chunk
            }
            if currentRecords == 0 {
                warn(PipelineRoles.noRecordsWarning(inputName: input.path))
            }
            if let hint = (current as? any RecordSourceReadingHint)?.readingHint { warn(hint) }
        } catch let error as DebtflowError where error.kind == .input {
            mark.failure = error
        }
        current = nil
        bytesBefore += sizes[position]
        position = mark.failure != nil && !continuesAfterError ? inputs.count : position + 1
        mark.isLast = true
        return Chunk([], inputBytesConsumed: bytesBefore, input: mark)
    }
}
