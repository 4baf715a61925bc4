#!/usr/bin/env python3
"""Independent verifier for kirjuri evidence bundles.

Written from the bundle specification only; it shares no code with the
Rust implementation.  Dependencies: the Python standard library and the
`cryptography` package (for Ed25519).

Usage:  verify_bundle.py FILE [--key VKEY ...] [--json]

Exit status: 0 valid, 1 invalid ("INVALID: <reason>"), 2 when the file
cannot be read or is not JSON ("error: ..." on stderr).

What is checked (in this order):
  1. format == "kirjuri-evidence-bundle/v1", events is a non-empty list,
     the other top-level fields have the documented types;
  2. verifier keys ("<name>+<8 hex>+<base64(0x01 || ed25519 key)>"): the
     --key arguments if given, else the bundle's own `keys`;
  3. the checkpoint is a C2SP signed note with a valid signature by a
     trusted key (signature lines by unknown keys, e.g. witness
     cosignatures, are ignored; a bad signature by a trusted key is fatal);
  4. the checkpoint body is a C2SP tlog-checkpoint whose origin equals
     the signing key's name;
  5. every event's leaf is canonical RFC 8785 JSON with "leaf": "kirjuri/v1"
     and its RFC 9162 inclusion proof leads to the checkpoint's root.
"""

import argparse
import base64
import hashlib
import json
import re
import sys

FORMAT = "kirjuri-evidence-bundle/v1"
LEAF_TAG = "kirjuri/v1"
KEYS_URL = "GET /.well-known/kirjuri/keys"
EM_DASH_PREFIX = "\u2014 "
ALG_ED25519 = 0x01
MAX_U64 = 2 ** 64 - 1

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except Exception:  # pragma: no cover - reported cleanly in main()
    Ed25519PublicKey = None
    InvalidSignature = Exception


class Invalid(Exception):
    """The bundle is not valid; the message says what failed."""


# --------------------------------------------------------------------------
# small helpers


def show(value, limit=80):
    """A printable, single-line, bounded rendering of an untrusted value."""
    if not isinstance(value, str):
        try:
            value = json.dumps(value)
        except Exception:
            value = repr(value)
    out = []
    for ch in value:
        o = ord(ch)
        if o < 0x20 or o == 0x7F or 0x80 <= o < 0xA0 or 0xD800 <= o < 0xE000 \
                or o in (0x2028, 0x2029, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069):
            out.append("\\u%04x" % o if o <= 0xFFFF else "\\U%08x" % o)
        elif ch == "\\":
            out.append("\\\\")
        else:
            out.append(ch)
    s = "".join(out)
    if len(s) > limit:
        s = s[:limit] + "..."
    return s


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def b64decode_strict(s, what):
    """Standard base64 with padding, canonical encoding only."""
    if not isinstance(s, str):
        raise Invalid("%s is %s, not a base64 string" % (what, type_name(s)))
    try:
        raw = s.encode("ascii")
    except UnicodeEncodeError:
        raise Invalid("%s is not base64 (non-ASCII characters)" % what)
    try:
        data = base64.b64decode(raw, validate=True)
    except Exception:
        raise Invalid("%s is not valid base64: %s" % (what, show(s)))
    if base64.b64encode(data) != raw:
        raise Invalid("%s is not canonical base64: %s" % (what, show(s)))
    return data


