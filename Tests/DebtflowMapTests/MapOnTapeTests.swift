import DebtflowCore
@testable import DebtflowMap
import DebtflowRead
import Testing

/// `map` reads records on their tape (issue 10): plans are matched by key spans, then by bytes,
/// and a candidate's raw fields are spans, not copies.
@Suite("map on the tape: plan matching and raw spans")
struct MapOnTapeTests {
    /// The records of `csv`, read as one chunk.
    private func csvRecords(_ csv: String) throws -> [Record] {
        let reader = CSVRecordReader(source: MemoryByteSource(csv, name: "d.csv"))
        return try #require(try reader.readChunk()).elements
    }

    @Test("a CSV chunk read as one table of rows maps as its records do: malformed and blank rows, own ids and ids by path")
    func rowsMapAsRecords() throws {
        let csv = "Référence;Nom;Montant;Téléphone\nA1;Moreau;1,00;0612345678\n;Dupont;2;\nA3;Martin\n\n  A4 ;X;3;;extra\nA5;\"Le \"\"Roi\"\"\";4;\n"
        for idsByPath in [false, true] {
            var chunk = try #require(try CSVRecordReader(source: MemoryByteSource(csv, name: "in/d.csv")).readChunk())
            #expect(chunk.recordRows != nil)
            if idsByPath { chunk.setIDsByPath() }
            let records = chunk.elements
            #expect(records.count == 6 && records.allSatisfy { $0.provenance.idsByPath == idsByPath })
            let stage = MapStage(options: MapOptions(), today: "2026-06-15")
            let fromRows = try stage.process(chunk).elements
            let fromRecords = try stage.process(Chunk(records)).elements
            #expect(fromRows == fromRecords)
            #expect(fromRows.map(\.tempID) == ["A1", idsByPath ? "in/d.csv#2" : "d.csv#2", "A3", idsByPath ? "in/d.csv#4" : "d.csv#4", "A4", "A5"])
            #expect(fromRows.map { $0.errors.map(\.code) } == [[], [], [.malformedRow], [], [.malformedRow], []])
        }
    }

    @Test("rows of one CSV chunk have the same shape by their key spans; another header does not")
    func sameShapeBySpans() throws {
        let records = try csvRecords("Prénom,Nom,Montant\nJean,Dupont,12\nMarie,Curie,3\n")
        #expect(FieldMappingPlan.sameShape(records[0].view, records[1].view))
        let other = try csvRecords("Prénom,Nom,Devise\nJean,Dupont,EUR\n")
        #expect(!FieldMappingPlan.sameShape(records[0].view, other[0].view))
        // Same names on another tape: compared by bytes.
        let again = try csvRecords("Prénom,Nom,Montant\nPaul,Martin,1\n")
        #expect(FieldMappingPlan.sameShape(records[0].view, again[0].view))
    }

    @Test("records of one tape with the same shape mark are the same shape without comparing keys; without a mark, or on two tapes, keys decide")
    func sameShapeByMark() {
        // Two objects of one tape whose keys differ: the mark is the reader's promise, so the
        // same mark says "same shape" (proof that the keys are not read), and no mark reads them.
        func tape(marks: (UInt32, UInt32)) -> (RecordView, RecordView) {
            var builder = RecordTapeBuilder()
            let a = builder.appendBytes("a"), b = builder.appendBytes("b")
            let first = builder.appendFlatObject(memberCount: 1, shapeMark: marks.0) { _ in (a, a, []) }
            let second = builder.appendFlatObject(memberCount: 1, shapeMark: marks.1) { _ in (b, b, []) }
            let tape = builder.finish()
            return (RecordView(tape: tape, index: first), RecordView(tape: tape, index: second))
        }
        let marked = tape(marks: (7, 7))
        #expect(FieldMappingPlan.sameShape(marked.0, marked.1))
        #expect(!FieldMappingPlan.sameShape(tape(marks: (0, 0)).0, tape(marks: (0, 0)).1))
        #expect(!FieldMappingPlan.sameShape(tape(marks: (7, 8)).0, tape(marks: (7, 8)).1))
        // The same mark on two tapes says nothing: their keys are compared.
        let other = tape(marks: (7, 7))
        #expect(!FieldMappingPlan.sameShape(marked.0, other.1))
        #expect(FieldMappingPlan.sameShape(marked.0, other.0))
    }

