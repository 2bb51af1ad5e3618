import DebtflowCore
import DebtflowMap
import Testing

@Suite("map: fields, constants and header synonyms")
struct FieldMappingTests {
    @Test("a source column is found from its French, German or English name, whatever its case, accents, spaces, _ or -",
          arguments: [
              ("Prénom", "firstname"), ("VORNAME", "firstname"), ("First Name", "firstname"), ("first_name", "firstname"),
              ("Given-Name", "firstname"), ("nom", "lastname"), ("Nachname", "lastname"), ("Last Name", "lastname"),
              ("surname", "lastname"), ("Nom de famille", "lastname"), ("Montant", "amount"), ("Betrag", "amount"),
              ("Montant dû", "amount"), ("SOMME", "amount"), ("Devise", "currency"), ("Währung", "currency"),
              ("Téléphone", "phone"), ("Portable", "phone"), ("mobile", "phone"), ("Telefon", "phone"),
              ("Handy", "phone"), ("tel", "phone"), ("Courriel", "email"), ("E-Mail", "email"), ("mail", "email"),
              ("Civilité", "civility"), ("Anrede", "civility"), ("Date de naissance", "birthdate"),
              ("Geburtsdatum", "birthdate"), ("IBAN", "iban"), ("Société", "company"), ("Firma", "company"),
              ("Adresse", "street_address"), ("Straße", "street_address"), ("Rue", "street_address"),
              ("Code postal", "postal_code"), ("PLZ", "postal_code"), ("Ville", "city"), ("Stadt", "city"),
              ("Ort", "city"), ("Pays", "country"), ("Land", "country"), ("country_code", "country_code"),
              ("Date facture", "invoice_date"), ("Échéance", "due_date"), ("due date", "due_date"),
              ("Objet", "object"), ("Libellé", "object"), ("Référence", "internal_id"), ("ID", "internal_id"),
              ("Référence client", "internal_id"), ("Dossier", "internal_id"), ("temp-id", "temp_id"),
              ("Timeline ID", "timeline_id"), ("accept expensive destination", "accept_expensive_destination"),
          ])
    func synonym(header: String, key: String) throws {
        let candidate = try mapOne(row([(header, "value"), ("Notes", "n")]))
        #expect(candidate.raw[key] == "value")
    }

    @Test("every debt key is found from its own JSON name: the synonyms are keyed by DebtKey, the one list")
    func ownNames() throws {
        for key in DebtKey.ordered {
            #expect(FieldNameMatcher.debtKey(forSourceName: key.name) == key, "\(key.name)")
            let candidate = try mapOne(row([(key.name, "value")]))
            #expect(candidate.raw[key] == "value", "\(key.name)")
        }
    }

    @Test("a column whose name is no debt key is not mapped")
    func unrelatedColumn() throws {
        let candidate = try mapOne(row([("Notes", "call after 6pm"), ("Agence", "Lyon")]))
        #expect(candidate.raw.isEmpty)
        #expect(candidate.data.object == row([("Notes", "call after 6pm"), ("Agence", "Lyon")]))
    }

    @Test("explicit fields name the source column, exactly or by its folded name, and win over automatic matching")
    func explicitFields() throws {
        let options = MapOptions(fields: ["phone": "Mobile perso", "firstname": "PRENOM CLIENT"])
        let candidate = try mapOne(row([("Téléphone", "0140000000"), ("Mobile perso", "0612345678"),
                                        ("Prénom client", "Jean")]), options: options)
        #expect(candidate.raw["phone"] == "0612345678")
        #expect(candidate.raw["firstname"] == "Jean")
    }

