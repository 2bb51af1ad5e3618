#!/usr/bin/env python3
"""Writes the committed sample inputs in samples/ (run from anywhere: python3 Scripts/make_samples.py).

Each sample is small and hand-curated so that every outcome of the contract (CONTRACT.md §3-§4) is
represented on purpose; the expected outcome of every record is written next to it here and into
samples/README.md's tables. Binary and odd-encoded files (Windows-1252, ISO-8859-1, gzip, two gzip
members) are produced here so that their bytes are reproducible: gzip headers carry mtime 0 and no
file name.

Everything is deterministic: running the script twice gives identical files.
"""

import gzip
import io
import json
import os
import random
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "samples")

NBSP = "\u00a0"   # no-break space
NNBSP = "\u202f"  # narrow no-break space


# ---------------------------------------------------------------------------------------------
# Helpers


def iban(country: str, bban: str, valid: bool = True) -> str:
    """An IBAN with correct ISO 13616 check digits (or, with valid=False, one digit changed)."""
    def number(text: str) -> int:
        return int("".join(str(int(c, 36)) for c in text))
    check = 98 - number(bban + country + "00") % 97
    text = f"{country}{check:02d}{bban}"
    if not valid:
        last = int(text[-1])
        text = text[:-1] + str((last + 3) % 10)
    assert (number(text[4:] + text[:4]) % 97 == 1) == valid
    return text


def grouped(text: str) -> str:
    """`FR7630006000011234567890189` → `FR76 3000 6000 0112 3456 7890 189`."""
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def write_bytes(name: str, data: bytes) -> None:
    path = os.path.join(SAMPLES, name)
    with open(path, "wb") as handle:
        handle.write(data)
    print(f"wrote {path} ({len(data)} bytes)")


