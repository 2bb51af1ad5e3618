import DebtflowCore
import Foundation

/// Finds the debt key a source column stands for, from its name: case, accents, spaces, `_`,
/// `-`, `.` and apostrophes ignored, with common French, German and English synonyms
/// (`Prénom`, `Vorname`, `First Name` → `firstname`).
///
/// Matching runs once per distinct header set (see ``FieldMappingPlan``), never per record, so it
/// may use Foundation's string folding.
public enum FieldNameMatcher {
    /// The comparable form of a name: lowercased, accents removed (`ß` → `ss`, `œ` → `oe`), and
    /// spaces, `_`, `-`, `.`, `'`, `’` dropped. `"Date de naissance"` → `"datedenaissance"`.
    public static func fold(_ name: String) -> String {
        foldedASCII(name) ?? foldedUnicode(name)
    }

    /// ``fold(_:)`` of any name, by Foundation's case and diacritic folding.
    static func foldedUnicode(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var result = ""
        result.reserveCapacity(folded.utf8.count)
        // An XML attribute (`@pays`) is named like an element.
        for scalar in folded.unicodeScalars.drop(while: { $0 == "@" }) {
            switch scalar {
            case " ", "_", "-", ".", "'", "\u{2019}", "\t", "\u{A0}", "\u{202F}": continue
            case "ß": result += "ss"
            case "œ": result += "oe"
            case "æ": result += "ae"
            default:
                if scalar.properties.isWhitespace { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// ``fold(_:)`` of an all-ASCII name, without Foundation (a header of millions of columns is
    /// folded once per name): lowercased, leading `@`s dropped, then spaces, `_`, `-`, `.`, `'`
    /// and ASCII whitespace dropped. `nil` when `name` is not all ASCII.
    static func foldedASCII(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { bytes -> String? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            let kept = bytes.drop(while: { $0 == UInt8(ascii: "@") })
            return String(unsafeUninitializedCapacity: kept.count) { buffer in
                var count = 0
                for byte in kept {
                    switch byte {
                    case UInt8(ascii: " "), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "'"),
                         0x09...0x0D: continue
                    case UInt8(ascii: "A")...UInt8(ascii: "Z"): buffer[count] = byte + 0x20
                    default: buffer[count] = byte
                    }
                    count += 1
                }
                return count
            }
        }
    }

    /// The debt key a source name stands for, or `nil` when it is none of them.
    public static func debtKey(forSourceName name: String) -> DebtKey? {
        synonyms[fold(name)]
    }

    /// Folded names that mean the street number inside an address object (`adresse.numero`), but
    /// not at the top level, where a "numéro" may be anything.
    static let streetNumberInAddress: Set<String> = ["numero", "number", "nr", "no", "num", "hausnummer", "n"]

    /// Folded name → debt key (a key's own name stands for it too).
    static let synonyms: [String: DebtKey] = {
        var table: [String: DebtKey] = [:]
        for (key, names) in synonymLists {
            table[fold(key.name)] = key
            for name in names { table[fold(name)] = key }
        }
        return table
    }()

    private static let synonymLists: [(DebtKey, [String])] = [
        (.firstname, ["prénom", "prenom", "vorname", "first name", "first_name", "given name", "givenname",
                      "firstName", "forename"]),
        (.lastname, ["nom", "nachname", "last name", "surname", "name de famille", "nom de famille",
                     "familienname", "lastName", "family name"]),
        (.amount, ["montant", "betrag", "amount", "somme", "montant dû", "montant du", "openAmount",
                   "open amount", "solde", "offener betrag"]),
        (.currency, ["devise", "währung", "waehrung", "currency", "monnaie"]),
        (.phone, ["téléphone", "telephone", "portable", "mobile", "telefon", "handy", "phone", "tel", "tél",
                  "phone number", "mobile phone", "numéro de téléphone", "telefonnummer", "handynummer",
                  "mobilnummer", "gsm", "cell phone"]),
        (.email, ["courriel", "e-mail", "email", "mail", "adresse email", "adresse e-mail", "adresse mail",
                  "email address", "e-mail-adresse"]),
        (.civility, ["civilité", "civilite", "anrede", "salutation", "title"]),
        (.birthdate, ["birthdate", "birth date", "date of birth", "date de naissance", "geburtsdatum",
                      "birthday", "naissance"]),
        (.iban, ["iban"]),
        (.company, ["company", "société", "societe", "firma", "entreprise", "raison sociale", "unternehmen"]),
        (.streetAddress, ["address", "adresse", "rue", "straße", "strasse", "street", "street address",
                          "anschrift"]),
        (.streetNumber, ["street number", "house number", "hausnummer", "numéro de rue", "numero de voie"]),
        (.postalCode, ["postal code", "postcode", "code postal", "plz", "zip", "zip code", "postleitzahl", "cp"]),
        (.city, ["city", "ville", "ort", "stadt", "commune", "town"]),
        (.country, ["country", "pays", "land"]),
        (.countryCode, ["country code", "countryCode", "code pays", "ländercode", "laendercode"]),
        (.invoiceDate, ["invoice date", "date facture", "date de facture", "rechnungsdatum"]),
        (.dueDate, ["due date", "échéance", "echeance", "date d'échéance", "date échéance", "fälligkeit",
                    "fälligkeitsdatum"]),
        (.object, ["object", "objet", "libellé", "libelle", "designation", "désignation", "motif",
                   "verwendungszweck"]),
        // A record's own reference is its id (CONTRACT.md §3: temp_id is "the record's own id, e.g. a
        // collection case id, when it has one"), not the debt's object.
        (.internalID, ["internal id", "id", "reference", "référence", "ref", "réf", "référence dossier",
                       "référence client", "reference client", "dossier", "numéro de dossier", "numero dossier",
                       "case id", "collection case id", "aktenzeichen", "kundennummer", "customer id", "client id"]),
        (.tempID, ["temp id"]),
        (.timelineID, ["timeline id"]),
        (.timelineStartMode, ["timeline start mode"]),
        (.acceptExpensiveDestination, ["accept expensive destination"]),
    ]
}
