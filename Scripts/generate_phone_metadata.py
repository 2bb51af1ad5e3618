#!/usr/bin/env python3
"""Generates Sources/DebtflowNormalize/Generated/PhoneMetadataTables.swift from libphonenumber's
metadata, as shipped by the Python `phonenumbers` package.

    pip install phonenumbers==9.0.43
    python3 Scripts/generate_phone_metadata.py

The metadata is Copyright (C) 2009-2025 The Libphonenumber Authors, licensed under the Apache
License 2.0 (see LICENSES/libphonenumber-NOTICE). This script reads it; it installs nothing.

What it emits, per region (one compact string each, decoded once at start-up by
`PhoneMetadataStore`), so that the Swift side never runs a regular expression:

- the country calling code, the general possible lengths and the local-only lengths;
- `valid`: a minimal acyclic DFA over national significant number digits that accepts exactly the
  numbers libphonenumber's `_number_type_helper` gives a type other than UNKNOWN (the general
  description, with its lengths, and any of fixed line, mobile, toll free, premium rate, shared
  cost, VoIP, personal number, pager, UAN, voicemail, each with its own lengths);
- `general`: a DFA for a full match of the general description's pattern (no length check), used
  by libphonenumber's "viable number" tests while parsing;
- `leading`: a DFA for a prefix match of `leading_digits` (regions sharing a calling code);
- `national prefix for parsing` and `international prefix` as ordered lists of digit-class
  sequences (every path through the regular expression, in Python's backtracking order, so the
  first one that matches is what `re.match` would find), with capture groups, `$` anchors and the
  national prefix transform rule.

The generator then checks the tables against `phonenumbers` itself on a large random sample and
refuses to write the file when they disagree.
"""

import os
import random
import re
import sys

try:
    import re._parser as sre_parse  # Python 3.11+
    import re._constants as sre_constants
except ImportError:  # pragma: no cover
    import sre_parse
    import sre_constants

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE, _number_type_helper, PhoneNumberType

PINNED_VERSION = "9.0.43"
TYPE_DESCS = ["fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "voip",
              "personal_number", "pager", "uan", "voicemail"]
MAX_DEPTH = 30
ALL_DIGITS = (1 << 10) - 1
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "DebtflowNormalize",
                   "Generated", "PhoneMetadataTables.swift")


# --------------------------------------------------------------------------------------------
# Regular expression -> NFA (digits only)

class NFA:
    def __init__(self):
        self.eps = []     # state -> [state]
        self.trans = []   # state -> [(mask, state)]

    def new(self):
        self.eps.append([])
        self.trans.append([])
        return len(self.eps) - 1


def mask_of_in(items):
    mask = 0
    negate = False
    for op, av in items:
        if op == sre_constants.NEGATE:
            negate = True
        elif op == sre_constants.LITERAL:
            c = chr(av)
            if c.isdigit():
                mask |= 1 << int(c)
        elif op == sre_constants.RANGE:
            lo, hi = av
            for code in range(lo, hi + 1):
                c = chr(code)
                if "0" <= c <= "9":
                    mask |= 1 << int(c)
        elif op == sre_constants.CATEGORY and av == sre_constants.CATEGORY_DIGIT:
            mask |= ALL_DIGITS
        else:
            raise ValueError("unsupported class item %r" % ((op, av),))
    return (ALL_DIGITS & ~mask) if negate else mask


def literal_mask(code):
    c = chr(code)
    if not ("0" <= c <= "9"):
        return 0  # never matches a digit string
    return 1 << int(c)


def build_seq(nfa, seq, start):
    cur = start
    for op, av in seq:
        cur = build_node(nfa, op, av, cur)
    return cur


def build_node(nfa, op, av, start):
    if op == sre_constants.LITERAL:
        end = nfa.new()
        nfa.trans[start].append((literal_mask(av), end))
        return end
    if op == sre_constants.IN:
        end = nfa.new()
        nfa.trans[start].append((mask_of_in(av), end))
        return end
    if op == sre_constants.SUBPATTERN:
        return build_seq(nfa, av[-1], start)
    if op == sre_constants.BRANCH:
        end = nfa.new()
        for alt in av[1]:
            s = nfa.new()
            nfa.eps[start].append(s)
            e = build_seq(nfa, alt, s)
            nfa.eps[e].append(end)
        return end
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        lo, hi, sub = av
        if hi == sre_constants.MAXREPEAT:
            raise ValueError("unbounded repeat")
        cur = start
        ends = []
        for i in range(hi):
            if i >= lo:
                ends.append(cur)
            cur = build_seq(nfa, sub, cur)
        ends.append(cur)
        end = nfa.new()
        for e in ends:
            nfa.eps[e].append(end)
        return end
    raise ValueError("unsupported regex node %r" % (op,))