def gzip_member(data: bytes) -> bytes:
    """One gzip member with mtime 0 and no name: the same bytes on every run."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as handle:
        handle.write(data)
    return buffer.getvalue()


def csv_field(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(rows, delimiter: str, newline: str) -> str:
    return "".join(delimiter.join(csv_field(v, delimiter) for v in row) + newline for row in rows)


IBAN_FR_1 = iban("FR", "30006000011234567890189")
IBAN_FR_2 = iban("FR", "20041010050500013M02606")
IBAN_DE = iban("DE", "370400440532013000")
IBAN_BE = iban("BE", "539007547034")
IBAN_BAD = iban("FR", "14508000702654783221987", valid=False)

# ---------------------------------------------------------------------------------------------
# samples/debts.csv: `;`, UTF-8 with BOM, every outcome.

DEBTS_HEADER = ["Référence", "Prénom", "Nom", "Montant", "Devise", "Téléphone", "Email", "Date échéance", "IBAN"]

# (fields, expected outcome, what it shows)
DEBTS = [
    (["Champs obligatoires", "obligatoire", "obligatoire", "obligatoire", "obligatoire", "", "", "", ""],
     "skipped instruction_row", "a \"champs obligatoires\" row under the header"),
    (["* Exemple : 06 12 34 56 78 ou +33 6 12 34 56 78", "", "", "", "", "", "", "", ""],
     "skipped instruction_row", "first cell starts with `*`"),
    (["DOS-1001", "Jean", "Dupont", "1234,50", "EUR", "06 12 34 56 78", "jean.dupont@example.fr", "15/01/2025",
      grouped(IBAN_FR_1)], "valid", "plain French row, grouped IBAN"),
    (["DOS-1002", "Élodie", "Lefèvre", f"1{NBSP}234,56", "€", "+33 7 81 23 45 67", "elodie.lefevre@orange.fr",
      "28/02/2025", ""], "valid", "no-break space thousands, `€` as currency, +33 mobile"),
    (["DOS-1003", "François", "Garçon", "1.234,56", "eur", "0033612345678", "", "31/03/2025", ""],
     "valid", "`1.234,56`, lower-case currency, 0033 prefix"),
    (["DOS-1004", "Zoé", "Bézier", "€12,50", "", "612345678", "", "", ""],
     "valid", "currency from the amount, leading 0 lost by a spreadsheet"),
    (["DOS-1005", "Jérôme", "Lemaître", "12,50 €", "", "06.12.34.56.78", "jerome.lemaitre@free.fr", "", ""],
     "valid", "`12,50 €`, dotted phone"),
    (["DOS-1006", "Anaïs", "Cœurdevey", "EUR 12.50", "", "'0612345678", "", "05.04.2025", ""],
     "valid", "`EUR 12.50`, spreadsheet `'` text marker, DD.MM.YYYY"),
    (["DOS-1007", "Hélène", "Müller", "89.90", "EUR", "06 12 34 56 78 poste 12", "", "2025-04-30", IBAN_DE],
     "valid", "extension dropped, ISO date, German IBAN"),
    (["DOS-1008", "Noël", "Château", "1,234.56", "EUR", "+33 (0)1 42 68 53 00", "", "", ""],
     "valid", "`1,234.56`, trunk `(0)` after +33, Paris landline"),
    (["DOS-1009", "Loïc", "Le Gall", "250", "Euro", "", "loic.legall@free.fr", "", ""],
     "valid", "e-mail only, `Euro`"),
    (["DOS-1010", "Jürgen", "Schröder", "45,00", "EUR", "+49 151 23456789", "j.schroeder@web.de", "", ""],
     "valid", "EU zone (Germany)"),
    (["DOS-1011", "Wouter", "Peeters", "75,00", "EUR", "+32 470 12 34 56", "", "", IBAN_BE],
     "valid", "EU zone (Belgium), Belgian IBAN"),
    (["DOS-1012", "Giulia", "Rossi", "99,99", "EUR", "+39 347 123 4567", "giulia.rossi@libero.it", "", ""],
     "valid", "EU zone (Italy)"),
    (["DOS-1013", "Marie-Hélène", "Martin\népouse Durand", "320,00", "EUR", "07 81 23 45 67", "", "", ""],
     "valid", "quoted field with a line break"),
    (["DOS-1014", 'Jean "Jeannot"', "Dupont; Martin", "15,00", "EUR", "", "jeannot@example.fr", "", ""],
     "valid", "quoted fields with `;` and doubled quotes"),
    (["DOS-1015", "Sébastien", "Faure", f"1{NNBSP}234,56", "EUR", "06-12-34-56-78", "", "", grouped(IBAN_FR_2).lower()],
     "valid", "narrow no-break space, dashes, lower-case IBAN"),
    (["DOS-1016", "Camille", "Roux", "60", "EUR", "+33612345678", "Camille.Roux@Example.FR", "", ""],
     "valid", "e-mail domain lower-cased on output"),
    (["", "", "", "", "", "", "", "", ""], "skipped empty_row", "an empty row"),
    (["DOS-1017", "Paul", "Girard", "80,00", "EUR", "0690 12 34 56", "", "", ""],
     "failed expensive_destination", "Guadeloupe mobile (+590), dom_tom"),
    (["DOS-1018", "Nadia", "Haddad", "120,00", "EUR", "+212 6 12 34 56 78", "nadia.haddad@gmail.com", "", ""],
     "failed expensive_destination", "Morocco, maghreb (the e-mail does not rescue it)"),
    (["DOS-1019", "Mohamed", "Benali", "35,00", "EUR", "0696 12 34 56", "", "", ""],
     "failed expensive_destination", "Martinique mobile (+596)"),
    (["DOS-1020", "Océane", "Hoarau", "42,00", "EUR", "0692 45 67 89", "", "", ""],
     "failed expensive_destination", "Réunion mobile (+262)"),
    (["DOS-1021", "Oliver", "Smith", "50,00", "EUR", "+44 7400 123456", "", "", ""],
     "failed unsupported_destination", "United Kingdom"),
    (["DOS-1022", "Luca", "Meier", "50,00", "CHF", "+41 79 123 45 67", "", "", ""],
     "failed unsupported_destination", "Switzerland (CHF itself is fine)"),
    (["DOS-1023", "Pierre", "Martin", "45,00", "EUR", "O6 12 34 56 78", "", "", ""],
     "failed invalid_phone", "letter O instead of zero"),
    (["DOS-1024", "Sophie", "Leroy", "45,00", "EUR", "06 12 34", "sophie.leroy@orange.fr", "", ""],
     "failed invalid_phone", "too short (a valid e-mail does not hide it)"),
    (["DOS-1025", "Julien", "Petit", "45,00", "EUR", "", "julien.petit@orange", "", ""],
     "failed invalid_email", "one-label domain"),
    (["DOS-1026", "Céline", "Moreau", "45,00", "EUR", "", "", "", ""],
     "failed missing_contact", "neither phone nor e-mail"),
    (["DOS-1027", "Benoît", "Fournier", "0", "EUR", "06 12 34 56 78", "", "", ""],
     "failed non_positive_amount", "zero"),
    (["DOS-1028", "Aurélie", "Lambert", "-25,00", "EUR", "06 12 34 56 78", "", "", ""],
     "failed non_positive_amount", "negative"),
    (["DOS-1029", "Stéphane", "Mercier", "12.345", "EUR", "06 12 34 56 78", "", "", ""],
     "failed invalid_amount", "three decimals for EUR"),
    (["DOS-1030", "Cécile", "Blanc", "douze euros", "EUR", "06 12 34 56 78", "", "", ""],
     "failed invalid_amount", "not a number"),
    (["DOS-1031", "Gérard", "Dumas", "100,00", "FRF", "06 12 34 56 78", "", "", ""],
     "failed invalid_currency", "withdrawn currency (French franc)"),
    (["DOS-1032", "Thérèse", "Bonnet", "100,00", "EUR", "06 12 34 56 78", "", "31/02/2025", ""],
     "failed invalid_date", "31 February"),
    (["DOS-1033", "Hervé", "Roche", "100,00", "EUR", "06 12 34 56 78", "", "", grouped(IBAN_BAD)],
     "failed invalid_iban", "checksum fails"),
    (["DOS-1034", "", "Lefebvre", "100,00", "EUR", "06 12 34 56 78", "", "", ""],
     "failed required", "no first name"),
    (["DOS-1035", "Adèle", "", "100,00", "EUR", "06 12 34 56 78", "", "", ""],
     "failed required", "no last name"),
    (["", "", "", "", "", "", "", "", ""], "skipped empty_row", "another empty row"),
    (["* Fin du fichier – ne rien écrire en dessous", "", "", "", "", "", "", "", ""],
     "skipped instruction_row", "closing instruction row"),
]

# ---------------------------------------------------------------------------------------------
# samples/debtors-windows1252.csv: `,`, CRLF, Windows-1252 (€ is 0x80, œ 0x9C).

WINDOWS_HEADER = ["Nom", "Prénom", "Montant", "Devise", "Portable", "Courriel"]
WINDOWS = [
    (["Lebœuf", "Hélène", "12,50 €", "", "06 12 34 56 78", "helene.leboeuf@orange.fr"], "valid", "`€` (0x80) in the amount, œ (0x9C)"),
    (["Müller", "Jürgen", "1.234,56", "EUR", "+49 151 23456789", ""], "valid", "ü (0xFC), EU phone"),
    (["Cœur", "Zoé", "€99,00", "€", "07 81 23 45 67", ""], "valid", "€ in both amount and currency"),
    (["Dupré", "André", "45", "euros", "", "andre.dupre@free.fr"], "valid", "e-mail only"),
    (["Garçon", "Maëlle", "0,00", "EUR", "06 12 34 56 78", ""], "failed non_positive_amount", "zero"),
    (["Schäfer", "Käthe", "30,00", "EUR", "06 90 12 34 56", ""], "failed expensive_destination", "Guadeloupe"),
    (["Noël", "Benoît", "20,00", "FRF", "06 12 34 56 78", ""], "failed invalid_currency", "FRF"),
    (["*** Montants TTC ***", "", "", "", "", ""], "skipped instruction_row", "instruction row"),
]

# ---------------------------------------------------------------------------------------------
# samples/debtors-tab.csv: tab-separated, German headers (synonyms: Vorname, Nachname, Betrag, …).

TAB_HEADER = ["Kundennummer", "Vorname", "Nachname", "Betrag", "Währung", "Telefon", "E-Mail"]
TAB = [
    (["K-501", "Björn", "Groß", "1.234,56", "EUR", "+49 176 12345678", "bjoern.gross@gmx.de"], "valid", "German amount"),
    (["K-502", "Anja", "Köhler", "49,90", "EUR", "0049 151 23456789", ""], "valid", "0049 prefix"),
    (["K-503", "Lukas", "Weiß", "19,99", "EUR", "06 12 34 56 78", ""], "valid", "French national number (default region FR)"),
    (["K-504", "Sören", "Jäger", "75,00", "EUR", "+41 79 123 45 67", ""], "failed unsupported_destination", "Switzerland"),
    (["K-505", "Käthe", "Becker", "-5,00", "EUR", "", "kaethe.becker@web.de"], "failed non_positive_amount", "negative"),
    (["K-506", "Jörg", "Krüger", "12,00", "EUR", "", ""], "failed missing_contact", "no contact"),
    (["", "", "", "", "", "", ""], "skipped empty_row", "empty row"),
    (["K-508", "Lotte", "Schröder", "60,00", "DEM", "+49 151 98765432", ""], "failed invalid_currency", "Deutsche Mark"),
]

# ---------------------------------------------------------------------------------------------
# samples/debts.json (array of objects, nested contact) and samples/debts.ndjson (flat objects).

DEBTS_JSON = [
    ({"id": "INV-2025-0001", "first_name": "Jean", "last_name": "Dupont", "amount": 1234.5, "currency": "EUR",
      "contact": {"mobile": "06 12 34 56 78", "email": "jean.dupont@example.fr"}, "due_date": "15/01/2025"},
     "valid", "amount as a JSON number"),
    ({"id": "INV-2025-0002", "first_name": "Élodie", "last_name": "Lefèvre", "amount": f"1{NBSP}234,56", "currency": "€",
      "contact": {"mobile": "+33 7 81 23 45 67", "email": None}, "due_date": "2025-02-28"},
     "valid", "amount as European text, null e-mail"),
    ({"id": "INV-2025-0003", "first_name": "Jürgen", "last_name": "Schröder", "amount": "45,00", "currency": "eur",
      "contact": {"mobile": "+49 151 23456789"}, "iban": grouped(IBAN_DE)},
     "valid", "EU phone, IBAN"),
    ({"id": "INV-2025-0004", "first_name": "Loïc", "last_name": "Le Gall", "amount": 250, "currency": "EUR",
      "contact": {"email": "loic.legall@free.fr"}},
     "valid", "integer amount, e-mail only"),
    ({"id": "INV-2025-0005", "first_name": "Paul", "last_name": "Girard", "amount": 80, "currency": "EUR",
      "contact": {"mobile": "0690 12 34 56"}},
     "failed expensive_destination", "Guadeloupe"),
    ({"id": "INV-2025-0006", "first_name": "Oliver", "last_name": "Smith", "amount": 50, "currency": "GBP",
      "contact": {"mobile": "+44 7400 123456"}},
     "failed unsupported_destination", "UK (GBP is a valid currency)"),
    ({"id": "INV-2025-0007", "first_name": "Pierre", "last_name": "Martin", "amount": "45,00", "currency": "EUR",
      "contact": {"mobile": "06 12 34", "email": "pierre.martin@@orange.fr"}},
     "failed invalid_phone invalid_email", "both contacts invalid: two errors"),
    ({"id": "INV-2025-0008", "first_name": "Céline", "last_name": "Moreau", "amount": -12.5, "currency": "EUR",
      "contact": {}},
     "failed non_positive_amount missing_contact", "negative and no contact: two errors"),
    ({"id": "INV-2025-0009", "first_name": "", "last_name": "Dumas", "amount": "100,00", "currency": "FRF",
      "contact": {"mobile": "06 12 34 56 78"}},
     "failed required invalid_currency", "no first name, FRF"),
    ({"id": "INV-2025-0010", "first_name": "Hervé", "last_name": "Roche", "amount": "100,00", "currency": "EUR",
      "contact": {"mobile": "06 12 34 56 78"}, "iban": IBAN_BAD, "due_date": "31/02/2025"},
     "failed invalid_iban invalid_date", "bad IBAN and impossible date"),
    ({"id": "", "first_name": "* ligne d'exemple", "last_name": "", "amount": "", "currency": "",
      "contact": {}},
     "skipped instruction_row", "instruction row in JSON"),
]

NDJSON = [
    ({"reference": "N-1", "firstname": "Camille", "lastname": "Roux", "amount": "60", "currency": "EUR",
      "phone": "+33612345678", "email": "Camille.Roux@Example.FR"}, "valid", ""),
    ({"reference": "N-2", "firstname": "Giulia", "lastname": "Rossi", "amount": 99.99, "currency": "EUR",
      "phone": "+39 347 123 4567", "email": ""}, "valid", "EU"),
    ({"reference": "N-3", "firstname": "Anaïs", "lastname": "Cœurdevey", "amount": "EUR 12.50", "currency": "",
      "phone": "'0612345678", "email": ""}, "valid", "currency from the amount"),
    ({"reference": "N-4", "firstname": "Nadia", "lastname": "Haddad", "amount": "120,00", "currency": "EUR",
      "phone": "+213 555 12 34 56", "email": ""}, "failed expensive_destination", "Algeria"),
    ({"reference": "N-5", "firstname": "Youssef", "lastname": "Ben Salah", "amount": "120,00", "currency": "EUR",
      "phone": "+216 20 123 456", "email": ""}, "failed expensive_destination", "Tunisia"),
    ({"reference": "N-6", "firstname": "Sam", "lastname": "Miller", "amount": "30,00", "currency": "USD",
      "phone": "+1 212 555 0147", "email": ""}, "failed unsupported_destination", "USA"),
    ({"reference": "N-7", "firstname": "Julien", "lastname": "Petit", "amount": "12.345", "currency": "EUR",
      "phone": "", "email": "julien.petit@orange.fr"}, "failed invalid_amount", "three decimals"),
    ({"reference": "N-8", "firstname": "Benoît", "lastname": "Fournier", "amount": "(45.00)", "currency": "EUR",
      "phone": "06 12 34 56 78", "email": ""}, "failed non_positive_amount", "accounting negative"),
    ({"reference": "", "firstname": "", "lastname": "", "amount": "", "currency": "", "phone": "", "email": ""},
     "skipped empty_row", ""),
    ({"reference": "N-10", "firstname": "Zoé", "lastname": "Bézier", "amount": "€12,50", "currency": "",
      "phone": "0590 91 23 45", "email": "zoe.bezier@wanadoo.fr"}, "failed expensive_destination",
     "Guadeloupe landline (+590)"),
]

# ---------------------------------------------------------------------------------------------
# samples/legacy-export.xml: ISO-8859-1, attributes, nested address, repeated <telephone>.

LEGACY_CLIENTS = [
    ("C-0001", "particulier", "M.", "Dupont", "Jean", ("12", "rue de la République", "75011", "Paris", "FR"),
     [("mobile", "06 12 34 56 78"), ("fixe", "01 42 68 53 00")], "jean.dupont@example.fr", "EUR", "1 234,50",
     "15/01/2025", None, "valid"),
    ("C-0002", "particulier", "Mme", "Lefèvre", "Élodie", ("3", "place de l'Église", "69003", "Lyon", "FR"),
     [("mobile", "07 81 23 45 67")], "", "EUR", "89,90", "28/02/2025", "Relancée 2× & sans réponse", "valid"),
    ("C-0003", "professionnel", "M.", "Garçon", "François", ("27", "avenue Jean Jaurès", "31000", "Toulouse", "FR"),
     [("fixe", "05 61 23 45 67"), ("fax", "05 61 23 45 68")], "contact@garcon-sarl.fr", "EUR", "2.450,00",
     "31/03/2025", "<b>Client historique</b>", "valid"),
    ("C-0004", "particulier", "Mme", "Hoarau", "Océane", ("8", "rue de Paris", "97400", "Saint-Denis", "RE"),
     [("mobile", "0692 45 67 89")], "", "EUR", "42,00", "", None, "failed expensive_destination"),
    ("C-0005", "particulier", "M.", "Müller", "Jürgen", ("5", "Hauptstraße", "50667", "Köln", "DE"),
     [("mobile", "+49 151 23456789")], "juergen.mueller@web.de", "EUR", "45,00", "", None, "valid"),
    ("C-0006", "particulier", "Mme", "Moreau", "Céline", ("1", "impasse des Lilas", "44000", "Nantes", "FR"),
     [], "", "EUR", "45,00", "", None, "failed missing_contact"),
    ("C-0007", "particulier", "M.", "Dumas", "Gérard", ("9", "rue Neuve", "59000", "Lille", "FR"),
     [("mobile", "06 12 34 56 78")], "", "FRF", "100,00", "", None, "failed invalid_currency"),
    ("C-0008", "particulier", "M.", "Château", "Noël", ("14", "boulevard Voltaire", "75011", "Paris", "FR"),
     [("mobile", "O6 12 34 56 78")], "noel.chateau@free.fr", "EUR", "0", "", None,
     "failed invalid_phone non_positive_amount"),
]


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def legacy_xml() -> str:
    lines = ['<?xml version="1.0" encoding="ISO-8859-1"?>',
             "<!-- Export GESTCLI 4.2 - clients débiteurs (format historique) -->",
             '<export date="2025-03-01" source="GESTCLI 4.2" societe="Salle Forme &amp; Santé">',
             "  <clients>"]
    for (ident, kind, civility, last, first, address, phones, email, currency, balance, due, note, _) in LEGACY_CLIENTS:
        number, street, postal, city, country = address
        lines.append(f'    <client id="{ident}" type="{kind}">')
        lines.append(f"      <civilite>{xml_escape(civility)}</civilite>")
        lines.append(f"      <nom>{xml_escape(last)}</nom>")
        lines.append(f"      <prenom>{xml_escape(first)}</prenom>")
        lines.append(f'      <adresse pays="{country}">')
        lines.append(f"        <numero>{number}</numero>")
        lines.append(f"        <rue>{xml_escape(street)}</rue>")
        lines.append(f"        <cp>{postal}</cp>")
        lines.append(f"        <ville>{xml_escape(city)}</ville>")
        lines.append("      </adresse>")
        for (phone_type, value) in phones:
            lines.append(f'      <telephone type="{phone_type}">{xml_escape(value)}</telephone>')
        lines.append(f"      <email>{xml_escape(email)}</email>" if email else "      <email/>")
        lines.append(f"      <solde>{xml_escape(balance)}</solde>")
        lines.append(f"      <devise>{currency}</devise>")
        if due:
            lines.append(f"      <echeance>{due}</echeance>")
        if note is not None:
            if "<" in note:
                lines.append(f"      <note><![CDATA[{note}]]></note>")
            else:
                lines.append(f"      <note>{xml_escape(note)}</note>")
        lines.append("    </client>")
    lines += ["  </clients>", "</export>", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# samples/sportalliance-debtors.json: a Get Debtors answer, 26 debtors, every preset rule.

rng = random.Random(20250301)


def new_uuid() -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def contact(kind: str, value: str, status: str = "VALID") -> dict:
    return {"type": kind, "value": value, "status": {"type": status}}


def debt(date: str, amount: float, designation: str, currency: str = "EUR", kind: str = "DEBT_CLAIM",
         block: dict | None = None) -> dict:
    item = {"debtId": new_uuid(), "debtDate": date, "contractStartDate": "2024-01-01", "amount": amount,
            "currency": currency, "type": kind, "designation": designation,
            "recurrence": {"period": "MONTH", "frequency": 1}}
    if block:
        item["block"] = block
    return item


def case(*debts: dict, open_amount: float | None = None) -> dict:
    total = round(sum(d["amount"] for d in debts), 2) if open_amount is None else open_amount
    return {"collectionCaseId": new_uuid(), "openAmount": total, "debt": list(debts)}


def debtor(number: int, first: str, last: str, contacts: list, cases: list | None, *, country: str = "FR",
           city: str = "Paris", postal: str = "75011", street: str = "Boulevard Voltaire", house: str = "12",
           birthdate: str = "1988-06-14", sex: str = "MALE", **extra) -> dict:
    item = {"debtorId": str(2334500 + number), "membershipNr": str(1568462500 + number), "countryCode": country,
            "firstName": first, "lastName": last, "birthdate": birthdate, "sex": sex, "postalCode": postal,
            "city": city, "addressData": {"street": street, "houseNumber": house},
            "contactDetails": contacts}
    item.update(extra)
    if cases is not None:
        item["collectionCases"] = cases
    return item


MONTHLY = "Cotisation mensuelle"
REJECT = "Frais de rejet bancaire"

SPORTALLIANCE = [
    (debtor(1, "Jean", "Dupont", [contact("TEL_PRIVATE_MOBILE", "06 12 34 56 78"),
                                  contact("EMAIL", "jean.dupont@example.fr", "VALID_READ")],
            [case(debt("2025-01-05", 39.9, MONTHLY), debt("2025-01-09", 7.5, REJECT, kind="BANK_FEE"))]),
     ["valid"], "plain debtor, one case of two debts (openAmount 47.40)"),
    (debtor(2, "Lucas", "Martin", [contact("EMAIL", "lucas.m@example.fr", "INVALID")],
            [case(debt("2025-02-01", 29.9, MONTHLY))], birthdate="2010-03-02",
            liablePerson={"firstName": "Sophie", "lastName": "Martin", "birthdate": "1979-11-23", "sex": "FEMALE",
                          "postalCode": "69003", "city": "Lyon", "countryCode": "FR",
                          "addressData": {"street": "Rue de la République", "houseNumber": "8"},
                          "contactDetails": [contact("TEL_PRIVATE_MOBILE", "+33 6 98 12 34 56"),
                                             contact("EMAIL", "sophie.martin@orange.fr")]}),
     ["valid"], "minor with a liable person: the parent's name and contacts are used"),
    (debtor(3, "Élodie", "Lefèvre", [contact("TEL_PRIVATE_MOBILE", "06 00 00 00 01", "INVALID"),
                                      contact("TEL_PRIVATE", "01 42 68 53 00"),
                                      contact("EMAIL", "elodie.lefevre@free.fr", "INVALID")],
            [case(debt("2025-01-15", 59.0, MONTHLY))], sex="FEMALE"),
     ["valid"], "INVALID mobile and e-mail skipped: phone from TEL_PRIVATE, no e-mail"),
    (debtor(4, "François", "Garçon", [contact("TEL_BUSINESS", "01 53 00 00 00"),
                                      contact("TEL_PRIVATE", "01 42 00 00 00"),
                                      contact("TEL_BUSINESS_MOBILE", "07 81 00 00 00"),
                                      contact("TEL_PRIVATE_MOBILE", "06 11 22 33 44"),
                                      contact("FAX", "01 53 00 00 01")],
            [case(debt("2025-03-01", 120.0, "Coaching personnel", kind="SALE"))]),
     ["valid"], "contact priority: TEL_PRIVATE_MOBILE wins although listed fourth"),
    (debtor(5, "Zoé", "Bézier", [contact("EMAIL", "zoe.old@wanadoo.fr", "INVALID"),
                                 contact("EMAIL", "Zoe.Bezier@Orange.FR", "NOT_YET_USED")],
            [case(debt("2025-02-10", 15.0, "Boisson protéinée", kind="SALE"))], sex="FEMALE"),
     ["valid"], "first EMAIL INVALID: the second one is used (domain lower-cased)"),
    (debtor(6, "Karim", "Benali", [contact("TEL_PRIVATE_MOBILE", "06 45 67 89 01")],
            [case(debt("2024-11-01", 39.9, MONTHLY)), case(debt("2024-12-01", 39.9, MONTHLY))],
            block={"limitType": "UNLIMITED"}),
     ["skipped blocked", "skipped blocked"], "blocked UNLIMITED: both cases skipped"),
    (debtor(7, "Anaïs", "Cœurdevey", [contact("TEL_PRIVATE_MOBILE", "07 52 34 56 78")],
            [case(debt("2025-01-01", 49.9, MONTHLY))], sex="FEMALE",
            block={"limitType": "LIMITED", "endDate": "2036-12-31"}),
     ["skipped blocked"], "blocked LIMITED with a future endDate"),
    (debtor(8, "Hervé", "Roche", [contact("TEL_PRIVATE_MOBILE", "06 23 45 67 89")],
            [case(debt("2025-01-20", 34.9, MONTHLY))],
            block={"limitType": "LIMITED", "endDate": "2023-06-30"}),
     ["valid"], "LIMITED block whose endDate is past: not blocked"),
    (debtor(9, "Noël", "Château", [contact("TEL_PRIVATE_MOBILE", "06 34 56 78 90")], []),
     ["skipped no_open_case"], "empty collectionCases"),
    (debtor(10, "Inès", "Haddad", [contact("EMAIL", "ines.haddad@gmail.com")], None, sex="FEMALE"),
     ["skipped no_open_case"], "no collectionCases key at all"),
    (debtor(11, "Lotte", "Peeters", [contact("TEL_PRIVATE_MOBILE", "06 56 78 90 12")],
            [case(debt("2025-01-01", 29.9, MONTHLY), debt("2025-01-03", 25.0, "Frais de dossier", currency="CHF"))],
            sex="FEMALE"),
     ["failed invalid_currency"], "mixed currencies (EUR and CHF) in one case"),
    (debtor(12, "Sébastien", "Faure", [contact("TEL_PRIVATE_MOBILE", "+33 6 67 89 01 23"),
                                       contact("EMAIL", "s.faure@laposte.net")],
            [case(debt("2024-10-01", 39.9, MONTHLY)), case(debt("2024-11-01", 39.9, MONTHLY)),
             case(debt("2024-12-01", 39.9, MONTHLY), debt("2024-12-04", 7.5, REJECT, kind="BANK_FEE"))]),
     ["valid", "valid", "valid"], "three collection cases: three debts"),
    (debtor(13, "Maëlle", "Le Gall", [contact("TEL_PRIVATE_MOBILE", "06 78 90 12 34")],
            [case(debt("2025-01-01", 39.9, MONTHLY, block={"limitType": "UNLIMITED"})),
             case(debt("2025-02-01", 39.9, MONTHLY))], sex="FEMALE"),
     ["skipped blocked", "valid"], "a blocked debt blocks its case only"),
    (debtor(14, "Paul", "Girard", [contact("TEL_PRIVATE_MOBILE", "0690 12 34 56")],
            [case(debt("2025-01-01", 45.0, MONTHLY))], postal="97110", city="Pointe-à-Pitre",
            street="Rue Frébault", house="4"),
     ["failed expensive_destination"], "Guadeloupe mobile (dom_tom)"),
    (debtor(15, "Youssef", "El Amrani", [contact("TEL_PRIVATE_MOBILE", "+212 6 12 34 56 78"),
                                         contact("EMAIL", "y.elamrani@gmail.com")],
            [case(debt("2025-01-01", 45.0, MONTHLY))]),
     ["failed expensive_destination"], "Morocco (maghreb); the phone is present so the e-mail does not help"),
    (debtor(16, "Oliver", "Smith", [contact("TEL_PRIVATE_MOBILE", "+44 7400 123456")],
            [case(debt("2025-01-01", 45.0, MONTHLY))]),
     ["failed unsupported_destination"], "United Kingdom"),
    (debtor(17, "Pierre", "Martin", [contact("TEL_PRIVATE_MOBILE", "06 12 34")],
            [case(debt("2025-01-01", 45.0, MONTHLY))]),
     ["failed invalid_phone"], "too short"),
    (debtor(18, "Julien", "Petit", [contact("EMAIL", "julien.petit@orange", "NOT_YET_USED")],
            [case(debt("2025-01-01", 45.0, MONTHLY))]),
     ["failed invalid_email"], "one-label e-mail domain"),
    (debtor(19, "Céline", "Moreau", [contact("FAX", "01 42 00 00 02")],
            [case(debt("2025-01-01", 45.0, MONTHLY))], sex="FEMALE"),
     ["failed missing_contact"], "only a FAX: not a contact"),
    (debtor(20, "Jürgen", "Schröder", [contact("TEL_PRIVATE_MOBILE", "0151 23456789")],
            [case(debt("2025-01-01", 45.0, "Mitgliedsbeitrag"))], country="DE", city="Köln", postal="50667",
            street="Hauptstraße", house="5"),
     ["valid"], "German national number read with the debtor's countryCode DE (EU zone)"),
    (debtor(21, "Wouter", "Janssens", [contact("TEL_PRIVATE_MOBILE", "0470 12 34 56")],
            [case(debt("2025-01-01", 45.0, MONTHLY))], country="BE", city="Bruxelles", postal="1000",
            street="Rue Neuve", house="21"),
     ["valid"], "Belgian national number, countryCode BE (EU zone)"),
    (debtor(22, "Luca", "Meier", [contact("EMAIL", "luca.meier@bluewin.ch")],
            [case(debt("2025-01-01", 89.0, "Abonnement annuel", currency="CHF"))], country="CH", city="Genève",
            postal="1201", street="Rue du Rhône", house="3"),
     ["valid"], "Swiss debtor paying in CHF, e-mail only"),
    (debtor(23, "Benoît", "Fournier", [contact("TEL_PRIVATE_MOBILE", "06 89 01 23 45")],
            [case(debt("2025-01-01", 39.9, MONTHLY), debt("2025-01-15", -39.9, "Avoir", kind="PRINCIPAL_CLAIM"))]),
     ["failed non_positive_amount"], "credit note cancels the debt: openAmount 0"),
    (debtor(24, "Adèle", "", [contact("TEL_PRIVATE_MOBILE", "06 90 12 34 56")],
            [case(debt("2025-01-01", 39.9, MONTHLY))], sex="FEMALE"),
     ["failed required expensive_destination"], "empty lastName; 06 90 … is Guadeloupe"),
    (debtor(25, "Thérèse", "Bonnet", [contact("TEL_PRIVATE_MOBILE", "+33 (0)6 11 22 33 44"),
                                      contact("EMAIL", "therese.bonnet@sfr.fr", "WARNING")],
            [case(debt("2025-01-01", 39.9, MONTHLY))], sex="FEMALE",
            block={"limitType": "DISABLED"},
            paymentDetails={"iban": grouped(IBAN_FR_1), "bic": "AGRIFRPPXXX", "bank": "Crédit Agricole",
                            "accountHolder": "Thérèse Bonnet"}),
     ["valid"], "block DISABLED is not a block; payment details present"),
    (debtor(26, "Mohamed", "Saïdi", [contact("TEL_BUSINESS_MOBILE", "+216 20 123 456", "INVALID"),
                                     contact("TEL_BUSINESS", "04 91 23 45 67")],
            [case(debt("2025-02-01", 59.9, MONTHLY), debt("2025-03-01", 59.9, MONTHLY))],
            postal="13008", city="Marseille", street="Avenue du Prado", house="200"),
     ["valid"], "INVALID Tunisian mobile ignored: the Marseille landline is used"),
]


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|").replace("\n", "↵") for cell in row) + " |")
    return "\n".join(lines)


def main() -> None:
    os.makedirs(SAMPLES, exist_ok=True)

    debts_csv = "\ufeff" + csv_text([DEBTS_HEADER] + [r for r, _, _ in DEBTS], ";", "\n")
    write_bytes("debts.csv", debts_csv.encode("utf-8"))

    windows = csv_text([WINDOWS_HEADER] + [r for r, _, _ in WINDOWS], ",", "\r\n")
    write_bytes("debtors-windows1252.csv", windows.encode("cp1252"))

    write_bytes("debtors-tab.csv", csv_text([TAB_HEADER] + [r for r, _, _ in TAB], "\t", "\n").encode("utf-8"))

    # The same records as debts.csv, without the BOM, gzipped; then split over two members.
    plain = csv_text([DEBTS_HEADER] + [r for r, _, _ in DEBTS], ";", "\n").encode("utf-8")
    write_bytes("debtors.csv.gz", gzip_member(plain))
    lines = plain.split(b"\n")
    middle = b"\n".join(lines[:20]) + b"\n"
    rest = b"\n".join(lines[20:])
    assert middle + rest == plain
    write_bytes("debtors-multimember.csv.gz", gzip_member(middle) + gzip_member(rest))

    write_bytes("legacy-export.xml", legacy_xml().encode("iso-8859-1"))

    page = {"result": [d for d, _, _ in SPORTALLIANCE], "hasNext": False, "offset": str(len(SPORTALLIANCE))}
    write_bytes("sportalliance-debtors.json", (json.dumps(page, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

    write_bytes("debts.json", (json.dumps([d for d, _, _ in DEBTS_JSON], ensure_ascii=False, indent=2) + "\n")
                .encode("utf-8"))
    write_bytes("debts.ndjson", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d, _, _ in NDJSON).encode("utf-8"))

    # Expected outcomes, for README.md (pasted by hand between the markers) and for tests.
    expected = {
        "debts.csv": [[str(i + 1), outcome, note] for i, (_, outcome, note) in enumerate(DEBTS)],
        "debtors-windows1252.csv": [[str(i + 1), o, n] for i, (_, o, n) in enumerate(WINDOWS)],
        "debtors-tab.csv": [[str(i + 1), o, n] for i, (_, o, n) in enumerate(TAB)],
        "debts.json": [[str(i + 1), o, n] for i, (_, o, n) in enumerate(DEBTS_JSON)],
        "debts.ndjson": [[str(i + 1), o, n] for i, (_, o, n) in enumerate(NDJSON)],
        "legacy-export.xml": [[str(i + 1), c[-1], c[0]] for i, c in enumerate(LEGACY_CLIENTS)],
        "sportalliance-debtors.json": [[f"{i + 1}.{k + 1}" if len(outs) > 1 else str(i + 1), o, n]
                                       for i, (_, outs, n) in enumerate(SPORTALLIANCE)
                                       for k, o in enumerate(outs)],
    }
    with open(os.path.join(SAMPLES, "expected-outcomes.md"), "w", encoding="utf-8") as handle:
        handle.write("# Intended outcome of every sample record\n\n"
                     "Generated by `Scripts/make_samples.py` (do not edit by hand). Outcomes assume a debt pipeline\n"
                     "with the default options (`region: FR`, no default currency, expensive destinations not\n"
                     "accepted). `record` is the 1-based record number; for the Sportalliance file `d.c` is\n"
                     "debtor `d`, case `c`. Several codes mean the record collects several errors.\n")
        for name, rows in expected.items():
            handle.write(f"\n## {name}\n\n")
            handle.write(markdown_table(["record", "outcome", "what it shows"], rows) + "\n")
    print("wrote samples/expected-outcomes.md")


if __name__ == "__main__":
    main()
