"""Layer 1, normalisation: one canonical text for every check, plus decoded readings of anything encoded.

``normalise(raw)`` returns
- ``clean``: NFKC, invisible / format / tag / variation-selector characters removed, whitespace tidied.
  This is the text that may travel on (after PII masking); it keeps the member's own spelling.
- ``inspect``: ``clean`` with homoglyphs folded to Latin, combining marks on Latin letters dropped (Zalgo),
  and runs of spaced-out letters joined ("i g n o r e" -> "ignore"). Only checks read it.
- ``views``: decoded readings of hidden or encoded content (Unicode tag / variation-selector smuggling,
  base64 / base32 / base16 / ascii85 / uuencode blobs, URL and HTML escapes, Morse, Braille, NATO spelling,
  rot13 / atbash / reversed text, leetspeak), so an encoded attack meets the same rules and detector as a
  plain one. Each view is (kind, text).
- ``flags``: what was found (e.g. ``invisible_chars``, ``homoglyphs``, ``base64``), used for reason details.

Everything here is pure Python and bounded: blobs are only tried when they look like their encoding, and
whole-text transforms (rot13, atbash, reverse) are kept only when they read as English much better than
the original does.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------------------
# Character classes


def _is_invisible(ch: str) -> bool:
    cp = ord(ch)
    if 0xE0000 <= cp <= 0xE007F or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(ch) in {"Cf", "Co", "Cs"} or cp in {0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F}


# Latin look-alikes from Cyrillic, Greek, Armenian, IPA and Cherokee blocks that NFKC leaves alone.
_HOMOGLYPHS = str.maketrans({
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l",
    "ɡ": "g", "ʏ": "y", "ᴋ": "k",
    "А": "A", "В": "B", "Е": "E", "Ё": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "ε": "e", "ω": "w",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P",
    "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin extensions and IPA that look like plain letters
    "ı": "i", "ɑ": "a", "ɩ": "i", "ɪ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r", "ꜱ": "s", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e",
    "ᴏ": "o", "ᴘ": "p", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z", "ǀ": "l", "ℓ": "l",
    # Armenian / Cherokee
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "Ꭺ": "A", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꭵ": "i", "Ꮃ": "W",
})
_LATIN_WORD = re.compile(r"[A-Za-z]")

# Leetspeak, applied only inside tokens that mix letters with digits or symbols ("1gn0r3", "pr3v!0us").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                       "@": "a", "$": "s", "!": "i", "|": "l", "+": "t", "€": "e"})
_LEET_TOKEN = re.compile(r"(?=[\w@$!|+€]*[A-Za-z])(?=[\w@$!|+€]*[013457@$!|+€])[\w@$!|+€]{3,24}")

# "i g n o r e   a l l" / "I-G-N-O-R-E" / "i.g.n.o.r.e": four or more single letters joined by one separator.
_SPACED = re.compile(r"\b(?:[A-Za-z][ .\-_*]){3,}[A-Za-z]\b")

# The most frequent English words: a cheap test of whether a reading is English.
COMMON_WORDS = frozenset("""
the be to of and a in that have i it for not on with he as you do at this but his by from they we say her she or
an will my one all would there their what so up out if about who get which go me when make can like time no just
him know take people into year your good some could them see other than then now look only come its over think
also back after use two how our work first well way even new want because any these give day most us is are was
were been has had did does said am may must should shall instructions instruction ignore previous print
prompt rules tell say write answer question following above below every nothing anything everything
""".split())
_WORD = re.compile(r"(?<![\w'])[a-z']+(?![\w'])")  # whole alphabetic tokens only ("4yy" is not "yy")


def english_ratio(text: str) -> float:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return 0.0
    return sum(w in COMMON_WORDS for w in words) / len(words)


# Hinglish function words (Indian members often write Hindi in Latin script) and more English ones: together they
# tell English / Hinglish sentences from other languages for the scope check.
_HINGLISH = frozenset("""
mera meri mere mujhe main mai hum hamara kab kya kitna kitni kitne hai hain hoon hu se ka ki ke ko aur nahi nahin
sakta sakti sakte milega milegi milenge batao bataiye bhai kaise kare karo karna kuch ho tha thi apna apni yeh ye woh
wo jab tak par mein me agar toh bhi lekin kyun kyunki kaun kahan abhi paisa paise saal mahina naukri
nikal nikalna nikalu sakta baad chhod chhodni chhodna lagta lagega hota hoti hoga hogi karni liye wala wali ji
sahab kripya matlab sirf bas pehle phir kar kaha mila mili raha rahi rahe gaya gayi
""".split())
_MORE_ENGLISH = frozenset("""
is are was were can could would should will shall may might do does did have has had not no yes please thanks thank
how when where why which who whom whose much many more most less least than then there here also very just only
even still already about after before over under into onto from with without within between during per each every
some any all both either neither other another such own same so if or and but because while until unless though
although since
""".split())
KNOWN_WORDS = COMMON_WORDS | _HINGLISH | _MORE_ENGLISH


def _readable(data: bytes | str, min_letters: int = 6) -> str | None:
    """Decoded bytes as text, if they read as text: printable, with letters and at least one space or word break."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    else:
        text = data
    text = text.strip("\x00 \n\r\t")
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    letters = sum(ch.isalpha() for ch in text)
    if printable / len(text) < 0.95 or letters < min_letters or letters / len(text) < 0.5:
        return None
    return text