    @Test("a source's metadata object becomes the debt's metadata: its own `metadata` member, or the one `fields` names, as read")
    func metadataObject() throws {
        let meta = object(("debtorId", .number("7")), ("tags", .array(["a", "b"])))
        let own = try mapOne(fields(("name", "Jean"), ("metadata", meta)))
        #expect(own.metadata?.object == fields(("debtorId", .number("7")), ("tags", .array(["a", "b"]))))
        let named = try mapOne(fields(("name", "Jean"), ("meta", meta)), options: MapOptions(fields: ["metadata": "meta"]))
        #expect(named.metadata == own.metadata)
        let nested = try mapOne(fields(("debt", object(("firstname", "Jean"), ("metadata", meta)))),
                                options: MapOptions(fields: ["firstname": "debt.firstname", "metadata": "debt.metadata"]))
        #expect(nested.metadata == own.metadata && nested.raw["firstname"] == "Jean")
        // Not an object: no metadata (and a text column named so is no debt text either).
        #expect(try mapOne(fields(("name", "Jean"), ("metadata", "just text"))).metadata == nil)
        #expect(try mapOne(fields(("name", "Jean"))).metadata == nil)
        // `fields` names another member: the record's own `metadata` is not taken instead.
        #expect(try mapOne(fields(("metadata", meta)), options: MapOptions(fields: ["metadata": "meta"])).metadata == nil)
    }

    @Test("a dotted field reaches into nested objects")
    func dottedField() throws {
        let options = MapOptions(fields: ["phone": "contact.mobile", "email": "contact.mail"])
        let candidate = try mapOne(fields(("name", "Jean"), ("contact", object(("mobile", "0612345678"),
                                                                              ("mail", "j@example.fr")))),
                                   options: options)
        #expect(candidate.raw["phone"] == "0612345678")
        #expect(candidate.raw["email"] == "j@example.fr")
    }

    @Test("a constant is the default of its key: a column found by its name still wins when it has a value")
    func constantAsDefault() throws {
        let options = MapOptions(constants: ["currency": "EUR"])
        let candidates = try map([record(row([("Devise", "CHF")]), number: 1), record(row([("Devise", " ")]), number: 2)],
                                 options: options)
        #expect(candidates.map { $0.raw["currency"] } == ["CHF", "EUR"])
    }

    @Test("two columns of one key (téléphone, portable): the first that is not blank gives the value, else the constant")
    func synonymColumnsFirstNonBlank() throws {
        let options = MapOptions(constants: ["phone": "0100000000"])
        let rows: [[(String, String)]] = [
            [("Prénom", "A"), ("téléphone", ""), ("portable", "06 12 34 56 78")],
            [("Prénom", "B"), ("téléphone", "01 23 45 67 89"), ("portable", "06 12 34 56 78")],
            [("Prénom", "C"), ("téléphone", " "), ("portable", "")],
        ]
        let candidates = try map(rows.enumerated().map { record(row($1), number: $0 + 1) }, options: options)
        #expect(candidates.map { $0.raw["phone"] } == ["06 12 34 56 78", "01 23 45 67 89", "0100000000"])
        #expect(candidates.map { $0.raw["firstname"] } == ["A", "B", "C"])
        // A JSON record (not flat: a nested member) reads its columns the same way.
        var nested = row([("téléphone", ""), ("portable", "07 11 22 33 44")])
        nested.append("adresse", .object(RecordObject(entries: [.init(key: "ville", value: .string("Lyon"))])))
        #expect(try mapOne(nested).raw["phone"] == "07 11 22 33 44")
    }

    @Test("names one level down are further columns of their key: read when the names before them (top-level first) gave nothing, then the constant")
    func nestedNamesFirstNonBlank() throws {
        let inside = try mapOne(fields(("prenom", "J"), ("contact", object(("telephone", ""), ("mobile", "0612345678")))))
        #expect(inside.raw["phone"] == "0612345678")
        let beside = try mapOne(fields(("telephone", " "), ("contact", object(("mobile", "0612345678"))),
                                       ("ville", ""), ("adresse", object(("ville", "Paris")))))
        #expect(beside.raw["phone"] == "0612345678")
        #expect(beside.raw["city"] == "Paris")
        let first = try mapOne(fields(("telephone", "0140000000"), ("contact", object(("mobile", "0612345678")))))
        #expect(first.raw["phone"] == "0140000000")
        let options = MapOptions(constants: ["phone": "0100000000", "city": "Lyon"])
        let none = try mapOne(fields(("telephone", ""), ("contact", object(("mobile", ""))), ("adresse", object(("ville", "")))),
                              options: options)
        #expect(none.raw["phone"] == "0100000000")
        #expect(none.raw["city"] == "Lyon")
        // An id is still the first id name's or none.
        let ids = try mapOne(fields(("id", ""), ("client", object(("id", "K-9")))))
        #expect(ids.raw["internal_id"] == nil)
    }

