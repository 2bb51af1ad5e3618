/// The words the generator draws from: names from France, Germany, Belgium, Italy and the
/// Maghreb (accents included), mail domains, cities, designations. Kept as `[UInt8]` once, at
/// start-up, so rows are built from bytes.
enum Vocabulary {
    /// A name as written, and its ASCII form for e-mail addresses.
    struct Name {
        let text: [UInt8]
        let ascii: [UInt8]
        let string: String

        init(_ string: String) {
            self.string = string
            text = Array(string.utf8)
            ascii = Vocabulary.asciiMailPart(string)
        }
    }

    static let firstNames: [Name] = [
        "Jean", "Marie", "Élodie", "Hélène", "François", "Zoé", "Chloé", "Jérôme", "Sébastien", "Anaïs",
        "Noël", "Loïc", "Gaël", "Maëlle", "Agnès", "Françoise", "Thérèse", "Mathéo", "Léa", "Inès",
        "Camille", "Nicolas", "Pierre", "Sophie", "Julien", "Céline", "Benoît", "Aurélie", "Stéphane", "Cécile",
        "Jean-Baptiste", "Marie-Hélène", "Anne-Sophie", "Jürgen", "Björn", "Sören", "Käthe", "Lukas", "Anja",
        "Jörg", "Wouter", "Lotte", "Maarten", "Geert", "Sien", "Giuseppe", "Niccolò", "Francesca", "Giulia",
        "Alessandro", "Gianluca", "Mohamed", "Fatima", "Karim", "Yasmine", "Nadia", "Rachid", "Aïcha", "Youssef",
        "Émile", "Adèle", "Raphaël", "Joël", "Clément", "Océane", "Ségolène", "Hervé", "Gérard", "Renée",
    ].map(Name.init)

    static let lastNames: [Name] = [
        "Dupont", "Martin", "Lefèvre", "Lefebvre", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Rousseau",
        "Fournier", "Garçon", "Bézier", "Lemaître", "Besançon", "Cœurdevey", "Lebœuf", "Lévêque", "Château",
        "Périer", "Dumas", "Fontaine", "Chevalier", "Leroy", "Petit", "Durand", "Mercier", "Boulanger",
        "Müller", "Schröder", "Weiß", "Schäfer", "Köhler", "Groß", "Becker", "Jäger", "Krüger",
        "Van den Bossche", "De Smet", "Peeters", "Janssens", "Vermeulen", "Goossens", "Claes",
        "Rossi", "Bianchi", "Ferrari", "Esposito", "Colombo", "D'Angelo", "Dell'Acqua", "Nicolò",
        "N'Diaye", "Benali", "El Amrani", "Haddad", "Bouzid", "Ben Salah", "Saïdi", "Mbappé", "Hoarau", "Grondin",
        "Étienne", "Noël", "Le Gall", "Le Bihan", "Kervella", "Ducrocq",
    ].map(Name.init)

    static let mailDomains: [[UInt8]] = [
        "gmail.com", "orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr", "yahoo.fr",
        "outlook.com", "icloud.com", "web.de", "gmx.de", "t-online.de", "skynet.be", "telenet.be", "libero.it",
        "alice.it", "example.org", "Orange.FR", "GMAIL.com",
    ].map { Array($0.utf8) }

    /// Contract-invalid e-mails (§3 rule): no domain, spaces, two `@`, one-label domain, short TLD, …
    static let invalidEmails: [[UInt8]] = [
        "jean.dupont@", "jean dupont@gmail.com", "marie@@orange.fr", "contact@orange", "@free.fr",
        "paul.martin@-laposte.net", "sophie.durand@gmail.c", "pas d'email", "n/a", "julien.petit.orange.fr",
        "anne@exa mple.fr", "x@y", "élodie@", "karim@gmail..com",
    ].map { Array($0.utf8) }