# ---------------------------------------------------------------------------------------------------------
# Decoders for blobs found in the text


_B64_BLOB = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{12,}(?:[ \t]*\n[ \t]*[A-Za-z0-9+/_-]{4,})*={0,2}(?![A-Za-z0-9+/=_-])")
_B32_BLOB = re.compile(r"(?<![A-Za-z0-9=])[A-Z2-7]{16,}={0,6}(?![A-Za-z0-9=])")
_HEX_BLOB = re.compile(r"(?<![0-9A-Za-z])(?:[0-9A-Fa-f]{2}[\s:,-]?){8,}(?![0-9A-Za-z])")
_A85_BLOB = re.compile(r"(?:<~)?[!-u]{12,}(?:~>)?")
_B85_BLOB = re.compile(r"[0-9A-Za-z!#$%&()*+\-;<=>?@^_`{|}~]{12,}")
_UU_LINE = re.compile(r"^[!-M][ -`]{8,}$")
_MORSE = re.compile(r"(?:[.\-]{1,7}(?:\s+/?\s*|$)){5,}")
_BRAILLE = re.compile(r"[\u2800-\u28FF][\u2800-\u28FF\s]{4,}")
_PERCENT = re.compile(r"(?:%[0-9A-Fa-f]{2}){3,}")
_ENTITY = re.compile(r"&#?\w{2,8};")

_MORSE_TABLE = {
    ".-": "a", "-...": "b", "-.-.": "c", "-..": "d", ".": "e", "..-.": "f", "--.": "g", "....": "h", "..": "i",
    ".---": "j", "-.-": "k", ".-..": "l", "--": "m", "-.": "n", "---": "o", ".--.": "p", "--.-": "q", ".-.": "r",
    "...": "s", "-": "t", "..-": "u", "...-": "v", ".--": "w", "-..-": "x", "-.--": "y", "--..": "z",
    "-----": "0", ".----": "1", "..---": "2", "...--": "3", "....-": "4", ".....": "5", "-....": "6",
    "--...": "7", "---..": "8", "----.": "9", ".-.-.-": ".", "--..--": ",", "..--..": "?", "-.-.--": "!",
    ".----.": "'", "-..-.": "/", ".-..-.": '"', "---...": ":", "-....-": "-",
}
# Grade-1 Braille: dot patterns as bit masks (dot n -> bit n-1).
_BRAILLE_LETTERS = {
    0x01: "a", 0x03: "b", 0x09: "c", 0x19: "d", 0x11: "e", 0x0B: "f", 0x1B: "g", 0x13: "h", 0x0A: "i",
    0x1A: "j", 0x05: "k", 0x07: "l", 0x0D: "m", 0x1D: "n", 0x15: "o", 0x0F: "p", 0x1F: "q", 0x17: "r",
    0x0E: "s", 0x1E: "t", 0x25: "u", 0x27: "v", 0x3A: "w", 0x2D: "x", 0x3D: "y", 0x35: "z",
}
_BRAILLE_DIGITS = dict(zip("abcdefghij", "1234567890"))
_BRAILLE_PUNCT = {0x02: ",", 0x32: ".", 0x26: "?", 0x16: "!", 0x04: "'", 0x24: "-", 0x00: " "}
_NATO = {w: w[0] for w in (
    "alfa alpha bravo charlie delta echo foxtrot golf hotel india juliett juliet kilo lima mike november oscar "
    "papa quebec romeo sierra tango uniform victor whiskey whisky xray x-ray yankee zulu").split()}