def sha256(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


def utf8(s, what):
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("%s is not valid Unicode (lone surrogate)" % what)


# --------------------------------------------------------------------------
# RFC 8785 JSON Canonicalization Scheme


class NotCanonicalizable(Exception):
    pass


def _reject_constant(name):
    raise ValueError("%s is not a JSON value" % name)


def _pairs_no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate member name %s" % show(k))
        obj[k] = v
    return obj


def parse_strict_json(text):
    """json.loads that rejects NaN/Infinity and duplicate member names."""
    return json.loads(text, parse_constant=_reject_constant,
                      object_pairs_hook=_pairs_no_duplicates)


def es_number(x):
    """ECMAScript Number.prototype.toString for a finite double."""
    if x != x or x in (float("inf"), float("-inf")):
        raise NotCanonicalizable("number out of range (not finite)")
    if x == 0:
        return "0"  # also -0
    sign = "-" if x < 0 else ""
    r = repr(abs(x))  # shortest round-trip digits
    if "e" in r:
        mant, exp = r.split("e")
        exp = int(exp)
    else:
        mant, exp = r, 0
    if "." in mant:
        ip, fp = mant.split(".")
    else:
        ip, fp = mant, ""
    digits = ip + fp
    n = len(ip) + exp  # value = 0.digits * 10**n
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n <= 21:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        es = ("+" if e >= 0 else "-") + str(abs(e))
        if k == 1:
            s = digits + "e" + es
        else:
            s = digits[0] + "." + digits[1:] + "e" + es
    return sign + s


def jcs_int(n):
    # Integers exactly representable as doubles get the ECMAScript form
    # (plain digits below 1e21); other integers keep all their digits.
    try:
        f = float(n)
    except OverflowError:
        return str(n)
    if int(f) == n:
        return es_number(f)
    return str(n)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f",
            "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def jcs_string(s):
    out = ['"']
    for ch in s:
        e = _ESCAPES.get(ch)
        if e is not None:
            out.append(e)
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _utf16_key(name):
    return name.encode("utf-16-be", "surrogatepass")


def jcs(value):
    """Canonical RFC 8785 text (a str) of a parsed JSON value."""
    parts = []
    stack = [value]
    # iterative, so deeply nested input cannot exhaust the Python stack
    while stack:
        v = stack.pop()
        if isinstance(v, _Literal):
            parts.append(v.text)
        elif v is None:
            parts.append("null")
        elif v is True:
            parts.append("true")
        elif v is False:
            parts.append("false")
        elif isinstance(v, int):
            parts.append(jcs_int(v))
        elif isinstance(v, float):
            parts.append(es_number(v))
        elif isinstance(v, str):
            parts.append(jcs_string(v))
        elif isinstance(v, list):
            items = [_Literal("[")]
            for i, item in enumerate(v):
                if i:
                    items.append(_Literal(","))
                items.append(item)
            items.append(_Literal("]"))
            stack.extend(reversed(items))
        elif isinstance(v, dict):
            items = [_Literal("{")]
            for i, name in enumerate(sorted(v, key=_utf16_key)):
                if i:
                    items.append(_Literal(","))
                items.append(_Literal(jcs_string(name) + ":"))
                items.append(v[name])
            items.append(_Literal("}"))
            stack.extend(reversed(items))
        else:
            raise NotCanonicalizable("unsupported value %r" % type(v))
    return "".join(parts)


class _Literal(object):
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


# --------------------------------------------------------------------------
# verifier keys and signed notes


class VerifierKey(object):
    def __init__(self, text, name, key_hash, public):
        self.text = text
        self.name = name
        self.key_hash = key_hash
        self.public = public


def parse_verifier_key(text, what):
    if not isinstance(text, str):
        raise Invalid("%s is %s, not a verifier key string" % (what, type_name(text)))
    # The key part is standard base64, which may itself hold "+": only the first two separate.
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise Invalid("%s is not of the form <name>+<hash>+<key>: %s" % (what, show(text)))
    name, hexhash, b64 = parts
    if not name:
        raise Invalid("%s has an empty name" % what)
    if any(ch.isspace() for ch in name) or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise Invalid("%s has whitespace or control characters in its name: %s" % (what, show(name)))
    if not re.fullmatch(r"[0-9a-fA-F]{8}", hexhash):
        raise Invalid("%s has a malformed key hash %s (want 8 hex digits)" % (what, show(hexhash)))
    data = b64decode_strict(b64, "%s's public key" % what)
    if len(data) != 33 or data[0] != ALG_ED25519:
        raise Invalid("%s is not an Ed25519 key (want base64 of 0x01 followed by 32 bytes)" % what)
    pub = data[1:]
    name_bytes = utf8(name, "%s's name" % what)
    key_hash = sha256(name_bytes, b"\n", bytes([ALG_ED25519]), pub)[:4]
    if key_hash.hex() != hexhash.lower():
        raise Invalid("%s has a wrong key hash: says %s, the key's hash is %s"
                      % (what, hexhash, key_hash.hex()))
    try:
        public = Ed25519PublicKey.from_public_bytes(pub)
    except Exception:
        raise Invalid("%s does not hold a usable Ed25519 public key" % what)
    return VerifierKey(text, name, key_hash, public)


def open_note(note, trusted):
    """Returns (text, [trusted keys whose signatures verified])."""
    if not isinstance(note, str):
        raise Invalid("checkpoint is %s, not a signed note string" % type_name(note))
    if not note.endswith("\n"):
        raise Invalid("checkpoint note does not end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise Invalid("checkpoint note has no blank line before its signatures")
    text = note[:split + 1]
    sig_block = note[split + 2:]
    text_bytes = utf8(text, "checkpoint text")
    for ch in text:
        if (ord(ch) < 0x20 and ch != "\n") or ord(ch) == 0x7F:
            raise Invalid("checkpoint text contains a control character")
    lines = sig_block.split("\n")
    # sig_block ends with "\n" (the note does), so the last piece is empty
    lines.pop()
    verified = []
    for number, line in enumerate(lines, 1):
        where = "checkpoint signature line %d" % number
        if not line.startswith(EM_DASH_PREFIX):
            raise Invalid("%s does not start with an em dash and a space: %s"
                          % (where, show(line)))
        rest = line[len(EM_DASH_PREFIX):]
        name, space, b64 = rest.partition(" ")
        if not space or not name or " " in b64:
            raise Invalid("%s is malformed (want \u2014 <name> <base64>): %s"
                          % (where, show(line)))
        sig = b64decode_strict(b64, where)
        if len(sig) < 5:
            raise Invalid("%s is too short to hold a key hash and a signature" % where)
        key_hash, body = sig[:4], sig[4:]
        for key in trusted:
            if key.name != name or key.key_hash != key_hash:
                continue
            if len(body) != 64:
                raise Invalid("%s, by trusted key %s, is not a 64-byte Ed25519 signature"
                              % (where, show(key.name)))
            try:
                key.public.verify(body, text_bytes)
            except InvalidSignature:
                raise Invalid("%s, by trusted key %s, does not verify: the checkpoint "
                              "was altered or signed by another key" % (where, show(key.name)))
            if key not in verified:
                verified.append(key)
    if not verified:
        raise Invalid("no signature by a trusted key on the checkpoint (trusted: %s)"
                      % ", ".join(show(k.text, 120) for k in trusted))
    return text, verified


def parse_checkpoint(text):
    """C2SP tlog-checkpoint body -> (origin, size, root)."""
    lines = text.split("\n")
    lines.pop()  # text ends with "\n"
    if len(lines) < 3:
        raise Invalid("checkpoint has %d line(s); want origin, tree size and root hash" % len(lines))
    origin, size_s, root_s = lines[0], lines[1], lines[2]
    if not origin:
        raise Invalid("checkpoint origin (line 1) is empty")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_s):
        raise Invalid("checkpoint tree size (line 2) is not a decimal number without "
                      "leading zeros: %s" % show(size_s))
    size = int(size_s)
    if size > MAX_U64:
        raise Invalid("checkpoint tree size %s does not fit in 64 bits" % show(size_s))
    root = b64decode_strict(root_s, "checkpoint root hash (line 3)")
    if len(root) != 32:
        raise Invalid("checkpoint root hash is %d bytes, want 32" % len(root))
    for i, ext in enumerate(lines[3:], 4):
        if not ext:
            raise Invalid("checkpoint line %d is empty" % i)
    return origin, size, root


# --------------------------------------------------------------------------
# RFC 9162 inclusion proofs


def verify_inclusion(index, size, leaf_hash, proof, root):
    """Returns None if fine, else a reason string."""
    if index >= size:
        return "index %d is not inside the tree of %d events" % (index, size)
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return "the proof is too long (%d hashes)" % len(proof)
        if (fn & 1) or fn == sn:
            r = sha256(b"\x01", p, r)
            if not (fn & 1):
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01", r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return "the proof is too short (%d hashes)" % len(proof)
    if r != root:
        return "the proof leads to another root (%s), not the checkpoint's" % r.hex()
    return None


# --------------------------------------------------------------------------
# the bundle


_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(\.[0-9]+)?([Zz]|[+-]([0-9]{2}):([0-9]{2}))")


def check_rfc3339(s, what):
    if not isinstance(s, str):
        raise Invalid("%s is %s, not an RFC 3339 timestamp string" % (what, type_name(s)))
    m = _RFC3339.fullmatch(s)
    ok = m is not None
    if ok:
        y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
        mdays = [31, 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28,
                 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        ok = 1 <= mo <= 12 and 1 <= d <= mdays[mo - 1] and h <= 23 and mi <= 59 and sec <= 60
        if ok and m.group(9) is not None:
            ok = int(m.group(9)) <= 23 and int(m.group(10)) <= 59
    if not ok:
        raise Invalid("%s is not an RFC 3339 timestamp: %s" % (what, show(s)))


def require_object(v, what):
    if not isinstance(v, dict):
        raise Invalid("%s is %s, not an object" % (what, type_name(v)))
    return v


def require_string(obj, name, what):
    if name not in obj:
        raise Invalid("%s has no %s" % (what, show(name)))
    v = obj[name]
    if not isinstance(v, str):
        raise Invalid("%s.%s is %s, not a string" % (what, name, type_name(v)))
    return v


def verify(bundle, key_args, state):
    """Raises Invalid; on success fills `state`."""
    require_object(bundle, "the bundle")

    # 1. format, events
    if "format" not in bundle:
        raise Invalid("the bundle has no format field")
    if bundle["format"] != FORMAT:
        raise Invalid("format is %s, want %s" % (show(bundle["format"]), FORMAT))
    if "events" not in bundle:
        raise Invalid("the bundle has no events")
    events = bundle["events"]
    if not isinstance(events, list):
        raise Invalid("events is %s, not an array" % type_name(events))
    if not events:
        raise Invalid("the bundle has no events (events is empty)")
    state["events"] = len(events)

    subject = require_object(bundle.get("subject"), "subject")
    for f in ("kind", "id", "title"):
        require_string(subject, f, "subject")
    state["title"] = subject["title"]
    if "created_at" not in bundle:
        raise Invalid("the bundle has no created_at")
    check_rfc3339(bundle["created_at"], "created_at")
    summary = require_object(bundle.get("summary"), "summary")
    for f in ("fi", "en"):
        require_string(summary, f, "summary")

    # 2. keys
    if "keys" not in bundle:
        raise Invalid("the bundle has no keys field")
    bundle_keys_raw = bundle["keys"]
    if not isinstance(bundle_keys_raw, list):
        raise Invalid("keys is %s, not an array" % type_name(bundle_keys_raw))
    bundle_keys = [parse_verifier_key(k, "bundle key %d" % i)
                   for i, k in enumerate(bundle_keys_raw, 1)]
    if key_args:
        trusted = [parse_verifier_key(k, "--key %s" % show(k, 40)) for k in key_args]
        state["own_key"] = False
    else:
        if not bundle_keys:
            raise Invalid("the bundle lists no keys and no --key was given")
        trusted = bundle_keys
        state["own_key"] = True

    # 3. signed note
    text, signers = open_note(bundle.get("checkpoint"), trusted)

    # 4. checkpoint body
    origin, size, root = parse_checkpoint(text)
    signer = next((k for k in signers if k.name == origin), None)
    if signer is None:
        raise Invalid("checkpoint origin %s is not the name of the key that signed it (%s)"
                      % (show(origin), ", ".join(show(k.name) for k in signers)))
    state["tree_size"] = size
    state["root"] = root.hex()
    state["key"] = signer.text

    # 5./6. events
    for pos, ev in enumerate(events, 1):
        where = "event %d" % pos
        if not isinstance(ev, dict):
            raise Invalid("%s is %s, not an object" % (where, type_name(ev)))
        index = ev.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise Invalid("%s: index is %s, not an integer" % (where, type_name(index)))
        if index < 0:
            raise Invalid("%s: index %d is negative" % (where, index))
        where = "event %d (leaf index %d)" % (pos, index)
        leaf = ev.get("leaf")
        if not isinstance(leaf, str):
            raise Invalid("%s: leaf is %s, not a string" % (where, type_name(leaf)))
        proof_raw = ev.get("proof")
        if not isinstance(proof_raw, list):
            raise Invalid("%s: proof is %s, not an array" % (where, type_name(proof_raw)))
        proof = []
        for j, p in enumerate(proof_raw, 1):
            h = b64decode_strict(p, "%s: proof hash %d" % (where, j))
            if len(h) != 32:
                raise Invalid("%s: proof hash %d is %d bytes, want 32" % (where, j, len(h)))
            proof.append(h)

        leaf_bytes = utf8(leaf, "%s: the leaf" % where)
        try:
            parsed = parse_strict_json(leaf)
        except RecursionError:
            raise Invalid("%s: the leaf is nested too deeply to parse" % where)
        except ValueError as e:
            raise Invalid("%s: the leaf is not JSON (%s)" % (where, show(str(e), 120)))
        if not isinstance(parsed, dict):
            raise Invalid("%s: the leaf is %s, not an object" % (where, type_name(parsed)))
        if parsed.get("leaf") != LEAF_TAG:
            raise Invalid("%s: the leaf's \"leaf\" member is %s, want %s"
                          % (where, show(parsed.get("leaf")) if "leaf" in parsed else "missing",
                             LEAF_TAG))
        try:
            canonical = jcs(parsed)
        except NotCanonicalizable as e:
            raise Invalid("%s: the leaf cannot be canonicalized (%s)" % (where, e))
        except ValueError as e:  # e.g. int too large to print
            raise Invalid("%s: the leaf cannot be canonicalized (%s)" % (where, show(str(e), 120)))
        if utf8(canonical, "%s: the canonical leaf" % where) != leaf_bytes:
            diff = next((i for i, (a, b) in enumerate(zip(leaf, canonical)) if a != b),
                        min(len(leaf), len(canonical)))
            raise Invalid("%s: the leaf is not canonical RFC 8785 JSON (first difference at "
                          "character %d)" % (where, diff))

        leaf_hash = sha256(b"\x00", leaf_bytes)
        reason = verify_inclusion(index, size, leaf_hash, proof, root)
        if reason is not None:
            raise Invalid("%s: %s" % (where, reason))


# --------------------------------------------------------------------------
# command line


def main(argv=None):
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except Exception:
            pass
    ap = argparse.ArgumentParser(
        description="Verify a kirjuri evidence bundle (independent verifier).",
        allow_abbrev=False)
    ap.add_argument("file", metavar="FILE")
    ap.add_argument("--key", action="append", default=[], metavar="VKEY",
                    help="trusted verifier key (repeatable); default: the bundle's own keys")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    state = {"events": None, "tree_size": None, "root": None, "key": None}

    def emit_json(valid, error=None):
        out = {"valid": valid, "events": state["events"], "tree_size": state["tree_size"],
               "root": state["root"], "key": state["key"]}
        if error is not None:
            out["error"] = error
        print(json.dumps(out))

    def fail_read(msg):
        print("error: %s" % msg, file=sys.stderr)
        if args.json:
            emit_json(False, msg)
        return 2

    if Ed25519PublicKey is None:
        return fail_read("the Python 'cryptography' package is required")
    try:
        with open(args.file, "rb") as f:
            raw = f.read()
    except (OSError, ValueError) as e:
        return fail_read("cannot read %s: %s" % (show(args.file), e.strerror if isinstance(e, OSError) and e.strerror else e))
    try:
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            raise ValueError("starts with a byte order mark")
        bundle = parse_strict_json(text)
    except RecursionError:
        return fail_read("%s is not JSON: nested too deeply" % show(args.file))
    except (ValueError, UnicodeDecodeError) as e:
        return fail_read("%s is not JSON: %s" % (show(args.file), show(str(e), 200)))

    try:
        verify(bundle, args.key, state)
    except Invalid as e:
        return report_invalid(str(e), args, emit_json)
    except RecursionError:
        return report_invalid("the bundle is nested too deeply", args, emit_json)
    except Exception as e:  # never a traceback; never "valid" on surprise
        return report_invalid("internal error while checking (%s: %s)"
                              % (type(e).__name__, show(str(e), 200)), args, emit_json)

    note = None
    if state.get("own_key"):
        note = ("note: verified with the bundle's own key; compare it with the city's "
                "published keys at %s" % KEYS_URL)
    if args.json:
        if note:
            print(note, file=sys.stderr)
        emit_json(True)
    else:
        print("valid: %d events of %s" % (state["events"], show(state["title"], 200)))
        print("checkpoint: %d events, root %s" % (state["tree_size"], state["root"]))
        print("signed by: %s" % show(state["key"], 300))
        if note:
            print(note)
    return 0


def report_invalid(reason, args, emit_json):
    if args.json:
        emit_json(False, reason)
    else:
        print("INVALID: %s" % reason)
    return 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