    @Test("unmarked flat records of one tape (a JSON chunk's) are compared member by member: shared or equal key bytes, counts, kinds")
    func sameShapeOfUnmarkedFlatRecords() {
        var builder = RecordTapeBuilder()
        let a = builder.appendBytes("a"), b = builder.appendBytes("b"), otherA = builder.appendBytes("a")
        func flat(_ keys: [ByteSpan]) -> Int { builder.appendFlatObject(memberCount: keys.count) { (keys[$0], keys[$0], []) } }
        let first = flat([a, b])
        let sameSpans = flat([a, b])
        let sameBytes = flat([otherA, b])
        let swapped = flat([b, a])
        let shorter = flat([a])
        let nested = builder.beginObject()
        builder.appendScalar(.string, key: a, value: a)
        builder.end(builder.beginObject(key: b))
        builder.end(nested)
        let tape = builder.finish()
        func view(_ index: Int) -> RecordView { RecordView(tape: tape, index: index) }
        #expect(FieldMappingPlan.sameShape(view(first), view(sameSpans)))
        #expect(FieldMappingPlan.sameShape(view(first), view(sameBytes)))
        #expect(!FieldMappingPlan.sameShape(view(first), view(swapped)))
        #expect(!FieldMappingPlan.sameShape(view(first), view(shorter)))
        #expect(!FieldMappingPlan.sameShape(view(shorter), view(first)))
        // A record with a nested member (not flat) goes the general way, with the same answer
        // as the signatures.
        #expect(!FieldMappingPlan.sameShape(view(first), view(nested)))
        #expect(!FieldMappingPlan.sameShape(view(nested), view(first)))
        #expect(FieldMappingPlan.sameShape(view(nested), view(nested)))
    }

    @Test("a plan's signature tells nested names apart from top-level ones")
    func signatureOfNestedRecords() {
        let flat = RecordView(fields(("a", "1"), ("b", "2")))
        let nested = RecordView(fields(("a", "1"), ("b", object(("c", "2")))))
        let nestedOther = RecordView(fields(("a", "1"), ("b", object(("d", "2")))))
        let plan = FieldMappingPlan(sample: nested, options: MapOptions())
        #expect(plan.matches(nested))
        #expect(!plan.matches(flat))
        #expect(!plan.matches(nestedOther))
        #expect(FieldMappingPlan.Signature(of: nested) != FieldMappingPlan.Signature(of: nestedOther))
        #expect(!FieldMappingPlan.sameShape(nested, nestedOther))
    }

    @Test("a candidate's raw fields point into the record's tape; constants and JSON booleans into the plan's side bytes")
    func rawFieldsAreSpans() throws {
        let records = try csvRecords("Prénom,Nom,Montant,Téléphone\nJean,Dupont,\" 12,50 \",\n")
        let options = MapOptions(constants: ["currency": "EUR", "phone": "0600000000"])
        let candidate = try #require(try map(records, options: options).first)
        #expect(candidate.raw[.firstname] == "Jean")
        #expect(candidate.raw[.amount] == " 12,50 ")
        #expect(candidate.raw.nonBlankText(.amount) == "12,50")
        #expect(candidate.raw[.currency] == "EUR")
        // A blank source falls back to the constant.
        #expect(candidate.raw[.phone] == "0600000000")
        #expect(!candidate.raw.has(.email))
        candidate.raw.withBytes(.firstname) { bytes in
            let tape = records[0].view.tape
            tape.bytes.withUnsafeBufferPointer { arena in
                // The very bytes of the tape, not a copy.
                #expect(bytes.map { $0.baseAddress! >= arena.baseAddress! && $0.baseAddress! < arena.baseAddress! + arena.count } == true)
            }
        }
        let json = RecordView(fields(("firstname", "Jean"), ("accept_expensive_destination", .bool(true))))
        let fromJSON = try #require(try map([Record(provenance: Provenance(source: "j", record: 1), view: json)]).first)
        #expect(fromJSON.raw[.acceptExpensiveDestination] == "true")
    }