    @Test("a dotted `fields` path is matched by folded names too, as a flat one is (contact.mobile reaches Contact.Mobile)")
    func dottedFieldFolded() throws {
        let options = MapOptions(fields: ["phone": "contact.mobile"])
        let candidate = try mapOne(fields(("prenom", "J"), ("Contact", object(("Mobile", "0612345670")))), options: options)
        #expect(candidate.raw["phone"] == "0612345670")
        let exact = try mapOne(fields(("contact", object(("mobile", "0612345671"), ("Mobile", "0612345672")))), options: options)
        #expect(exact.raw["phone"] == "0612345671")
    }

    @Test("an id is the first id column's or none: a blank one is not filled from another id-like column (a customer number)")
    func idColumnsHaveNoFallback() throws {
        let rows: [[(String, String)]] = [
            [("id", "R-1"), ("client id", "C-7"), ("Prénom", "A")],
            [("id", ""), ("client id", "C-7"), ("Prénom", "B")],
            [("id", " "), ("client id", "C-7"), ("Prénom", "C")],
        ]
        let candidates = try map(rows.enumerated().map { record(row($1), number: $0 + 1, source: "/in/debts.csv") })
        #expect(candidates.map(\.tempID) == ["R-1", "debts.csv#2", "debts.csv#3"])
    }

    @Test("a constant fills its key when the record gives no value, and a mapped value wins over it")
    func constants() throws {
        let options = MapOptions(fields: ["currency": "Devise"], constants: ["currency": "EUR", "country": "FR"])
        let candidates = try map([record(row([("Devise", "")]), number: 1), record(row([("Devise", "CHF")]), number: 2)],
                                 options: options)
        #expect(candidates.map { $0.raw["currency"] } == ["EUR", "CHF"])
        #expect(candidates.map { $0.raw["country"] } == ["FR", "FR"])
    }

    @Test("numbers and booleans of JSON records are mapped as their text")
    func jsonScalars() throws {
        let candidate = try mapOne(fields(("amount", .number("1234.50")), ("accept_expensive_destination", .bool(true))))
        #expect(candidate.raw["amount"] == "1234.50")
        #expect(candidate.raw["accept_expensive_destination"] == "true")
    }

    @Test("records with different key lists in one chunk are each mapped by their own names")
    func mixedHeaderSets() throws {
        let candidates = try map([
            record(row([("Prénom", "Jean"), ("Montant", "10")]), number: 1),
            record(row([("Vorname", "Hans"), ("Betrag", "20"), ("Währung", "EUR")]), number: 2),
            record(row([("Prénom", "Marie"), ("Montant", "30")]), number: 3),
        ])
        #expect(candidates.map { $0.raw["firstname"] } == ["Jean", "Hans", "Marie"])
        #expect(candidates.map { $0.raw["amount"] } == ["10", "20", "30"])
        #expect(candidates.map { $0.raw["currency"] } == [nil, "EUR", nil])
    }

    @Test("the first of two columns for the same key is taken")
    func firstMatchWins() throws {
        let candidate = try mapOne(row([("Portable", "0612345678"), ("Téléphone", "0140000000")]))
        #expect(candidate.raw["phone"] == "0612345678")
    }

    @Test("the record's own temp_id, else internal_id, is its temp id")
    func ownTempID() throws {
        #expect(try mapOne(row([("temp_id", " T-1 "), ("ID", "C-9")])).tempID == "T-1")
        #expect(try mapOne(row([("Référence client", "C-9")])).tempID == "C-9")
    }

    @Test("without an id, the temp id is the source file name and the record number: stable across runs, unique within one")
    func derivedTempID() throws {
        let records = (1...3).map { record(row([("Prénom", "Jean")]), number: $0, source: "/srv/in/debtors-2026.csv") }
        let first = try map(records).map(\.tempID)
        let second = try map(records).map(\.tempID)
        #expect(first == second)
        #expect(Set(first.compactMap { $0 }).count == 3)
        #expect(first[0] == "debtors-2026.csv#1")
        // A blank id column is no id.
        let blank = try map([record(row([("temp_id", "  "), ("Prénom", "Jean")]), number: 7, source: "/srv/in/debtors-2026.csv")])
        #expect(blank.first?.tempID == "debtors-2026.csv#7")
    }