    static let instructionTexts: [[UInt8]] = [
        "* Merci de ne pas modifier la ligne d'en-tête", "*** Montants TTC en euros ***",
        "* Ligne d'exemple – à supprimer", "*Exemple : 06 12 34 56 78", "* Dates au format JJ/MM/AAAA",
    ].map { Array($0.utf8) }

    static let mandatoryTexts: [[UInt8]] = [
        "Champs obligatoires", "(champs obligatoires en gras)", "CHAMPS OBLIGATOIRES", "Champs Obligatoires *",
        "champs obligatoires : Prénom, Nom, Montant",
    ].map { Array($0.utf8) }

    struct City {
        let name: String
        let postalCode: String
        let countryCode: String
    }

    static let cities: [City] = [
        City(name: "Paris", postalCode: "75011", countryCode: "FR"), City(name: "Lyon", postalCode: "69003", countryCode: "FR"),
        City(name: "Marseille", postalCode: "13008", countryCode: "FR"), City(name: "Lille", postalCode: "59000", countryCode: "FR"),
        City(name: "Bordeaux", postalCode: "33000", countryCode: "FR"), City(name: "Toulouse", postalCode: "31000", countryCode: "FR"),
        City(name: "Strasbourg", postalCode: "67000", countryCode: "FR"), City(name: "Nantes", postalCode: "44000", countryCode: "FR"),
        City(name: "Besançon", postalCode: "25000", countryCode: "FR"), City(name: "Saint-Étienne", postalCode: "42000", countryCode: "FR"),
        City(name: "Pointe-à-Pitre", postalCode: "97110", countryCode: "FR"), City(name: "Saint-Denis", postalCode: "97400", countryCode: "FR"),
        City(name: "Fort-de-France", postalCode: "97200", countryCode: "FR"), City(name: "Bruxelles", postalCode: "1000", countryCode: "BE"),
        City(name: "Liège", postalCode: "4000", countryCode: "BE"), City(name: "Köln", postalCode: "50667", countryCode: "DE"),
        City(name: "München", postalCode: "80331", countryCode: "DE"), City(name: "Torino", postalCode: "10121", countryCode: "IT"),
        City(name: "Genève", postalCode: "1201", countryCode: "CH"),
    ]

    static let streets: [String] = [
        "Rue de la République", "Avenue Jean Jaurès", "Boulevard Voltaire", "Rue du Faubourg Saint-Antoine",
        "Place de l'Église", "Chemin des Écoliers", "Hauptstraße", "Rue Neuve", "Via Roma", "Impasse des Lilas",
    ]

    static let designations: [String] = [
        "Cotisation mensuelle", "Frais de rejet bancaire", "Frais de dossier", "Boisson protéinée",
        "Carte 10 entrées", "Mitgliedsbeitrag", "Coaching personnel", "Serviette – location", "Frais de relance",
    ]

    /// Lowercase ASCII letters, digits, `.` and `-` of `text` (accents stripped, `œ` → `oe`,
    /// `ß` → `ss`, spaces and apostrophes dropped): the part of an address built from a name.
    static func asciiMailPart(_ text: String) -> [UInt8] {
        var result: [UInt8] = []
        for scalar in text.lowercased().unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9", "-": result.append(UInt8(scalar.value))
            case "à", "â", "ä", "á": result.append(UInt8(ascii: "a"))
            case "é", "è", "ê", "ë": result.append(UInt8(ascii: "e"))
            case "î", "ï", "í": result.append(UInt8(ascii: "i"))
            case "ô", "ö", "ò", "ó": result.append(UInt8(ascii: "o"))
            case "ù", "û", "ü", "ú": result.append(UInt8(ascii: "u"))
            case "ç": result.append(UInt8(ascii: "c"))
            case "ÿ": result.append(UInt8(ascii: "y"))
            case "œ": result.append(contentsOf: [UInt8(ascii: "o"), UInt8(ascii: "e")])
            case "ß": result.append(contentsOf: [UInt8(ascii: "s"), UInt8(ascii: "s")])
            default: break
            }
        }
        return result
    }
}