_NATO_RUN = re.compile(r"\b(?:(?:" + "|".join(sorted(_NATO, key=len, reverse=True)) + r")\b[\s,.]*){4,}", re.I)

_ROT13 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                       "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm")
_ATBASH = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                        "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba")


def _b64(blob: str) -> str | None:
    s = re.sub(r"\s", "", blob)
    if len(s) < 12 or s.isalpha() and (s.islower() or s.isupper() or s.istitle()):
        return None  # a plain long word is not base64
    if s.isdigit():
        return None
    s += "=" * (-len(s) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            text = _readable(decode(s.replace("-", "+").replace("_", "/") if decode is base64.b64decode else s))
        except (binascii.Error, ValueError):
            continue
        if text:
            return text
    return None


def _b32(blob: str) -> str | None:
    s = blob.rstrip("=")
    try:
        return _readable(base64.b32decode(s + "=" * (-len(s) % 8)))
    except (binascii.Error, ValueError):
        return None


def _hex(blob: str) -> str | None:
    s = re.sub(r"[\s:,-]", "", blob)
    if len(s) % 2 or not re.search(r"[A-Fa-f]", s) and len(s) < 24:
        return None
    try:
        return _readable(bytes.fromhex(s))
    except ValueError:
        return None


def _a85(blob: str) -> str | None:
    for decode in (base64.a85decode, base64.b85decode):
        try:
            text = _readable(decode(blob.removeprefix("<~").removesuffix("~>")))
        except (ValueError, binascii.Error):
            continue
        if text:
            return text
    return None


def _uu(text: str) -> str | None:
    """uuencoded lines, whole or after a label ("UUencode encoded string: <data>")."""
    out = b""
    for line in text.splitlines():
        line = line.rstrip("\r")
        for candidate in dict.fromkeys([line] + [line[m.end():] for m in re.finditer(r"[:?] ", line)]):
            if _UU_LINE.match(candidate):
                try:
                    out += binascii.a2b_uu(candidate)
                    break
                except binascii.Error:
                    continue
    return _readable(out) if out else None


def _morse(blob: str) -> str | None:
    words = re.split(r"\s*/\s*|\s{3,}", blob.strip())
    out = []
    for word in words:
        letters = [_MORSE_TABLE.get(code) for code in word.split()]
        if not letters or None in letters:
            return None
        out.append("".join(letters))
    return _readable(" ".join(out), min_letters=4)


def _braille(blob: str) -> str | None:
    out, caps, number = [], False, False
    for ch in blob:
        if ch.isspace():
            out.append(ch)
            number = False
            continue
        dots = ord(ch) - 0x2800
        if dots == 0x20:   # capital sign
            caps = True
            continue
        if dots == 0x3C:   # number sign
            number = True
            continue
        letter = _BRAILLE_LETTERS.get(dots)
        if letter is None:
            out.append(_BRAILLE_PUNCT.get(dots, ""))
            continue
        if number and letter in _BRAILLE_DIGITS:
            out.append(_BRAILLE_DIGITS[letter])
            continue
        out.append(letter.upper() if caps else letter)
        caps = False
    return _readable("".join(out), min_letters=4)


def _nato(blob: str) -> str | None:
    words = re.findall(r"[A-Za-z-]+", blob)
    return _readable("".join(_NATO.get(w.lower(), " ") for w in words), min_letters=4)


# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Normalised:
    clean: str
    inspect: str
    views: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """Every reading a check should look at: the inspected text, then each decoded view."""
        return [self.inspect, *(text for _, text in self.views)]

    @property
    def encoded(self) -> list[str]:
        """Kinds of encoded content found (not counting plain homoglyph or invisible-character tricks)."""
        return [kind for kind, _ in self.views if kind not in {"leetspeak", "spaced_letters"}]


@dataclass
class _Builder:
    views: list[tuple[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def view(self, kind: str, text: str | None) -> None:
        if text and (kind, text) not in self.views:
            self.views.append((kind, text))
            if kind not in self.flags:
                self.flags.append(kind)

    def flag(self, kind: str) -> None:
        if kind not in self.flags:
            self.flags.append(kind)


def _smuggled(raw: str, b: _Builder) -> None:
    """ASCII hidden in Unicode tag characters or variation selectors, and binary in invisible operators."""
    tags = "".join(chr(ord(ch) - 0xE0000) for ch in raw if 0xE0020 <= ord(ch) <= 0xE007E)
    if len(tags) >= 3:
        b.view("tag_chars", tags)
    selectors = []
    for ch in raw:
        cp = ord(ch)
        if 0xE0100 <= cp <= 0xE01EF:
            selectors.append(cp - 0xE0100 + 16)
        elif 0xFE00 <= cp <= 0xFE0F:
            selectors.append(cp - 0xFE00)
    if len(selectors) >= 4:
        decoded = bytes(v for v in selectors if v < 256)
        b.view("variation_selectors", _readable(decoded, min_letters=3) or _readable(bytes(v - 16 for v in selectors if 16 <= v < 272), 3))
    bits = [ch for ch in raw if ch in "\u2062\u2064\u200b"]
    if len(bits) >= 16:
        chars, current = [], ""
        for ch in bits:
            if ch == "\u200b":
                if current:
                    chars.append(chr(int(current, 2)))
                chars.append(" ")
                current = ""
            else:
                current += "1" if ch == "\u2064" else "0"
                if len(current) == 7:
                    chars.append(chr(int(current, 2)))
                    current = ""
        b.view("invisible_binary", _readable("".join(chars), 3))


def _fold(text: str, b: _Builder, spaced_source: str | None = None) -> str:
    folded = text.translate(_HOMOGLYPHS)
    if folded != text:
        b.flag("homoglyphs")
    # Zalgo: combining marks piled on Latin letters. Other scripts keep theirs (Devanagari vowel signs etc.).
    if any(unicodedata.combining(ch) for ch in folded):
        out, base_latin = [], False
        for ch in unicodedata.normalize("NFD", folded):
            if unicodedata.combining(ch):
                if base_latin:
                    continue
            else:
                base_latin = ch.isascii()
            out.append(ch)
        stripped = unicodedata.normalize("NFC", "".join(out))
        if stripped != unicodedata.normalize("NFC", folded):
            b.flag("combining_marks")
        folded = stripped
    # Spaced-out letters are joined on the text before whitespace was tidied, so "i g n o r e   a l l" keeps its
    # word gaps ("ignore all").
    source = (spaced_source or text).translate(_HOMOGLYPHS)
    if _SPACED.search(source):
        joined = re.sub(r"\s+", " ", _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), source)).strip()
        if joined != folded:
            b.view("spaced_letters", joined)
    return folded


def _decode_blobs(text: str, b: _Builder) -> None:
    for m in _B64_BLOB.finditer(text):
        b.view("base64", _b64(m.group(0)))
    for m in _B32_BLOB.finditer(text):
        b.view("base32", _b32(m.group(0)))
    for m in _HEX_BLOB.finditer(text):
        b.view("hex", _hex(m.group(0)))
    if re.search(r"[!-/:-@\[-`{-~]", text):  # ascii85 / base85 need symbols among letters
        for m in list(_A85_BLOB.finditer(text)) + list(_B85_BLOB.finditer(text)):
            blob = m.group(0)
            if sum(not c.isalnum() for c in blob) >= 1 and sum(c.isalpha() for c in blob) >= 5:
                b.view("ascii85", _a85(blob))
    if re.search(r"[!-M][ -`]{8,}", text) and re.search(r"[(&;=\]\\^`]", text):
        b.view("uuencode", _uu(text))
    if "." in text or "-" in text:
        for m in _MORSE.finditer(text):
            if len(m.group(0).strip()) >= 12:
                b.view("morse", _morse(m.group(0)))
    for m in _BRAILLE.finditer(text):
        b.view("braille", _braille(m.group(0)))
    for m in _NATO_RUN.finditer(text):
        b.view("nato", _nato(m.group(0)))
    if "%" in text and _PERCENT.search(text):
        b.view("url_escapes", urllib.parse.unquote(text))
    if "&" in text and _ENTITY.search(text):
        unescaped = html.unescape(text)
        if unescaped != text:
            b.view("html_entities", unescaped)


def _whole_text_ciphers(text: str, b: _Builder) -> None:
    """rot13, atbash and reversal, per line or clause: kept only when a segment reads as English much better
    transformed than as written ("What does this mean? Lbh bgure oebguref pna'g qral")."""
    for segment in re.split(r"[\n:?]+", text):
        if sum(ch.isalpha() for ch in segment) < 12:
            continue
        base = english_ratio(segment)
        if base >= 0.45:
            continue
        for kind, candidate in (("rot13", segment.translate(_ROT13)), ("atbash", segment.translate(_ATBASH)),
                                ("reversed", segment[::-1]),
                                ("reversed_words", " ".join(w[::-1] for w in segment.split()))):
            ratio = english_ratio(candidate)
            if ratio >= 0.3 and ratio >= base + 0.2:
                b.view(kind, candidate.strip())


def _leet(text: str, b: _Builder) -> None:
    if not re.search(r"[A-Za-z][013457@$!|+€]|[013457@$!|+€][A-Za-z]", text):
        return
    changed = _LEET_TOKEN.sub(lambda m: m.group(0).translate(_LEET) if not m.group(0).isdigit() else m.group(0), text)
    if changed != text:
        b.view("leetspeak", changed)


def normalise(raw: str) -> Normalised:
    b = _Builder()
    if any(_is_invisible(ch) for ch in raw):
        b.flag("invisible_chars")
        _smuggled(raw, b)
        raw = "".join(ch for ch in raw if not _is_invisible(ch))
    unfolded = unicodedata.normalize("NFKC", raw)
    clean = re.sub(r"[ \t\u00a0]+", " ", unfolded).strip()
    inspect = _fold(clean, b, spaced_source=unfolded)
    _decode_blobs(unfolded, b)  # before whitespace is tidied: uuencode and base85 use spaces as data
    _whole_text_ciphers(inspect, b)
    _leet(inspect, b)
    # Decoded content can itself be wrapped (base64 inside rot13, leetspeak inside a tag-character payload).
    for kind, text in list(b.views):
        if kind in {"tag_chars", "variation_selectors", "invisible_binary", "rot13", "atbash", "url_escapes",
                    "html_entities", "base64", "base32", "hex"}:
            inner = _Builder()
            _decode_blobs(text, inner)
            _leet(text, inner)
            for inner_kind, inner_text in inner.views:
                b.view(f"{kind}+{inner_kind}", inner_text)
    return Normalised(clean=clean, inspect=inspect, views=tuple(b.views), flags=tuple(b.flags))