    @Test("a record of the plan's signature that holds a list where the sample held a scalar still maps each field from its own member")
    func listWhereTheSampleHadAScalar() throws {
        let first = fields(("tags", "x"), ("Prénom", "Jean"), ("Nom", "Dupont"))
        let second = fields(("tags", ["a", "b"]), ("Prénom", "Marie"), ("Nom", "Curie"))
        let candidates = try map([record(first, number: 1), record(second, number: 2)])
        #expect(candidates.map { $0.raw[.firstname] } == ["Jean", "Marie"])
        #expect(candidates.map { $0.raw[.lastname] } == ["Dupont", "Curie"])
    }

    @Test("records with the same names whose values differ in kind (text, an element with #text, a list of lists) get their own plans: each maps as if it came first")
    func valueKindsAreTheShape() throws {
        let texts = [#"{"reference":"R1","firstName":"Jean","amount":"12"}"#,
                     #"{"reference":[["+33 6 12 34 56 78"],"x"],"firstName":"Marie","amount":"3"}"#,
                     ##"{"reference":{"#text":"R3","@kind":"ref"},"firstName":"Paul","amount":"5"}"##,
                     #"{"reference":"R4","firstName":{"given":"Anne"},"amount":[{"value":"7"}]}"#]
        func records(_ order: [Int]) throws -> [Record] {
            let text = "[" + order.map { texts[$0] }.joined(separator: ",") + "]"
            let reader = JSONRecordReader(source: MemoryByteSource(Array(text.utf8), name: "d.json"))
            var records: [Record] = []
            while let chunk = try reader.nextChunkSynchronously() { records += chunk.elements }
            return records
        }
        func mapped(_ order: [Int]) throws -> [Int: String] {
            let candidates = try MapStage(options: MapOptions(), today: "2026-06-15").process(Chunk(try records(order))).elements
            var byText: [Int: String] = [:]
            for (position, candidate) in zip(order, candidates) {
                byText[position] = DebtKey.ordered.map { "\($0.name)=\(candidate.raw[$0] ?? "-")" }.joined(separator: " ")
                    + " id=\(candidate.tempID.map { $0.hasPrefix("d.json#") ? "(its position)" : $0 } ?? "-")"
            }
            return byText
        }
        let alone = try (0..<texts.count).map { try mapped([$0])[$0]! }
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 3, 0, 1]] {
            let together = try mapped(order)
            for index in texts.indices { #expect(together[index] == alone[index], "record \(index) in order \(order)") }
        }
        let views = try records([0, 1, 2, 3]).map(\.view)
        for (a, b) in [(0, 1), (0, 2), (1, 2), (0, 3)] {
            #expect(!FieldMappingPlan.sameShape(views[a], views[b]), "\(a) and \(b)")
            #expect(FieldMappingPlan.Signature(of: views[a]) != FieldMappingPlan.Signature(of: views[b]), "\(a) and \(b)")
            #expect(!FieldMappingPlan(sample: views[a], options: MapOptions()).matches(views[b]), "\(a) and \(b)")
        }
    }

    @Test("rows of one tape with an empty object where another has a string differ in shape, as their signatures do")
    func emptyObjectIsNested() {
        var builder = RecordTapeBuilder()
        let key = builder.appendBytes("a")
        let first = builder.beginObject()
        builder.appendScalar(.string, key: key, value: builder.appendBytes("1"))
        builder.end(first)
        let second = builder.beginObject()
        builder.end(builder.beginObject(key: key))
        builder.end(second)
        let tape = builder.finish()
        let a = RecordView(tape: tape, index: first)
        let b = RecordView(tape: tape, index: second)
        #expect(a.isFlat && b.isFlat)
        #expect(!FieldMappingPlan.sameShape(a, b))
        #expect((FieldMappingPlan.Signature(of: a) == FieldMappingPlan.Signature(of: b)) == FieldMappingPlan.sameShape(a, b))
    }