def compile_nfa(nfa, pattern):
    start = nfa.new()
    end = build_seq(nfa, sre_parse.parse(pattern), start)
    return start, end


def closure(nfa, states):
    stack = list(states)
    seen = set(states)
    while stack:
        s = stack.pop()
        for t in nfa.eps[s]:
            if t not in seen:
                seen.add(t)
                stack.append(t)
    return frozenset(seen)


def step(nfa, states, digit):
    bit = 1 << digit
    out = set()
    for s in states:
        for mask, t in nfa.trans[s]:
            if mask & bit:
                out.add(t)
    return closure(nfa, out) if out else frozenset()


# --------------------------------------------------------------------------------------------
# Minimal acyclic DFA builder: states are registered by (accepting, children) signature.

class DFA:
    def __init__(self):
        self.states = []      # (accepting, tuple of 10 child ids, -1 = dead)
        self.register = {}

    def intern(self, accepting, children):
        if not accepting and all(c == -1 for c in children):
            return -1
        key = (accepting, children)
        sid = self.register.get(key)
        if sid is None:
            sid = len(self.states)
            self.states.append(key)
            self.register[key] = sid
        return sid

    def encode(self, root):
        """Renumbers the states reachable from root breadth-first (root = 0) and encodes them."""
        if root == -1:
            return ""
        order = {root: 0}
        queue = [root]
        i = 0
        while i < len(queue):
            s = queue[i]
            i += 1
            for c in self.states[s][1]:
                if c != -1 and c not in order:
                    order[c] = len(queue)
                    queue.append(c)
        width = 1
        while len(B62) ** width <= len(queue):
            width += 1
        parts = [B62[width]]
        for s in queue:
            accepting, children = self.states[s]
            parts.append("A" if accepting else ".")
            d = 0
            while d < 10:
                run = 1
                while d + run < 10 and children[d + run] == children[d]:
                    run += 1
                target = 0 if children[d] == -1 else order[children[d]] + 1
                parts.append(B62[run])
                enc = ""
                for _ in range(width):
                    enc = B62[target % 62] + enc
                    target //= 62
                parts.append(enc)
                d += run
        return "".join(parts)


def decode_dfa(text):
    """The Python twin of the Swift decoder (used to check what was emitted)."""
    if not text:
        return []
    width = B62.index(text[0])
    i = 1
    states = []
    while i < len(text):
        accepting = text[i] == "A"
        i += 1
        children = []
        while len(children) < 10:
            run = B62.index(text[i])
            i += 1
            target = 0
            for _ in range(width):
                target = target * 62 + B62.index(text[i])
                i += 1
            children.extend([target - 1] * run)
        states.append((accepting, children))
    return states


def walk_full(states, digits):
    if not states:
        return False
    s = 0
    for ch in digits:
        s = states[s][1][ord(ch) - 48]
        if s < 0:
            return False
    return states[s][0]


def walk_prefix(states, digits):
    if not states:
        return False
    s = 0
    if states[s][0]:
        return True
    for ch in digits:
        s = states[s][1][ord(ch) - 48]
        if s < 0:
            return False
        if states[s][0]:
            return True
    return False


def valid_dfa(metadata):
    """DFA for: general desc (pattern + lengths) AND any type desc (pattern + its lengths)."""
    general = metadata.general_desc
    if general is None or not general.national_number_pattern:
        return ""
    nfa = NFA()
    g_start, g_end = compile_nfa(nfa, general.national_number_pattern)
    g_lengths = frozenset(general.possible_length or ())
    type_starts = []
    type_ends = {}
    for name in TYPE_DESCS:
        desc = getattr(metadata, name)
        if desc is None or not desc.national_number_pattern:
            continue
        s, e = compile_nfa(nfa, desc.national_number_pattern)
        type_starts.append(s)
        type_ends[e] = frozenset(desc.possible_length or ())
    if not type_starts:
        return ""
    dfa = DFA()
    memo = {}

    def build(gset, tset, depth):
        key = (gset, tset, depth)
        if key in memo:
            return memo[key]
        accepting = (g_end in gset and (not g_lengths or depth in g_lengths)
                     and any(e in tset and (not L or depth in L) for e, L in type_ends.items()))
        children = []
        for d in range(10):
            if depth >= MAX_DEPTH:
                children.append(-1)
                continue
            g2 = step(nfa, gset, d)
            t2 = step(nfa, tset, d)
            children.append(build(g2, t2, depth + 1) if g2 and t2 else -1)
        sid = dfa.intern(accepting, tuple(children))
        memo[key] = sid
        return sid

    root = build(closure(nfa, [g_start]), closure(nfa, type_starts), 0)
    return dfa.encode(root)


