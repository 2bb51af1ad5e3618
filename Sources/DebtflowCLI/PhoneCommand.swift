import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import Foundation

/// `debtflow phone [--region FR] [NUMBER ...]`: one JSON line per input, in input order (every stdin
/// line, blank ones included, gets exactly one answer). Exit 0 when all are valid, 1 otherwise.
/// Stdin lines are read up to 64 KiB each (``BoundedLineReader``): a longer line is answered as
/// invalid, its `input` cut to its first bytes, without being held in memory.
enum PhoneCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["--region"], flagOptions: ["--help"])
        if scanner.flag("--help") {
            try StandardStreams.printLine(HelpText.phone)
            return 0
        }
        let region = (scanner.value("--region") ?? "FR").uppercased()
        guard region.count == 2, region.allSatisfy({ $0.isASCII && $0.isLetter }), PhoneNormalizer.knowsRegion(region) else {
            throw DebtflowError.usage("--region expects a two-letter region code the phone rules know, such as FR")
        }
        let normalizer = PhoneNormalizer()
        let classifier = DestinationClassifier()
        var allValid = true
        var writer = JSONByteWriter(capacity: 64 * 1024)

        func answer(_ input: String) throws {
            writer.beginObject()
            writer.field("input", input)
            switch normalizer.normalize(input, defaultRegion: region) {
            case .success(let phone):
                let destination = classifier.classify(phone)
                writer.field("valid", true)
                writer.field("e164", phone.e164)
                writer.field("country", phone.region)
                writer.field("zone", destination.zone.rawValue)
                writer.optionalField("credits", destination.credits)
                if let multiplier = destination.multiplier {
                    writer.key("multiplier")
                    writer.numberText(multiplier)
                }
                writer.field("expensive", destination.expensive)
                if destination.credits == nil {
                    writer.field("supported", false)
                }
            case .failure(let error):
                allValid = false
                writer.field("valid", false)
                writer.field("error", error.message)
            }
            writer.endObject()
            writer.newline()
            if writer.bytes.count > 32 * 1024 { try flush() }
        }

        /// A line too long to be a phone number gets its answer without being kept whole.
        func tooLong(prefix: String, byteCount: Int, limit: Int) {
            allValid = false
            writer.beginObject()
            writer.field("input", prefix + "…")
            writer.field("valid", false)
            writer.field("error", "line of \(byteCount) bytes, longer than the \(limit) bytes a phone line may have")
            writer.endObject()
            writer.newline()
        }

        func flush() throws {
            try StandardStreams.writeToStandardOutput(writer.bytes)
            writer.removeAll()
        }

        if scanner.positionals.isEmpty {
            let lines = BoundedLineReader.standardInput()
            while let line = try lines.nextLine() {
                switch line {
                case .text(let text):
                    try answer(text.hasSuffix("\r") ? String(text.dropLast()) : text)
                case .tooLong(let prefix, let byteCount):
                    tooLong(prefix: prefix, byteCount: byteCount, limit: lines.maxLineBytes)
                }
            }
        } else {
            for number in scanner.positionals { try answer(number) }
        }
        try flush()
        return allValid ? 0 : 1
    }
}
