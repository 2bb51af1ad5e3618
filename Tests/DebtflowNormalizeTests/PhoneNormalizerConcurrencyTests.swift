import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("Phone normalization from many tasks")
struct PhoneNormalizerConcurrencyTests {
    @Test("concurrent tasks sharing one normalizer get the same answers as a single task")
    func concurrentCallsAgree() async {
        let normalizer = PhoneNormalizer()
        let inputs = ["06 12 34 56 78", "0690123456", "+49 30 1234567", "41 12 34", "0639 01 23 45", "+1 650 253 0000"]
        let expected = inputs.map { normalizer.normalize($0) }
        let answers = await withTaskGroup(of: [Result<PhoneNumber, PhoneNormalizationError>].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<200).flatMap { _ in inputs.map { normalizer.normalize($0) } } }
            }
            var all: [[Result<PhoneNumber, PhoneNormalizationError>]] = []
            for await batch in group { all.append(batch) }
            return all
        }
        for batch in answers {
            for (index, answer) in batch.enumerated() {
                #expect(answer == expected[index % inputs.count])
            }
        }
    }
}
