#!/usr/bin/env python3
"""Generates the phone oracle corpus Tests/DebtflowNormalizeTests/Fixtures/phone_corpus.tsv.

    pip install phonenumbers==9.0.43
    python3 Scripts/generate_phone_corpus.py

Each line: input <TAB> default region <TAB> valid (true/false) <TAB> E.164 <TAB> region.
The expected answers come from `phonenumbers` (libphonenumber's metadata and parsing), with the
contract's rules applied on top (CONTRACT.md §4 "Phones"):

- spellings: a leading ' or ’ is a text marker; an extension (ext, ext., extn, extension, poste,
  x, #, with or without digits) is dropped; any other letter makes the number invalid; the
  accepted separators are set aside and the digits (ASCII, full-width, Arabic-Indic) kept with a
  leading +;
- for a French default region (FR and the departments sharing its plan), a French national
  number (10 digits with a leading 0, or 9 digits not starting with 0) follows the national plan:
  overseas prefixes map to +590/+594/+596/+262, then the mainland ranges, then GP, MQ, GF, RE, YT;
- otherwise phonenumbers.parse(digits, region) decides, and for a French default region a
  number that is not valid that way is tried with 33, 590, 594, 596 or 262 written without +.
"""

import os
import random
import re
import sys
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

PINNED_VERSION = "9.0.43"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "DebtflowNormalizeTests",
                   "Fixtures", "phone_corpus.tsv")

FRENCH_PLAN = {"FR", "GP", "GF", "MQ", "RE", "YT", "BL", "MF"}
OVERSEAS = {"590": 590, "690": 590, "691": 590, "594": 594, "694": 594, "596": 596, "696": 596,
            "697": 596, "262": 262, "263": 262, "692": 262, "693": 262, "269": 262, "639": 262}
FALLBACK = ["GP", "MQ", "GF", "RE", "YT"]
SEPARATORS = set(" \t-./()[]\u00a0\u00ad\u1680\u2060\u202f\u205f\u2212\u3000\ufeff\uff0d\uff0e\uff0f\uff08\uff09\u30fc") \
    | {chr(c) for c in range(0x2000, 0x200C)} | {chr(c) for c in range(0x2010, 0x2016)}
EXTENSION = re.compile(r"(?:ext\.?|extn|extension|poste|xtn|x|#)[\s.:\-/()\u00a0\u202f]*[\d\uff10-\uff19\s\-./]*$",
                       re.IGNORECASE)


def digit_value(ch):
    if "0" <= ch <= "9":
        return ch
    code = ord(ch)
    for base in (0xFF10, 0x660, 0x6F0):
        if base <= code <= base + 9:
            return str(code - base)
    return None


def oracle(text, region):
    """(valid, e164, region) per the contract: phonenumbers with the French rules on top."""
    s = text.strip(" \t\u00a0\u202f")
    if s[:1] in ("'", "\u2019", "\u2018"):
        s = s[1:]
    m = EXTENSION.search(s)
    if m and any(digit_value(c) for c in s[:m.start()]):
        s = s[:m.start()]
    plus = False
    digits = ""
    for ch in s:
        d = digit_value(ch)
        if d is not None:
            digits += d
        elif ch in "+\uff0b":
            if digits or plus:
                return (False, "", "")
            plus = True
        elif ch in SEPARATORS:
            continue
        else:
            return (False, "", "")  # letters and other characters
    if not digits:
        return (False, "", "")
    french = region in FRENCH_PLAN
    if french and not plus:
        nsn = None
        if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
            nsn = digits[1:]
        elif len(digits) == 9 and digits[0] != "0":
            nsn = digits
        if nsn is not None:
            return french_national(nsn)
    result = libphonenumber(("+" if plus else "") + digits, region)
    if result[0]:
        return result
    if french and not plus:
        for code in ("33", "590", "594", "596", "262"):
            if digits.startswith(code):
                result = libphonenumber("+" + digits, None)
                if result[0]:
                    return result
    return (False, "", "")


def libphonenumber(number, region):
    try:
        n = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return (False, "", "")
    if not phonenumbers.is_valid_number(n):
        return (False, "", "")
    return (True, phonenumbers.format_number(n, PhoneNumberFormat.E164), phonenumbers.region_code_for_number(n))


def french_national(nsn):
    code = OVERSEAS.get(nsn[:3])
    if code is not None:
        return libphonenumber("+%d%s" % (code, nsn), None)
    result = libphonenumber("+33" + nsn, None)
    if result[0]:
        return result
    for region in FALLBACK:
        code = phonenumbers.country_code_for_region(region)
        n = phonenumbers.parse("+%d%s" % (code, nsn), None)
        if phonenumbers.is_valid_number_for_region(n, region):
            return (True, phonenumbers.format_number(n, PhoneNumberFormat.E164), phonenumbers.region_code_for_number(n))
    return (False, "", "")


