import DebtflowCore

/// The wiring rules of CONTRACT.md §2, checked stage by stage as the config is decoded: `read`
/// first and once, sinks last, each transform once, after what it needs (`classify` after
/// `normalize`), taking what the stage before it gives, and followed by what it needs after it
/// (`map` by `normalize` and `validate`). Each error names the stage's JSON path and the other
/// stage (`stages[3].classify: needs normalize before it`).
struct StagePlacement {
    /// The transforms seen so far: kind and JSON path.
    private var transforms: [(kind: String, path: String, needsAfter: [String])] = []
    private var sawSink = false
    /// What the stream holds after the stages seen so far.
    private var element = StageDescriptor.Element.records

    /// Checks where a stage stands, before its options are decoded.
    mutating func admit(_ descriptor: StageDescriptor, index: Int, path: String) throws {
        switch descriptor.role {
        case .source:
            guard index == 0 else {
                throw DebtflowError.configuration("`\(descriptor.kind)` must be the first stage, and there is only one", path: path)
            }
        case .sink:
            break
        case .transform:
            let kind = descriptor.kind
            guard index > 0 else { throw DebtflowError.configuration("the first stage must be `read`", path: path) }
            guard !sawSink else { throw DebtflowError.configuration("`\(kind)` after a sink: sinks come last", path: path) }
            guard !transforms.contains(where: { $0.kind == kind }) else {
                throw DebtflowError.configuration("`\(kind)` appears twice", path: path)
            }
        }
    }

    /// Checks what a stage needs before it and that it takes what the stream holds, after its
    /// options were decoded.
    mutating func link(_ descriptor: StageDescriptor, path: String) throws {
        switch descriptor.role {
        case .source:
            break
        case .sink:
            sawSink = true
        case .transform(let takes, let gives):
            for needed in descriptor.needsBefore where !transforms.contains(where: { $0.kind == needed }) {
                throw DebtflowError.configuration("needs \(needed) before it", path: path)
            }
            if takes != element, let last = transforms.last {
                throw DebtflowError.configuration(
                    "must come before `\(last.kind)` (it takes \(takes.rawValue); after `\(last.kind)` come \(element.rawValue))",
                    path: path)
            }
            transforms.append((descriptor.kind, path, descriptor.needsAfter))
            element = gives
        }
    }

    /// Checks, once every stage was seen, that each transform has what it needs after it.
    func finish() throws {
        for (position, stage) in transforms.enumerated() {
            let after = transforms[(position + 1)...].map(\.kind)
            for needed in stage.needsAfter where !after.contains(needed) {
                throw DebtflowError.configuration("needs \(needed) after it", path: stage.path)
            }
        }
    }
}
