import DebtflowCore
import DebtflowRead

/// The assembler's part of many inputs (CONTRACT.md §2 "Many inputs", §1 `--shard`): the input
/// plan with `if_missing` and `on_input_error` applied, and the checks of `{input}` outputs.
extension PipelineAssembler {
    /// Applies `if_missing` and `on_input_error` to the patterns that matched nothing: each is a
    /// warning (`if_missing: ok`), an entry of the summary's `inputs` (`on_input_error: continue`),
    /// or the run's error; and says when no input is left.
    /// - Returns: the unmatched patterns to list in the summary's `inputs`.
    /// - Throws: `.input` (exit 3) for a pattern that matches nothing.
    func applyMissingInputPolicy(_ plan: InputPlan) throws -> [RunSummary.InputTotals] {
        let read = configuration.read
        var unmatched: [RunSummary.InputTotals] = []
        for pattern in plan.unmatched {
            if read.missingInputsAllowed {
                log.warning("\(pattern): no input file matches; nothing read from it (if_missing: ok)")
            } else if read.hasManyInputs && read.continuesAfterInputError {
                let error = InputPlan.unmatchedError(pattern)
                log.error(error.description, hint: "reading the other inputs (on_input_error: continue)")
                unmatched.append(RunSummary.InputTotals(path: pattern, error: error.description))
            } else {
                throw InputPlan.unmatchedError(pattern)
            }
        }
        if plan.inputs.isEmpty {
            log.warning(plan.matched.isEmpty
                ? "no input file to read: the outputs are published empty"
                : "--shard \(options.shard?.description ?? ""): none of the \(plan.matched.count) input files falls in this shard; "
                  + "the outputs are published empty")
        }
        if !configuration.isConversion, let group = plan.inputsSharingFileNames.first {
            let (first, second) = (group[0], group[1])
            log.warning("inputs \(first) and \(second) have the same file name: records without an id of their own "
                        + "are known by their paths (\(first)#record, \(second)#record), not by the file name, so "
                        + "that temp_ids stay unique; a --resume must see the same inputs as the run it resumes")
        }
        return unmatched
    }

    /// `{input}` outputs must not collide with each other or with an input (exit 2, before
    /// anything is read): two inputs with the same name in different folders would write one file.
    func checkPerInputOutputs(_ plan: InputPlan) throws {
        // Bytes, not `String`s: Swift's `==` equates `é` and `e\u{301}`, two names on disk.
        let inputPaths = Set(plan.matched.map { Array($0.absolutePath.utf8) })
        for sink in configuration.sinks where sink.isPerInput {
            guard let template = sink.path else { continue }
            var seen: [[UInt8]: String] = [:]
            for input in plan.matched {
                let output = Self.perInputPath(template, input: input.path)
                if let other = seen[Array(output.utf8)] {
                    throw DebtflowError.configuration("inputs \(other) and \(input.path) would both write \(output); "
                                                      + "rename one, or keep {input} outputs in one folder per input folder", path: "\(sink.jsonPath).path")
                }
                if inputPaths.contains(Array(output.utf8)) {
                    throw DebtflowError.configuration("\(output) is an input; an output must not overwrite an input", path: "\(sink.jsonPath).path")
                }
                seen[Array(output.utf8)] = input.path
            }
        }
    }

    /// A `{input}` sink path filled in for one input.
    static func perInputPath(_ template: String, input: String) -> String {
        template.split(separator: SinkConfiguration.inputPlaceholder, omittingEmptySubsequences: false)
            .joined(separator: MatchedInput.stem(of: input))
    }
}