# ---------------------------------------------------------------------------------------------
# Inputs

FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


def groups_of_two(national10):
    return " ".join(national10[i:i + 2] for i in range(0, 10, 2))


def french_spellings(rng, national10):
    """Many spellings of one French national number (10 digits, leading 0)."""
    nsn = national10[1:]
    pairs = groups_of_two(national10)
    out = [
        national10, pairs, pairs.replace(" ", "."), pairs.replace(" ", "-"), pairs.replace(" ", "/"),
        "+33 " + nsn[0] + " " + groups_of_two("0" + nsn)[3:], "+33" + nsn, "+33 (0)" + pairs[1:],
        "0033 " + pairs[1:], "0033 (0)" + pairs[1:], "33" + nsn, nsn, "'" + national10, "\u2019" + pairs,
        pairs.replace(" ", "\u00a0"), pairs.replace(" ", "\u202f"), pairs.replace(" ", "\u2013"),
        national10.translate(FULLWIDTH), "(" + national10[:2] + ") " + pairs[3:], " " + pairs + " ",
        pairs + " poste 12", pairs + " ext. 5", national10 + "x123", national10 + " #12", pairs + " ext",
        "+590" + nsn, "590" + nsn, "+262 " + nsn, "00590" + nsn, "0" + national10, national10[:-1],
        national10 + "9",
    ]
    rng.shuffle(out)
    return out[:rng.randint(8, len(out))]


def random_completion(rng, prefix, length):
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix)))


def example_numbers(region):
    out = []
    for t in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
              PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.SHARED_COST,
              PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.UAN, PhoneNumberType.PAGER):
        n = phonenumbers.example_number_for_type(region, t)
        if n is not None:
            out.append(n)
    return out


def perturbed(rng, n):
    """The example number with some trailing digits replaced (often still valid)."""
    nsn = phonenumbers.national_significant_number(n)
    k = rng.randint(0, min(4, len(nsn) - 1))
    tail = "".join(str(rng.randint(0, 9)) for _ in range(k))
    return phonenumbers.parse("+%d%s" % (n.country_code, nsn[:len(nsn) - k] + tail), None)


def international_spellings(rng, n, home_region):
    nsn = phonenumbers.national_significant_number(n)
    cc = n.country_code
    intl = phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL)
    out = [("+%d%s" % (cc, nsn), "FR"), (intl, "FR"), ("00%d %s" % (cc, nsn), "FR"),
           (intl.replace(" ", "."), "FR"), (national, home_region), (intl, home_region)]
    rng.shuffle(out)
    return out[:rng.randint(2, len(out))]