    @Test("raw fields: a text set by key is kept in a side arena, nil clears it, and equality compares texts")
    func rawFieldsByKey() {
        var raw = DebtRawFields()
        #expect(raw.isEmpty)
        raw[.object] = "Abonnement, Frais"
        raw[.email] = "  "
        #expect(raw[.object] == "Abonnement, Frais")
        #expect(raw.has(.email) && !raw.isNonBlank(.email) && raw.nonBlankText(.email) == nil)
        raw[.email] = nil
        #expect(!raw.has(.email))
        #expect(raw == DebtRawFields(["object": "Abonnement, Frais"]))
        #expect(raw != DebtRawFields(["object": "Abonnement"]))
        #expect(DebtRawKey.allCases.count <= 24, "one inline span per key")
    }
}

/// A plan built from a wide header keeps what it maps, not the header (issue 8's rows of millions
/// of fields), and the plan cache is bounded by the bytes of the shapes it keeps.
@Suite("map plans of wide records")
struct WideRecordPlanTests {
    @Test("folding an ASCII name without Foundation gives what Foundation's folding gives")
    func asciiFoldingAgreesWithFoundation() {
        var names = (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        names += (0..<128).flatMap { first in
            stride(from: 0, to: 128, by: 7).map { String(UnicodeScalar(UInt8(first))) + "@" + String(UnicodeScalar(UInt8($0))) }
        }
        names += ["@pays", "@@X", " @pays", "Date de Naissance", "E-Mail", "first_name", "Tel.\tPortable", "N'UMERO\r\n", ""]
        for name in names {
            #expect(FieldNameMatcher.foldedASCII(name) == FieldNameMatcher.foldedUnicode(name), "\(name.debugDescription)")
        }
        #expect(FieldNameMatcher.foldedASCII("Prénom") == nil)
        #expect(FieldNameMatcher.fold("Prénom") == "prenom")
    }

    @Test("of a wide record, a plan looks only at names it may map: fields sources, synonyms, metadata and nested objects")
    func candidatesOfAWideRecord() throws {
        var pairs: [(String, RecordValue)] = (0..<20_000).map { ("col \($0)", .string("v")) }
        pairs.insert(("Nom", .string("Dupont")), at: 7_000)
        pairs.append(("Montant", .string("12,50")))
        pairs.append(("contact", .object(RecordObject(entries: [RecordObject.Entry(key: "mobile", value: .string("0612345678"))]))))
        let object = RecordObject(entries: pairs.map { RecordObject.Entry(key: $0.0, value: $0.1) })
        let options = MapOptions(fields: ["internal_id": "COL_12"])
        let members = FieldMappingPlan.candidateMembers(of: RecordView(object), options: options)
        #expect(members.map(\.key) == ["col 12", "Nom", "Montant", "contact"])
        #expect(members.map(\.index) == [12, 7_000, 20_001, 20_002])
        let candidate = try mapOne(object, options: options)
        #expect(candidate.raw[.internalID] == "v")
        #expect(candidate.raw[.lastname] == "Dupont")
        #expect(candidate.raw[.amount] == "12,50")
        #expect(candidate.raw[.phone] == "0612345678")
    }

    @Test("the cache keeps at most its bytes of shapes beside the newest: over them, it starts again")
    func cacheBoundedByBytes() {
        func record(_ prefix: String) -> RecordView {
            RecordView(RecordObject(entries: (0..<10).map { RecordObject.Entry(key: "\(prefix)\($0)", value: .string("x")) }))
        }
        // Each shape's signature: 10 names of 3 bytes, each after a 4-byte length.
        let cache = FieldMappingPlanCache(options: MapOptions(), byteCapacity: 100)
        _ = cache.plan(for: record("aa"))
        #expect(cache.kept == (1, 70))
        _ = cache.plan(for: record("aa"))
        #expect(cache.kept == (1, 70))
        _ = cache.plan(for: record("bb"))
        #expect(cache.kept == (1, 70))
        // One shape over the bytes is still kept, alone.
        let wide = FieldMappingPlanCache(options: MapOptions(), byteCapacity: 10)
        _ = wide.plan(for: record("cc"))
        #expect(wide.kept == (1, 70))
        let roomy = FieldMappingPlanCache(options: MapOptions())
        _ = roomy.plan(for: record("aa"))
        _ = roomy.plan(for: record("bb"))
        #expect(roomy.kept == (2, 140))
    }
}