def pattern_dfa(pattern, prefix):
    """DFA for a full match (prefix=False) or a prefix match (prefix=True) of a pattern."""
    if not pattern:
        return ""
    nfa = NFA()
    start, end = compile_nfa(nfa, pattern)
    dfa = DFA()
    memo = {}

    def build(sset, depth):
        if sset in memo:
            return memo[sset]
        accepting = end in sset
        if accepting and prefix:
            sid = dfa.intern(True, (-1,) * 10)
        else:
            children = []
            for d in range(10):
                s2 = step(nfa, sset, d) if depth < MAX_DEPTH else frozenset()
                children.append(build(s2, depth + 1) if s2 else -1)
            sid = dfa.intern(accepting, tuple(children))
        memo[sset] = sid
        return sid

    return dfa.encode(build(closure(nfa, [start]), 0))


# --------------------------------------------------------------------------------------------
# Prefix rules: every path through a (finite) pattern, in backtracking order.

def paths_seq(seq):
    if not seq:
        yield []
        return
    (op, av), rest = seq[0], seq[1:]
    for head in paths_node(op, av):
        for tail in paths_seq(rest):
            yield head + tail


def paths_node(op, av):
    if op == sre_constants.LITERAL:
        yield [("c", literal_mask(av))]
    elif op == sre_constants.IN:
        yield [("c", mask_of_in(av))]
    elif op == sre_constants.SUBPATTERN:
        group = av[0]
        for p in paths_seq(av[-1]):
            yield ([("(", group)] + p + [(")", group)]) if group else p
    elif op == sre_constants.BRANCH:
        for alt in av[1]:
            yield from paths_seq(alt)
    elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        lo, hi, sub = av
        counts = range(hi, lo - 1, -1) if op == sre_constants.MAX_REPEAT else range(lo, hi + 1)
        for n in counts:
            yield from paths_seq(list(sub) * n)
    elif op == sre_constants.AT and av == sre_constants.AT_END:
        yield [("$", 0)]
    else:
        raise ValueError("unsupported node in prefix pattern %r" % (op,))


def encode_mask(mask):
    if mask == ALL_DIGITS:
        return "d"
    digits = [str(d) for d in range(10) if mask & (1 << d)]
    if len(digits) == 1:
        return digits[0]
    return "[" + "".join(digits) + "]"


def prefix_rules(pattern, transform=None, limit=4000):
    """Encodes a prefix pattern as ';'-separated rules: classes, '(' ')' groups, '$', and
    '>template' ({n} = group n) when the transform rule applies to that path."""
    if not pattern:
        return ""
    parsed = sre_parse.parse(pattern)
    num_groups = parsed.state.groups - 1
    rules = []
    for path in paths_seq(list(parsed)):
        text = []
        groups_present = set()
        for kind, value in path:
            if kind == "c":
                text.append(encode_mask(value))
            elif kind == "$":
                text.append("$")
            else:
                text.append(kind)
                groups_present.add(value)
        rule = "".join(text)
        if transform and num_groups > 0 and num_groups in groups_present:
            rule += ">" + re.sub(r"\\(\d)", r"{\1}", transform)
        rules.append(rule)
        if len(rules) > limit:
            raise ValueError("too many paths in %r" % pattern)
    return ";".join(rules)


# --------------------------------------------------------------------------------------------
# Checking the tables against phonenumbers

def random_candidates(metadata, rng, count):
    examples = []
    for name in TYPE_DESCS:
        desc = getattr(metadata, name)
        if desc is not None and desc.example_number:
            examples.append(desc.example_number)
    lengths = list(metadata.general_desc.possible_length or (9,))
    lengths = [n for n in lengths if n > 0] or [9]
    out = []
    for _ in range(count):
        r = rng.random()
        if examples and r < 0.7:
            ex = rng.choice(examples)
            keep = rng.randint(0, len(ex))
            length = len(ex) + rng.choice([0, 0, 0, 0, -1, 1, -2, 2])
            length = max(1, min(17, length))
            digits = ex[:min(keep, length)]
            while len(digits) < length:
                digits += str(rng.randint(0, 9))
        else:
            length = rng.choice(lengths + [rng.randint(2, 17)])
            digits = "".join(str(rng.randint(0, 9)) for _ in range(length))
        out.append(digits)
    return out


def check_region(region, metadata, encoded, rng, samples):
    valid = decode_dfa(encoded["valid"])
    general = decode_dfa(encoded["general"])
    leading = decode_dfa(encoded["leading"])
    general_re = re.compile(metadata.general_desc.national_number_pattern) if metadata.general_desc.national_number_pattern else None
    leading_re = re.compile(metadata.leading_digits) if metadata.leading_digits else None
    valid_count = 0
    for digits in random_candidates(metadata, rng, samples):
        expected = _number_type_helper(digits, metadata) != PhoneNumberType.UNKNOWN
        got = walk_full(valid, digits)
        if expected != got:
            raise SystemExit("valid table disagrees for %s %s: phonenumbers=%s table=%s" % (region, digits, expected, got))
        valid_count += expected
        exp_general = bool(general_re and general_re.fullmatch(digits))
        if exp_general != walk_full(general, digits):
            raise SystemExit("general table disagrees for %s %s" % (region, digits))
        exp_leading = bool(leading_re and leading_re.match(digits))
        if exp_leading != walk_prefix(leading, digits):
            raise SystemExit("leading table disagrees for %s %s" % (region, digits))
    return valid_count