def main():
    if phonenumbers.__version__ != PINNED_VERSION:
        print("warning: phonenumbers %s installed, corpus is pinned to %s" % (phonenumbers.__version__, PINNED_VERSION),
              file=sys.stderr)
    rng = random.Random(int(os.environ.get("PHONE_CORPUS_SEED", "42")))
    scale = int(os.environ.get("PHONE_CORPUS_SCALE", "1"))  # > 1: a bigger one-off differential check
    inputs = []  # (input, region)

    # French mainland: mobiles, fixed lines, special ranges; every spelling.
    for prefix in ["06", "07", "01", "02", "03", "04", "05", "09", "080", "081", "089", "0636", "0639", "0695"]:
        for _ in range(4 * scale):
            for s in french_spellings(rng, random_completion(rng, prefix, 10)):
                inputs.append((s, "FR"))
    # Overseas prefixes, and the fallback ranges.
    for prefix in ["0590", "0690", "0691", "0594", "0694", "0596", "0696", "0697", "0262", "0263", "0692",
                   "0693", "0269", "0639", "0976", "0970", "0595", "0593", "0698"]:
        for _ in range(3 * scale):
            for s in french_spellings(rng, random_completion(rng, prefix, 10)):
                inputs.append((s, rng.choice(["FR", "FR", "FR", "GP", "RE"])))
    # Random digit strings, French default: every length from 1 to 14.
    for _ in range(150 * scale):
        inputs.append(("".join(str(rng.randint(0, 9)) for _ in range(rng.randint(1, 14))), "FR"))
    # Other countries, international and national spellings.
    regions = ["BE", "DE", "IT", "ES", "PT", "NL", "LU", "IE", "MT", "CY", "FI", "BG", "HU", "LT", "LV", "EE",
               "HR", "SI", "RO", "CZ", "SK", "AT", "DK", "SE", "PL", "GR", "MA", "DZ", "TN", "GB", "CH", "US",
               "MC", "CA", "PM", "WF", "NC", "PF", "RU", "KZ", "GG", "JE", "IM", "AR", "BR", "MX", "JP", "CN",
               "AG", "AU", "CC", "NF", "SM", "VA", "CI", "SN", "TR", "IL", "IN"]
    for region in regions:
        for example in example_numbers(region):
            for _ in range(2 * scale):
                for s in international_spellings(rng, perturbed(rng, example), region):
                    inputs.append(s)
    # Every region libphonenumber knows: national spellings with that default region, random digit
    # strings, and + / 00 spellings from France (national prefixes, carrier codes, transform rules).
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        examples = example_numbers(region)
        for _ in range(scale):
            if examples:
                n = perturbed(rng, rng.choice(examples))
                inputs.append((phonenumbers.format_number(n, PhoneNumberFormat.NATIONAL), region))
                inputs.append((phonenumbers.format_number(n, PhoneNumberFormat.INTERNATIONAL), rng.choice(["FR", region])))
                nsn = phonenumbers.national_significant_number(n)
                inputs.append((rng.choice(["", "0", "00", "1", "8", "9", "15", "011"]) + nsn, region))
            inputs.append(("".join(str(rng.randint(0, 9)) for _ in range(rng.randint(4, 13))), region))
            inputs.append((rng.choice(["+", "00"]) + "".join(str(rng.randint(0, 9)) for _ in range(rng.randint(4, 14))), region))
    # Non-geographic numbers.
    inputs += [("+800 1234 5678", "FR"), ("+882 1234 5678 90", "FR"), ("+979 123 456 789", "FR")]
    # Hand-picked cases from the contract.
    inputs += [(s, "FR") for s in [
        "0690123456", "+33690123456", "06 90 12 34 56", "0596123456", "0596 69 12 34", "41 12 34", "411234",
        "O612345678", "06 12 34 56 7O", "0800-FLOWERS", "06 12 AB 34 56", "'0612345678", "’0612345678",
        "06 12 34 56 78 poste 12", "06 12 34 56 78 ext", "06 12 34 56 78 x", "06 12 34 56 78 #",
        "0033 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78", "+39 06 1234 5678", "612345678", "33612345678",
        "590690123456", "594694201234", "596696201234", "262692123456", "262639123456", "+262 639 12 34 56",
        "", " ", "+", "++33612345678", "06 12 34 56 78 +", "+0033612345678", "0612345678\u00a0", "tel 0612345678",
        "06\u202f12\u202f34\u202f56\u202f78", "０６１２３４５６７８", "＋３３６１２３４５６７８", "06–12–34–56–78",
        "+44 20 7946 0958", "+41 44 668 18 00", "+1 650 253 0000", "+377 93 15 15 15", "+212 6 61 23 45 67",
        "+213 5 51 23 45 67", "+216 20 123 456", "+508 41 12 34", "508411234", "0508411234",
        "+49 30 123456", "+49 (0)30 1234567", "0049 30 1234567", "+32 2 123 45 67", "+34 612 34 56 78",
        "06 12 34 56 78 / 01 23 45 67 89", "06;12;34;56;78", "06,12,34,56,78", "06 12 34 56 78 9 ext 1",
    ]]
    inputs += [("030 1234567", "DE"), ("0171 1234567", "DE"), ("02 123 45 67", "BE"), ("0470 12 34 56", "BE"),
               ("06 1234 5678", "IT"), ("312 345 6789", "IT"), ("020 7946 0958", "GB"), ("(650) 253-0000", "US"),
               ("044 668 18 00", "CH"), ("0612345678", "DE"), ("0612345678", "de"), ("0690123456", "GP"),
               ("0612345678", "GP"), ("0612345678", "XX"), ("+33612345678", "XX"), ("0612345678", "")]

    seen = set()
    lines = []
    for text, region in inputs:
        key = (text, region)
        if key in seen:
            continue
        seen.add(key)
        assert "\t" not in text and "\n" not in text
        valid, e164, country = oracle(text, region.upper())
        lines.append("\t".join([text, region, "true" if valid else "false", e164, country or ""]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("# phone oracle corpus: input\tdefault region\tvalid\tE.164\tregion"
                " (phonenumbers %s + CONTRACT.md §4 rules; Scripts/generate_phone_corpus.py)\n" % phonenumbers.__version__)
        f.write("\n".join(lines) + "\n")
    valid_count = sum(1 for l in lines if "\ttrue\t" in l)
    print("wrote %s: %d inputs (%d valid)" % (os.path.normpath(OUT), len(lines), valid_count), file=sys.stderr)


if __name__ == "__main__":
    main()
