#!/usr/bin/env python3
"""Self-test for ops/verify_bundle.py.

Builds evidence bundles from scratch (own Ed25519 key, own RFC 9162 Merkle
tree, own signed checkpoint note), runs verify_bundle.py on them as a
subprocess and checks that good bundles pass and broken ones fail.  Also
checks the verifier's RFC 8785 implementation against the RFC's examples.

Run:  python3 ops/verify_bundle_selftest.py   (exit status 0 = all passed)
"""

import base64
import copy
import hashlib
import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "verify_bundle.py")

FAILURES = []
PASSED = [0]


def check(cond, what):
    if cond:
        PASSED[0] += 1
    else:
        FAILURES.append(what)
        print("FAIL: %s" % what)


# ---------------------------------------------------------------- building


def b64(b):
    return base64.b64encode(b).decode("ascii")


def sha(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def leaf_hash(leaf):
    return sha(b"\x00", leaf.encode("utf-8"))


def mth(hashes):
    """RFC 9162 2.1.1 Merkle Tree Hash over leaf hashes."""
    n = len(hashes)
    if n == 0:
        return sha()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\x01", mth(hashes[:k]), mth(hashes[k:]))


def path(m, hashes):
    """RFC 9162 2.1.3.1 PATH(m, D[n])."""
    n = len(hashes)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return path(m, hashes[:k]) + [mth(hashes[k:])]
    return path(m - k, hashes[k:]) + [mth(hashes[:k])]


class Signer(object):
    def __init__(self, name):
        self.name = name
        self.priv = Ed25519PrivateKey.generate()
        self.pub = self.priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_hash = sha(name.encode("utf-8"), b"\n", b"\x01", self.pub)[:4]
        self.vkey = "%s+%s+%s" % (name, self.key_hash.hex(), b64(b"\x01" + self.pub))

    def sig_line(self, text):
        sig = self.priv.sign(text.encode("utf-8"))
        return "\u2014 %s %s\n" % (self.name, b64(self.key_hash + sig))


def checkpoint_text(origin, size, root, extra=("time 2026-12-08T10:00:00Z",)):
    return "%s\n%d\n%s\n" % (origin, size, b64(root)) + "".join(e + "\n" for e in extra)


def make_note(text, signers):
    return text + "\n" + "".join(s.sig_line(text) for s in signers)


def canon_leaf(i):
    # hand-written canonical RFC 8785 text (members sorted, no whitespace)
    return ('{"at":"2026-12-0%dT10:00:00Z","data":{"amount":%s,"note":"caf\u00e9 \u20ac/\\n %d"},'
            '"leaf":"kirjuri/v1","seq":%d,"type":"decision.recorded"}'
            % (1 + i % 9, ["1.5", "100", "-3", "1e+21", "0.000001", "1e-7", "0"][i % 7], i, i))


ORIGIN = "kirjuri.example.fi/log"


def build(n_leaves=7, picks=(0, 3, 6), signer=None):
    signer = signer or Signer(ORIGIN)
    leaves = [canon_leaf(i) for i in range(n_leaves)]
    hashes = [leaf_hash(l) for l in leaves]
    root = mth(hashes)
    text = checkpoint_text(ORIGIN, n_leaves, root)
    bundle = {
        "format": "kirjuri-evidence-bundle/v1",
        "subject": {"kind": "decision", "id": "d-42", "title": "Päätös 42 \u2014 kaavoitus"},
        "created_at": "2026-12-08T10:00:00Z",
        "summary": {"fi": "Todisteet", "en": "Evidence"},
        "checkpoint": make_note(text, [signer]),
        "keys": [signer.vkey],
        "events": [{"index": i, "leaf": leaves[i], "proof": [b64(h) for h in path(i, hashes)]}
                   for i in picks],
    }
    return bundle, signer, leaves, hashes, root


# ---------------------------------------------------------------- running


TMP = tempfile.mkdtemp(prefix="verify_bundle_selftest.")


def run(bundle=None, raw=None, args=()):
    p = os.path.join(TMP, "b.json")
    with open(p, "wb") as f:
        if raw is None:
            try:
                raw = json.dumps(bundle, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates: write them as \u escapes
                raw = json.dumps(bundle).encode("ascii")
        f.write(raw)
    r = subprocess.run([sys.executable, VERIFIER, p] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def expect_valid(bundle, what, args=()):
    rc, out, err = run(bundle, args=args)
    check(rc == 0 and out.startswith("valid: "), "%s: want valid, got rc=%d %s%s" % (what, rc, out, err))
    check("Traceback" not in err, "%s: traceback: %s" % (what, err))
    return out


def expect_invalid(bundle, what, contains=None, args=(), raw=None):
    rc, out, err = run(bundle, raw=raw, args=args)
    ok = rc == 1 and out.startswith("INVALID: ")
    if ok and contains:
        ok = all(c.lower() in out.lower() for c in ([contains] if isinstance(contains, str) else contains))
    check(ok, "%s: want INVALID%s, got rc=%d %r %r"
          % (what, " mentioning %r" % (contains,) if contains else "", rc, out, err))
    check("Traceback" not in err + out, "%s: traceback: %s" % (what, err))


# ---------------------------------------------------------------- JCS


def test_jcs():
    spec = importlib.util.spec_from_file_location("verify_bundle", VERIFIER)
    vb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(vb)
    numbers = [
        (1e21, "1e+21"), (1e20, "100000000000000000000"), (123e-10, "1.23e-8"),
        (0.000001, "0.000001"), (1e-7, "1e-7"), (4.50, "4.5"),
        (333333333.33333329, "333333333.3333333"), (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (-0.0, "0"), (0.0, "0"), (-1.5, "-1.5"), (1.0, "1"), (100.0, "100"),
        (0.1, "0.1"), (9007199254740992.0, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"), (1e-6, "0.000001"),
        (123456789012345680000.0, "123456789012345680000"), (1.5e300, "1.5e+300"),
    ]
    for x, want in numbers:
        got = vb.jcs(x)
        check(got == want, "JCS number %r: want %s, got %s" % (x, want, got))
    # the same through the JSON parser (text -> value -> canonical text)
    for text, want in [("1E21", "1e+21"), ("1e20", "100000000000000000000"), ("123e-10", "1.23e-8"),
                       ("0.000001", "0.000001"), ("1e-7", "1e-7"), ("4.50", "4.5"),
                       ("333333333.33333329", "333333333.3333333"), ("5e-324", "5e-324"),
                       ("1.7976931348623157e308", "1.7976931348623157e+308"),
                       ("-0", "0"), ("-0.0", "0"), ("2.0", "2"), ("42", "42"),
                       ("9007199254740993", "9007199254740993"),
                       ("-123456789012345678901234567890", "-123456789012345678901234567890")]:
        got = vb.jcs(vb.parse_strict_json(text))
        check(got == want, "JCS of JSON %s: want %s, got %s" % (text, want, got))
    obj = {"\u20ac": "Euro Sign", "\U0001F600": "Smiley", "b": "b", "\r": "CR",
           "1": "One", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis",
           "\ufb33": "Hebrew Letter Dalet With Dagesh"}
    got = vb.jcs(obj)
    order = [k for k in json.loads(got)]
    want_order = ["\r", "1", "b", "\u0080", "\u00f6", "\u20ac", "\U0001F600", "\ufb33"]
    check(order == want_order, "JCS key order: got %r" % (order,))
    got = vb.jcs({"\u20ac": 1, "\U0001F600": 2, "b": 3})
    check(got == '{"b":3,"\u20ac":1,"\U0001F600":2}', "JCS b, euro, smiley: got %r" % got)
    got = vb.jcs(["\u20ac$\u000f\nA'B\"\\\\\"/", "\x1f\x7f\b\t\f\r"])
    check(got == '["\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/","\\u001f\x7f\\b\\t\\f\\r"]',
          "JCS string escaping: got %r" % got)
    got = vb.jcs({"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
                  "string": "\u20ac$\u000f\nA'B\"\\\\\"/", "literals": [None, True, False]})
    want = ('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')
    check(got == want, "JCS RFC 8785 3.2.2 example: got %r" % got)
    for bad in ["NaN", "Infinity", "-Infinity", '{"a":1,"a":2}']:
        try:
            vb.parse_strict_json(bad)
            check(False, "parse_strict_json accepted %s" % bad)
        except ValueError:
            check(True, "")
    try:
        vb.jcs(vb.parse_strict_json("1e400"))
        check(False, "JCS accepted 1e400 (infinity)")
    except vb.NotCanonicalizable:
        check(True, "")


# ---------------------------------------------------------------- bundles


def test_bundles():
    good, signer, leaves, hashes, root = build()
    out = expect_valid(good, "good bundle")
    check("valid: 3 events of P\u00e4\u00e4t\u00f6s 42" in out, "summary line: %r" % out)
    check("checkpoint: 7 events, root %s" % root.hex() in out, "checkpoint line: %r" % out)
    check("signed by: %s" % signer.vkey in out, "signed-by line: %r" % out)
    check("/.well-known/kirjuri/keys" in out, "own-key note missing: %r" % out)

    out = expect_valid(good, "good bundle with --key", args=["--key", signer.vkey])
    check("/.well-known/kirjuri/keys" not in out, "own-key note printed despite --key")

    rc, out, err = run(good, args=["--json"])
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    check(rc == 0 and j.get("valid") is True and j.get("events") == 3 and j.get("tree_size") == 7
          and j.get("root") == root.hex() and j.get("key") == signer.vkey,
          "--json on good bundle: rc=%d %r" % (rc, out))

    # every leaf of several tree sizes, including 1 and powers of two
    for n in (1, 2, 3, 4, 5, 8, 9, 16, 17):
        b, *_ = build(n_leaves=n, picks=tuple(range(n)))
        expect_valid(b, "all %d leaves of a tree of %d" % (n, n))

    # witness cosignature by an unknown key is ignored
    b = copy.deepcopy(good)
    witness = Signer("witness.example.org")
    b["checkpoint"] += witness.sig_line(checkpoint_text(ORIGIN, 7, root))
    expect_valid(b, "extra witness cosignature")

    # leaf with one byte changed
    b = copy.deepcopy(good)
    leaf = b["events"][1]["leaf"]
    b["events"][1]["leaf"] = leaf.replace('"seq":3', '"seq":4')
    expect_invalid(b, "leaf with one byte changed", ["event 2", "index 3", "another root"])

    # a proof hash flipped
    b = copy.deepcopy(good)
    h = bytearray(base64.b64decode(b["events"][0]["proof"][1]))
    h[0] ^= 1
    b["events"][0]["proof"][1] = b64(bytes(h))
    expect_invalid(b, "proof hash flipped", ["event 1", "another root"])

    # a proof one hash too short / too long
    b = copy.deepcopy(good)
    b["events"][2]["proof"].pop()
    expect_invalid(b, "proof one hash too short", ["event 3", "index 6", "too short"])
    b = copy.deepcopy(good)
    b["events"][2]["proof"].append(b64(sha(b"x")))
    expect_invalid(b, "proof one hash too long", ["event 3", "too long"])

    # index == size, index moved
    b = copy.deepcopy(good)
    b["events"][2]["index"] = 7
    expect_invalid(b, "index == size", "index 7")
    b = copy.deepcopy(good)
    b["events"][0]["index"] = 1
    expect_invalid(b, "index of another leaf", "event 1")

    # checkpoint with a changed size: unsigned change, and re-signed change
    b = copy.deepcopy(good)
    b["checkpoint"] = b["checkpoint"].replace("\n7\n", "\n8\n", 1)
    expect_invalid(b, "changed size, old signature", "does not verify")
    b = copy.deepcopy(good)
    b["checkpoint"] = make_note(checkpoint_text(ORIGIN, 8, root), [signer])
    # (the proofs of leaves 0 and 3 happen to fit a tree of 8 as well; leaf 6's does not)
    expect_invalid(b, "changed size, re-signed", "index 6")
    b = copy.deepcopy(good)
    b["checkpoint"] = make_note(checkpoint_text(ORIGIN, 6, root), [signer])
    expect_invalid(b, "smaller size, re-signed", "index 6")

    # note signed by an unknown key (bundle lists the real key)
    b = copy.deepcopy(good)
    other = Signer(ORIGIN)
    b["checkpoint"] = make_note(checkpoint_text(ORIGIN, 7, root), [other])
    expect_invalid(b, "note signed by an unknown key", "no signature by a trusted key")
    # ... and the unknown key's bundle is rejected with --key of the real one
    b = copy.deepcopy(good)
    b["checkpoint"] = make_note(checkpoint_text(ORIGIN, 7, root), [other])
    b["keys"] = [other.vkey]
    expect_valid(b, "bundle self-consistent with its own (other) key")
    expect_invalid(b, "other key's bundle with --key", "no signature by a trusted key",
                   args=["--key", signer.vkey])

    # bad signature by the trusted key (same name and hash, wrong bytes)
    b = copy.deepcopy(good)
    text, _, sigs = b["checkpoint"].rpartition("\n\n")
    text += "\n"
    sig = bytearray(base64.b64decode(sigs.split(" ")[2]))
    sig[10] ^= 0x80
    b["checkpoint"] = text + "\n\u2014 %s %s\n" % (ORIGIN, b64(bytes(sig)))
    expect_invalid(b, "trusted-key signature corrupted", "does not verify")

    # keys list with a wrong key hash
    b = copy.deepcopy(good)
    name, hx, k = signer.vkey.split("+", 2)
    b["keys"] = ["%s+%s+%s" % (name, "%08x" % (int(hx, 16) ^ 1), k)]
    expect_invalid(b, "keys list with a wrong key hash", "wrong key hash")
    expect_invalid(good, "--key with a wrong key hash", "wrong key hash",
                   args=["--key", "%s+%s+%s" % (name, "%08x" % (int(hx, 16) ^ 1), k)])

    # origin differing from the key name
    other_name = Signer("other.example.fi/log")
    b = copy.deepcopy(good)
    b["checkpoint"] = make_note(checkpoint_text(ORIGIN, 7, root), [other_name])
    b["keys"] = [other_name.vkey]
    expect_invalid(b, "origin is not the key name", "origin")

    # non-canonical leaves
    b = copy.deepcopy(good)
    b["events"][0]["leaf"] = b["events"][0]["leaf"].replace('"seq":0', '"seq": 0')
    expect_invalid(b, "non-canonical leaf (extra space)", ["event 1", "not canonical"])
    b = copy.deepcopy(good)
    b["events"][0]["leaf"] = json.dumps(json.loads(leaves[0]), sort_keys=True, separators=(",", ":"))
    expect_invalid(b, "non-canonical leaf (\\u-escaped)", "not canonical")
    b = copy.deepcopy(good)
    b["events"][0]["leaf"] = '{"leaf":"kirjuri/v1","at":"x"}'
    expect_invalid(b, "non-canonical leaf (unsorted)", "not canonical")
    b = copy.deepcopy(good)
    b["events"][0]["leaf"] = '{"leaf":"kirjuri/v2"}'
    expect_invalid(b, "leaf tag wrong", "kirjuri/v1")
    b = copy.deepcopy(good)
    b["events"][0]["leaf"] = '{"leaf":"kirjuri/v1","x":1.50}'
    expect_invalid(b, "non-canonical leaf (number)", "not canonical")

    # non-JSON file and unreadable file: exit 2
    rc, out, err = run(raw=b"this is not json {")
    check(rc == 2 and err.startswith("error: ") and "Traceback" not in err,
          "non-JSON file: rc=%d %r" % (rc, err))
    r = subprocess.run([sys.executable, VERIFIER, os.path.join(TMP, "missing.json")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 2 and r.stderr.startswith(b"error: "), "missing file: rc=%d" % r.returncode)

    # structural garbage: every case INVALID (exit 1), never a traceback
    mutations = [
        ("format wrong", lambda b: b.__setitem__("format", "kirjuri-evidence-bundle/v2")),
        ("events empty", lambda b: b.__setitem__("events", [])),
        ("events not a list", lambda b: b.__setitem__("events", {"a": 1})),
        ("index is bool", lambda b: b["events"][0].__setitem__("index", False)),
        ("index negative", lambda b: b["events"][0].__setitem__("index", -1)),
        ("index float", lambda b: b["events"][0].__setitem__("index", 0.0)),
        ("index string", lambda b: b["events"][0].__setitem__("index", "0")),
        ("proof bad base64", lambda b: b["events"][0]["proof"].__setitem__(0, "!!!")),
        ("proof short hash", lambda b: b["events"][0]["proof"].__setitem__(0, b64(b"abc"))),
        ("proof not list", lambda b: b["events"][0].__setitem__("proof", "x")),
        ("proof entry int", lambda b: b["events"][0]["proof"].__setitem__(0, 5)),
        ("leaf not string", lambda b: b["events"][0].__setitem__("leaf", {"leaf": "kirjuri/v1"})),
        ("leaf not JSON", lambda b: b["events"][0].__setitem__("leaf", "{nope")),
        ("leaf array", lambda b: b["events"][0].__setitem__("leaf", "[1]")),
        ("leaf lone surrogate", lambda b: b["events"][0].__setitem__("leaf", '{"leaf":"kirjuri/v1","x":"\ud800"}')),
        ("leaf NaN", lambda b: b["events"][0].__setitem__("leaf", '{"leaf":"kirjuri/v1","x":NaN}')),
        ("leaf 1e400", lambda b: b["events"][0].__setitem__("leaf", '{"leaf":"kirjuri/v1","x":1e400}')),
        ("leaf duplicate", lambda b: b["events"][0].__setitem__("leaf", '{"leaf":"kirjuri/v1","leaf":"kirjuri/v1"}')),
        ("leaf deep", lambda b: b["events"][0].__setitem__("leaf", '{"leaf":"kirjuri/v1","x":' + "[" * 100000 + "]" * 100000 + "}")),
        ("event not object", lambda b: b["events"].__setitem__(0, 3)),
        ("keys not list", lambda b: b.__setitem__("keys", "x")),
        ("keys empty", lambda b: b.__setitem__("keys", [])),
        ("key int", lambda b: b.__setitem__("keys", [1])),
        ("key 2 parts", lambda b: b.__setitem__("keys", ["a+b"])),
        ("key bad b64", lambda b: b.__setitem__("keys", ["a+00000000+@@"])),
        ("key short", lambda b: b.__setitem__("keys", ["a+00000000+" + b64(b"\x01abc")])),
        ("key name space", lambda b: b.__setitem__("keys", ["a b+00000000+" + b64(b"\x01" + bytes(32))])),
        ("checkpoint missing", lambda b: b.pop("checkpoint")),
        ("checkpoint int", lambda b: b.__setitem__("checkpoint", 7)),
        ("checkpoint no sigs", lambda b: b.__setitem__("checkpoint", b["checkpoint"].split("\n\n")[0] + "\n\n")),
        ("checkpoint no newline", lambda b: b.__setitem__("checkpoint", b["checkpoint"].rstrip("\n"))),
        ("checkpoint junk sig line", lambda b: b.__setitem__("checkpoint", b["checkpoint"] + "junk\n")),
        ("subject missing", lambda b: b.pop("subject")),
        ("title not string", lambda b: b["subject"].__setitem__("title", 3)),
        ("summary not object", lambda b: b.__setitem__("summary", [])),
        ("created_at bad", lambda b: b.__setitem__("created_at", "yesterday")),
        ("bundle is array", None),
    ]
    for what, mutate in mutations:
        if mutate is None:
            expect_invalid(None, what, raw=b"[1,2,3]")
            continue
        b = copy.deepcopy(good)
        mutate(b)
        expect_invalid(b, what)

    # checkpoint body errors, each properly signed
    for what, text in [
        ("size with leading zero", "%s\n07\n%s\n" % (ORIGIN, b64(root))),
        ("size not a number", "%s\nseven\n%s\n" % (ORIGIN, b64(root))),
        ("root not 32 bytes", "%s\n7\n%s\n" % (ORIGIN, b64(root[:31]))),
        ("too few lines", "%s\n7\n" % ORIGIN),
        ("empty extension line", "%s\n7\n%s\n\nx\n" % (ORIGIN, b64(root))),
    ]:
        b = copy.deepcopy(good)
        b["checkpoint"] = make_note(text, [signer])
        expect_invalid(b, "checkpoint " + what)

    # random byte mutations of a good file: exit 1 or 2, never a traceback
    rng = random.Random(8785)
    raw = json.dumps(good).encode("utf-8")
    for i in range(60):
        m = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            m[rng.randrange(len(m))] = rng.choice(b'{}[]",:0123456789 \\nulltrue+/=\xff')
        rc, out, err = run(raw=bytes(m))
        check(rc in (0, 1, 2) and "Traceback" not in out + err,
              "random mutation %d: rc=%d %r" % (i, rc, err[-300:]))
        if rc == 0:
            # a mutation may land in summary text etc.; it must still verify on its own terms
            check(out.startswith("valid: "), "random mutation %d: odd success output" % i)


def main():
    try:
        test_jcs()
        test_bundles()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print("%d checks passed, %d failed" % (PASSED[0], len(FAILURES)))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