# --------------------------------------------------------------------------------------------

def region_record(region, cc, metadata):
    general = metadata.general_desc
    encoded = {
        "valid": valid_dfa(metadata),
        "general": pattern_dfa(general.national_number_pattern if general else None, prefix=False),
        "leading": pattern_dfa(metadata.leading_digits, prefix=True),
    }
    try:
        npp = prefix_rules(metadata.national_prefix_for_parsing, metadata.national_prefix_transform_rule)
    except ValueError as error:
        raise SystemExit("%s: national prefix for parsing: %s" % (region, error))
    idd = prefix_rules(metadata.international_prefix)
    lengths = ",".join(str(n) for n in (general.possible_length or ()) if n > 0)
    local = ",".join(str(n) for n in (general.possible_length_local_only or ()))
    fields = [region, str(cc), lengths, local, npp, idd, encoded["valid"], encoded["general"], encoded["leading"]]
    for f in fields:
        assert "|" not in f and '"' not in f and "\\" not in f, (region, f)
    return "|".join(fields), encoded


def main():
    if phonenumbers.__version__ != PINNED_VERSION:
        print("warning: phonenumbers %s installed, tables are pinned to %s (pip install phonenumbers==%s)"
              % (phonenumbers.__version__, PINNED_VERSION, PINNED_VERSION), file=sys.stderr)
    samples = int(os.environ.get("PHONE_METADATA_SAMPLES", "4000"))
    rng = random.Random(20261123)
    records = []
    calling_codes = []
    checked = 0
    valid_seen = 0
    for cc in sorted(COUNTRY_CODE_TO_REGION_CODE):
        regions = COUNTRY_CODE_TO_REGION_CODE[cc]
        calling_codes.append("%d:%s" % (cc, ",".join(regions)))
        for region in regions:
            if region == "001":
                metadata = PhoneMetadata.metadata_for_nongeo_region(cc)
            else:
                metadata = PhoneMetadata.metadata_for_region(region)
            if metadata is None:
                continue
            record, encoded = region_record(region, cc, metadata)
            records.append(record)
            valid_seen += check_region(region, metadata, encoded, rng, samples)
            checked += samples
    print("checked %d random national numbers (%d valid) against phonenumbers %s: tables agree"
          % (checked, valid_seen, phonenumbers.__version__), file=sys.stderr)

    lines = []
    lines.append("// GENERATED by Scripts/generate_phone_metadata.py from libphonenumber metadata")
    lines.append("// (Python package phonenumbers %s). Do not edit by hand: regenerate." % phonenumbers.__version__)
    lines.append("//")
    lines.append("// Copyright (C) 2009-2025 The Libphonenumber Authors.")
    lines.append("// Licensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file")
    lines.append("// except in compliance with the License. You may obtain a copy of the License at")
    lines.append("// http://www.apache.org/licenses/LICENSE-2.0 . Unless required by applicable law or agreed to")
    lines.append("// in writing, software distributed under the License is distributed on an \"AS IS\" BASIS,")
    lines.append("// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND. Derived work: the metadata's regular")
    lines.append("// expressions were compiled into the tables below. See LICENSES/libphonenumber-NOTICE.")
    lines.append("//")
    lines.append("// Record format (one string per region, fields separated by `|`): region, calling code,")
    lines.append("// possible lengths, local-only lengths, national prefix for parsing rules, international")
    lines.append("// prefix rules, valid-number DFA, general-pattern DFA, leading-digits DFA (prefix match).")
    lines.append("// Decoded once by PhoneMetadataStore.")
    lines.append("")
    lines.append("enum PhoneMetadataTables {")
    lines.append("    /// The libphonenumber metadata version these tables were generated from.")
    lines.append("    static let version = \"%s\"" % phonenumbers.__version__)
    lines.append("")
    lines.append("    /// `callingCode:REGION,REGION…`, the main region first (libphonenumber's order).")
    lines.append("    static let callingCodes = \"%s\"" % ";".join(calling_codes))
    lines.append("")
    lines.append("    /// One record per region.")
    lines.append("    static let regions: [String] = [")
    for record in records:
        lines.append("        \"%s\"," % record)
    lines.append("    ]")
    lines.append("}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %s (%d regions, %d bytes)" % (os.path.normpath(OUT), len(records), os.path.getsize(OUT)), file=sys.stderr)


if __name__ == "__main__":
    main()