    @Test("a mapped country code becomes the region for the record's national phone numbers")
    func countryCodeRegion() throws {
        #expect(try mapOne(row([("Country code", "de")])).phoneRegion == "DE")
        #expect(try mapOne(row([("Country code", "Germany")])).phoneRegion == nil)
    }

    @Test("a record the reader could not read carries its malformed_row error")
    func malformedRow() throws {
        let problem = RecordError(field: nil, code: .malformedRow, message: "3 fields, expected 4")
        let candidates = try map([record(row([("Prénom", "Jean")]), problem: problem)])
        #expect(candidates.first?.errors == [problem])
    }

    @Test("provenance and the record as read are kept")
    func provenanceKept() throws {
        let input = record(row([("Prénom", "Jean")]), number: 7)
        let candidate = try map([input])[0]
        #expect(candidate.provenance == input.provenance)
        #expect(candidate.data == input.view)
    }

    @Test("names one level down in nested objects are matched too (contact.mobile, adresse.ville)")
    func nestedAutomaticMatching() throws {
        let candidate = try mapOne(fields(("id", "INV-1"), ("contact", object(("mobile", "06 12 34 56 78"),
                                                                             ("email", "j@example.fr"))),
                                          ("adresse", object(("@pays", "FR"), ("numero", "12"), ("rue", "rue de la Paix"),
                                                             ("cp", "75002"), ("ville", "Paris")))))
        #expect(candidate.raw["phone"] == "06 12 34 56 78")
        #expect(candidate.raw["email"] == "j@example.fr")
        #expect(candidate.raw["street_number"] == "12")
        #expect(candidate.raw["street_address"] == "rue de la Paix")
        #expect(candidate.raw["postal_code"] == "75002")
        #expect(candidate.raw["city"] == "Paris")
        #expect(candidate.raw["country"] == "FR")
        #expect(candidate.tempID == "INV-1")
    }

    @Test("a top-level name wins over a nested one; a \"numéro\" outside an address is not a street number")
    func topLevelFirst() throws {
        let candidate = try mapOne(fields(("phone", "0140000000"), ("contact", object(("mobile", "0612345678"))),
                                          ("numero", "42")))
        #expect(candidate.raw["phone"] == "0140000000")
        #expect(candidate.raw["street_number"] == nil)
    }

    @Test("XML elements: attributes match like names, #text is the value, a repeated element gives its first")
    func xmlElements() throws {
        let candidate = try mapOne(fields(("@id", "C-1"), ("nom", "Dupont"),
                                          ("telephone", [object(("@type", "mobile"), ("#text", "06 12 34 56 78")),
                                                         object(("@type", "fixe"), ("#text", "01 42 68 53 00"))]),
                                          ("solde", object(("@devise", "EUR"), ("#text", "12,50")))))
        #expect(candidate.tempID == "C-1")
        #expect(candidate.raw["internal_id"] == "C-1")
        #expect(candidate.raw["phone"] == "06 12 34 56 78")
        #expect(candidate.raw["amount"] == "12,50")
    }

    @Test("XML: an empty element with attributes only before the one with text (<telephone type=\"fixe\"/><telephone type=\"mobile\">06…) gives the text")
    func xmlRepeatedElementEmptyFirst() throws {
        let first = try mapOne(fields(("nom", "Dupont"),
                                      ("telephone", [object(("@type", "fixe")), object(("@type", "mobile"), ("#text", "0612345678"))])))
        #expect(first.raw["phone"] == "0612345678")
        let blankText = try mapOne(fields(("nom", "Dupont"),
                                          ("telephone", [object(("@type", "fixe"), ("#text", " ")), object(("#text", "0612345678"))])))
        #expect(blankText.raw["phone"] == "0612345678")
        // A list of elements holding child elements is no text.
        let nested = try mapOne(fields(("nom", "Dupont"),
                                       ("telephone", [object(("@type", "fixe"), ("numero", object(("#text", "0612345678"))))])))
        #expect(nested.raw["phone"] == nil)
    }

