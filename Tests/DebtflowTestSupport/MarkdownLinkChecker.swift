import Foundation

/// Finds broken relative links in Markdown files: a linked file or folder that does not exist in
/// the repository, or a `#fragment` that names no heading of the linked Markdown page. Anchors are
/// made as GitHub makes them (github-slugger): the heading's text lowercased, everything but
/// letters, marks, digits, `_`, `-` and spaces dropped, spaces turned into `-`, and `-1`, `-2`, …
/// added to repeats. External links (`https:`, `mailto:`, …) are not followed. Links inside fenced
/// code blocks and code spans are not links.
public struct MarkdownLinkChecker {
    /// One link as written in a file.
    public struct Link: Equatable, Sendable {
        public var line: Int
        public var target: String
    }

    /// The repository's root: no link may leave it.
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// One message per broken link: `docs/config.md:12: ../pipelines/nope.json: no such file`.
    public func brokenLinks(in files: [URL]) throws -> [String] {
        var anchorCache: [String: Set<String>] = [:]
        var problems: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let relativeName = relativePath(of: file.standardizedFileURL)
            for link in Self.links(inMarkdown: text) {
                if let problem = try problem(with: link.target, from: file.standardizedFileURL, text: text, anchorCache: &anchorCache) {
                    problems.append("\(relativeName):\(link.line): \(link.target): \(problem)")
                }
            }
        }
        return problems
    }

    private func problem(with target: String, from file: URL, text: String, anchorCache: inout [String: Set<String>]) throws -> String? {
        if Self.isExternal(target) { return nil }
        let (pathPart, fragment) = Self.split(target)
        let destination: URL
        if pathPart.isEmpty {
            destination = file
        } else {
            let decoded = pathPart.removingPercentEncoding ?? pathPart
            destination = (decoded.hasPrefix("/") ? root.appendingPathComponent(String(decoded.dropFirst()))
                           : file.deletingLastPathComponent().appendingPathComponent(decoded)).standardizedFileURL
            guard destination.path == root.path || destination.path.hasPrefix(root.path + "/") else {
                return "leaves the repository"
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else {
                return "no such file"
            }
            if isDirectory.boolValue {
                return fragment == nil ? nil : "a folder has no anchors"
            }
        }
        guard let fragment, !fragment.isEmpty else { return nil }
        guard destination.pathExtension.lowercased() == "md" else { return nil }   // `file.swift#L10`: GitHub's line anchors
        let key = destination.path
        if anchorCache[key] == nil {
            let markdown = destination == file ? text : try String(contentsOf: destination, encoding: .utf8)
            anchorCache[key] = Self.anchors(inMarkdown: markdown)
        }
        let wanted = (fragment.removingPercentEncoding ?? fragment).lowercased()
        return anchorCache[key]!.contains(wanted) ? nil : "no heading with the anchor #\(fragment) in \(relativePath(of: destination))"
    }

    private func relativePath(of url: URL) -> String {
        url.path.hasPrefix(root.path + "/") ? String(url.path.dropFirst(root.path.count + 1)) : url.path
    }

    // MARK: - Markdown

    /// `https:`, `mailto:`, `//host`: not checked.
    static func isExternal(_ target: String) -> Bool {
        if target.hasPrefix("//") { return true }
        guard let colon = target.firstIndex(of: ":") else { return false }
        let scheme = target[..<colon]
        return !scheme.isEmpty && scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+.-".contains($0) }
            && !scheme.contains("/")
    }

    /// `("docs/a.md", "b")` for `docs/a.md#b`.
    static func split(_ target: String) -> (path: String, fragment: String?) {
        guard let hash = target.firstIndex(of: "#") else { return (target, nil) }
        return (String(target[..<hash]), String(target[target.index(after: hash)...]))
    }

    /// The lines of `text` outside fenced code blocks, with their 1-based numbers.
    static func proseLines(_ text: String) -> [(number: Int, text: String)] {
        var result: [(Int, String)] = []
        var fence: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            if let open = fence {
                if trimmed.hasPrefix(open) && trimmed.drop(while: { String($0) == String(open.first!) }).allSatisfy(\.isWhitespace) { fence = nil }
                continue
            }
            if line.prefix(while: { $0 == " " }).count < 4, let marker = ["```", "~~~"].first(where: { trimmed.hasPrefix($0) }) {
                fence = String(trimmed.prefix { String($0) == String(marker.first!) })
                continue
            }
            result.append((index + 1, String(line)))
        }
        return result
    }

    /// `text` with code spans (`` `…` ``, ``` `` … `` ```) blanked out.
    static func withoutCodeSpans(_ line: String) -> String {
        var output = ""
        var characters = Substring(line)
        while let tick = characters.firstIndex(of: "`") {
            output += characters[..<tick]
            let run = characters[tick...].prefix { $0 == "`" }
            let afterOpen = characters[run.endIndex...]
            if let close = afterOpen.firstRange(of: String(run)) {
                output += String(repeating: " ", count: 1)
                characters = afterOpen[close.upperBound...]
            } else {
                output += run
                characters = afterOpen
            }
        }
        return output + characters
    }

    /// Every link target of a Markdown text: inline links and images `[text](target "title")`,
    /// reference definitions `[label]: target`, and HTML `href="…"` / `src="…"`.
    public static func links(inMarkdown text: String) -> [Link] {
        var links: [Link] = []
        for (number, rawLine) in proseLines(text) {
            let line = withoutCodeSpans(rawLine)
            // Reference definitions.
            let trimmed = line.drop { $0 == " " }
            if line.count - trimmed.count < 4, trimmed.hasPrefix("["), let close = trimmed.range(of: "]:") {
                let rest = trimmed[close.upperBound...].drop { $0 == " " || $0 == "\t" }
                if let target = rest.split(separator: " ").first {
                    links.append(Link(line: number, target: unwrap(String(target))))
                    continue
                }
            }
            // Inline links: `](` then a target up to the matching `)`.
            var search = line[...]
            while let open = search.range(of: "](") {
                var depth = 1
                var index = open.upperBound
                var inAngle = false
                while index < search.endIndex {
                    let character = search[index]
                    if character == "<" && index == open.upperBound { inAngle = true }
                    else if character == ">" && inAngle { inAngle = false }
                    else if !inAngle && character == "(" { depth += 1 }
                    else if !inAngle && character == ")" { depth -= 1; if depth == 0 { break } }
                    index = search.index(after: index)
                }
                let inside = search[open.upperBound..<index].trimmingCharacters(in: .whitespaces)
                var target = inside
                if target.hasPrefix("<"), let end = target.firstIndex(of: ">") {
                    target = String(target[target.index(after: target.startIndex)..<end])
                } else if let space = target.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                    target = String(target[..<space])   // a title follows
                }
                if !target.isEmpty { links.append(Link(line: number, target: target)) }
                search = index < search.endIndex ? search[search.index(after: index)...] : search[search.endIndex...]
            }
            // HTML attributes.
            for attribute in ["href=\"", "src=\""] {
                var rest = line[...]
                while let start = rest.range(of: attribute) {
                    guard let end = rest[start.upperBound...].firstIndex(of: "\"") else { break }
                    links.append(Link(line: number, target: String(rest[start.upperBound..<end])))
                    rest = rest[rest.index(after: end)...]
                }
            }
        }
        return links
    }

    private static func unwrap(_ target: String) -> String {
        target.hasPrefix("<") && target.hasSuffix(">") ? String(target.dropFirst().dropLast()) : target
    }

    /// The anchors of a Markdown page: one per ATX (`## Title`) or setext heading, as GitHub makes
    /// them, plus explicit `id="…"` / `name="…"` anchors in HTML.
    public static func anchors(inMarkdown text: String) -> Set<String> {
        var anchors: Set<String> = []
        var counts: [String: Int] = [:]
        func add(_ heading: String) {
            let base = slug(heading)
            if let seen = counts[base] {
                counts[base] = seen + 1
                anchors.insert("\(base)-\(seen + 1)")
            } else {
                counts[base] = 0
                anchors.insert(base)
            }
        }
        var previous: String?
        for (_, line) in proseLines(text) {
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            let hashes = trimmed.prefix { $0 == "#" }.count
            if indent < 4, (1...6).contains(hashes), trimmed.dropFirst(hashes).first.map({ $0 == " " || $0 == "\t" }) ?? true {
                var heading = trimmed.dropFirst(hashes).trimmingCharacters(in: .whitespaces)
                // A closing run of `#` preceded by a space is not part of the heading.
                let withoutClosing = heading.replacingOccurrences(of: #"(^|\s+)#+$"#, with: "", options: .regularExpression)
                heading = withoutClosing
                add(heading)
                previous = nil
                continue
            }
            let stripped = line.trimmingCharacters(in: .whitespaces)
            if let previous, !previous.trimmingCharacters(in: .whitespaces).isEmpty, indent < 4, !stripped.isEmpty,
               stripped.allSatisfy({ $0 == "=" }) || (stripped.allSatisfy({ $0 == "-" }) && !previous.hasPrefix("|")) {
                add(previous.trimmingCharacters(in: .whitespaces))
                Self.htmlAnchors(in: line, into: &anchors)
                continue
            }
            Self.htmlAnchors(in: line, into: &anchors)
            previous = line
        }
        return anchors
    }

    private static func htmlAnchors(in line: String, into anchors: inout Set<String>) {
        for attribute in ["id=\"", "name=\""] {
            var rest = line[...]
            while let start = rest.range(of: attribute) {
                guard let end = rest[start.upperBound...].firstIndex(of: "\"") else { break }
                anchors.insert(String(rest[start.upperBound..<end]).lowercased())
                rest = rest[rest.index(after: end)...]
            }
        }
    }

    /// GitHub's anchor for a heading's Markdown text: the rendered text (links and images reduced
    /// to their text, code-span ticks, emphasis stars and HTML tags dropped), lowercased, with every
    /// character other than a letter, mark, digit, connector punctuation (`_`), `-` or space removed
    /// and each space turned into `-`.
    public static func slug(_ heading: String) -> String {
        var text = heading
        text = text.replacingOccurrences(of: #"!?\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: "`", with: "").replacingOccurrences(of: "*", with: "")
        var slug = ""
        for scalar in text.lowercased().unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark,
                 .decimalNumber, .letterNumber, .otherNumber, .connectorPunctuation:
                slug.unicodeScalars.append(scalar)
            default:
                if scalar == "-" { slug += "-" } else if scalar == " " { slug += "-" }
            }
        }
        return slug
    }
}