    @Test("XML: an attribute of an element with text is matched like a name (<montant devise=\"CHF\">12.50</montant>: currency CHF)")
    func xmlAttributeOfTextElement() throws {
        let candidate = try mapOne(fields(("nom", "Dupont"), ("montant", object(("@devise", "CHF"), ("#text", "12.50")))))
        #expect(candidate.raw["amount"] == "12.50")
        #expect(candidate.raw["currency"] == "CHF")
        // A currency element of its own comes first.
        let both = try mapOne(fields(("montant", object(("@devise", "CHF"), ("#text", "12.50"))), ("devise", "EUR")))
        #expect(both.raw["currency"] == "EUR")
    }

    @Test("XML: only the amount's own element gives a currency attribute; other elements' attributes (a fee's currency, an agency's id, a title) are not the debt's")
    func xmlOtherElementsAttributes() throws {
        let candidate = try mapOne(fields(("frais", object(("@devise", "USD"), ("#text", "3"))),
                                          ("montant_origine", object(("@devise", "USD"), ("#text", "130,00"))),
                                          ("montant", object(("@devise", "EUR"), ("#text", "120,00"))),
                                          ("telephone", object(("@id", "1"), ("#text", "0612345678"))),
                                          ("prestation", object(("@title", "Cotisation annuelle"), ("#text", "Abonnement"))),
                                          ("contact", object(("@mobile", "oui"), ("#text", "Jean")))))
        #expect(candidate.raw["amount"] == "120,00")
        #expect(candidate.raw["currency"] == "EUR")
        #expect(candidate.raw["internal_id"] == nil)
        #expect(candidate.raw["civility"] == nil)
        #expect(candidate.raw["phone"] == "0612345678")
        #expect(candidate.tempID != "1")
        // Two amount elements: which gives the amount is known per record only, so neither's
        // currency attribute is taken (a blank first one would lend its currency to the second's amount).
        let two = try mapOne(fields(("montant", object(("@devise", "CHF"), ("#text", " "))),
                                    ("solde", object(("@devise", "EUR"), ("#text", "13,50")))))
        #expect(two.raw["amount"] == "13,50")
        #expect(two.raw["currency"] == nil)
    }

    @Test("a text element's attribute that is null in one record and text in the next maps alike in either order (the plan chooses by names)")
    func attributeKindsDoNotChooseThePlan() throws {
        let none = fields(("nom", "Dupont"), ("montant", object(("#text", "12,50"), ("@devise", .null))))
        let swiss = fields(("nom", "Dupont"), ("montant", object(("#text", "12,50"), ("@devise", "CHF"))))
        #expect(try map([record(none, number: 1), record(swiss, number: 2)]).map { $0.raw["currency"] } == [nil, "CHF"])
        #expect(try map([record(swiss, number: 1), record(none, number: 2)]).map { $0.raw["currency"] } == ["CHF", nil])
    }

    @Test("XML: records whose elements with text differ only by their attributes are each mapped by their own (the plan cache tells them apart), in either order")
    func xmlAttributesAreShape() throws {
        let typed = fields(("nom", "Dupont"), ("montant", object(("@type", "TTC"), ("#text", "10.00"))))
        let priced = fields(("nom", "Dupont"), ("montant", object(("@devise", "CHF"), ("#text", "12.50"))))
        let forward = try map([record(typed, number: 1), record(priced, number: 2)])
        #expect(forward.map { $0.raw["currency"] } == [nil, "CHF"])
        let backward = try map([record(priced, number: 1), record(typed, number: 2)])
        #expect(backward.map { $0.raw["currency"] } == ["CHF", nil])
    }

    @Test("records with the same keys but different nested keys are each mapped by their own nested names")
    func nestedShapesDiffer() throws {
        let candidates = try map([
            record(fields(("id", "1"), ("contact", object(("email", "a@example.fr")))), number: 1),
            record(fields(("id", "2"), ("contact", object(("mobile", "0612345678")))), number: 2),
        ])
        #expect(candidates.map { $0.raw["email"] } == ["a@example.fr", nil])
        #expect(candidates.map { $0.raw["phone"] } == [nil, "0612345678"])
    }

    @Test("folding ignores case, accents, spaces, underscores and dashes")
    func folding() {
        #expect(FieldNameMatcher.fold("Date de Naissance") == "datedenaissance")
        #expect(FieldNameMatcher.fold("Straße_Nr-1") == "strassenr1")
        #expect(FieldNameMatcher.fold("ÉCHÉANCE") == "echeance")
    }
}
