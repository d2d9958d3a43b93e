"""Detect and redact personal data in free Dutch text before anything is stored or logged.

Four kinds are recognised, each replaced by a fixed placeholder:

* ``email`` -> ``[e-mail]``: addresses with sub-domains, plus-tags, dots, upper case, accented local parts.
* ``iban`` -> ``[IBAN]``: IBANs of known countries, written solid or in groups of four, any case, only when
  the length fits the country and the mod-97 check passes (Dutch ones must also look like ``NLkk BANK 0123456789``).
* ``phone`` -> ``[telefoonnummer]``: Dutch numbers, national (``06-12345678``, ``06 1234 5678``, ``020-1234567``,
  ``(010) 123 45 67``), international (``+31 6 12345678``, ``+31(0)6-12345678``, ``0031 6 ...``) and service
  numbers (``0800``/``0900``/``0906``/``0909`` followed by 4 to 7 digits).
* ``bsn`` -> ``[BSN]``: 9 digits (solid, or ``123 456 782``, ``123.456.782``, ``123-456-782``, ``1234.56.789``)
  or 8 solid digits (an old number missing its leading zero) that pass the elfproef and are not all zeros.

Ordinary numbers (amounts, years, hours, Kamerstuk numbers, ...) are left alone: a number is only redacted when it
has the exact shape of one of the kinds above, and BSNs and IBANs also need a valid checksum. An IBAN with a wrong
checksum is kept whole (no part of it is taken for a phone number), and a number after ``€`` is never a BSN.

Only the standard library is used; every pattern is bounded, so there is no catastrophic backtracking and the cost
grows linearly with the length of the text.
"""

from __future__ import annotations

import re

__all__ = [
    "PLACEHOLDERS",
    "contains_personal_data",
    "is_valid_bsn",
    "is_valid_iban",
    "redact",
]

PLACEHOLDERS: dict[str, str] = {
    "bsn": "[BSN]",
    "email": "[e-mail]",
    "phone": "[telefoonnummer]",
    "iban": "[IBAN]",
}

# --------------------------------------------------------------------------------------------------- checksums


def is_valid_bsn(number: str) -> bool:
    """The elfproef for a BSN of 9 digits, or of 8 digits with the leading zero left off; all zeros is invalid."""
    if not number.isascii() or not number.isdigit() or len(number) not in (8, 9):
        return False
    digits = number.zfill(9)
    if digits == "000000000":
        return False
    total = sum(weight * int(d) for weight, d in zip(range(9, 1, -1), digits[:8], strict=True)) - int(digits[8])
    return total % 11 == 0


# Total IBAN length per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

_NL_IBAN = re.compile(r"NL[0-9]{2}[A-Z]{4}[0-9]{10}", re.ASCII)


def is_valid_iban(iban: str) -> bool:
    """Country length and mod-97 check of an IBAN; spaces are ignored, case does not matter."""
    compact = iban.replace(" ", "").upper()
    if not compact.isascii() or not compact.isalnum():
        return False
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    if compact.startswith("NL") and not _NL_IBAN.fullmatch(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# ---------------------------------------------------------------------------------------------------- patterns

# E-mail: the local part may not start in the middle of another word or address; the domain has one or more
# labels and a top-level domain of letters. All repetitions are bounded or separated by a mandatory dot.
_EMAIL = re.compile(
    r"(?<![\w.%+-])"
    r"\w[\w.%+'-]{0,63}"
    r"@"
    r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"[^\W\d_]{2,24}"
    r"(?![\w-])"
)

# IBAN candidates: two letters, two digits, then either solid characters or groups separated by single spaces.
# Which prefix is the IBAN (if any) is decided in Python from the country length, so words after it stay put.
_IBAN_CANDIDATE = re.compile(r"(?<![^\W_])[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]{0,30}(?: [A-Za-z0-9]{1,4}){0,8}")

_SP = "[ \u00a0]"  # a space or a non-breaking space
_DASH = "[-\u2013]"  # a hyphen or an en dash
_AREA_SEP = f"(?:{_SP}?{_DASH}{_SP}?|{_SP})?"


def _digits(count: int) -> str:
    """`count` digits with at most one space between any two of them."""
    return f"[0-9](?:{_SP}?[0-9]){{{count - 1}}}"


def _national(area_length: int) -> str:
    """A national number: area code (with its 0) of `area_length` digits, maybe in brackets, then the rest."""
    area = f"0[1-9][0-9]{{{area_length - 2}}}"
    return f"(?:\\({area}\\)|{area}){_AREA_SEP}{_digits(10 - area_length)}"


_PHONE = re.compile(
    r"(?<![\w+])(?<![0-9][.,])"
    r"(?:"
    # service numbers: 0800, 0900, 0906, 0909 plus 4 to 7 digits
    rf"0(?:800|900|906|909){_AREA_SEP}[0-9](?:{_SP}?[0-9]){{3,6}}(?![.,]?[0-9])"
    # international: +31 or 0031, an optional (0) or 0, then 9 digits
    rf"|(?:\+|00){_SP}?31{_SP}?(?:{_DASH}{_SP}?)?(?:\(0\){_SP}?|0)?[1-9](?:(?:{_SP}|{_DASH})?[0-9]){{8}}(?![.,]?[0-9])"
    # national: 10 digits starting with 0, area code of 2, 3 or 4 digits
    rf"|(?:{_national(2)}|{_national(3)}|{_national(4)})(?![.,]?[0-9])"
    r")",
    re.ASCII,
)

_BSN_BEFORE = r"(?<![0-9])(?<![0-9][.,\-])(?<!€)(?<!€ )"
_BSN_AFTER = r"(?![0-9])(?![.,\-][0-9])"
_BSN = re.compile(
    _BSN_BEFORE
    + r"(?:"
    + r"[0-9]{8,9}"  # solid, 9 digits or 8 without the leading zero
    + r"|[0-9]{3}([.\-])[0-9]{3}\1[0-9]{3}"  # 123.456.782, 123-456-782
    + r"|[0-9]{4}\.[0-9]{2}\.[0-9]{3}"  # 1234.56.782 (as on older documents)
    + rf"|(?<![0-9]{_SP})[0-9]{{3}}({_SP})[0-9]{{3}}\2[0-9]{{3}}(?!{_SP}[0-9])"  # 123 456 782
    + r")"
    + _BSN_AFTER,
    re.ASCII,
)

# ------------------------------------------------------------------------------------------------------- redact


class _Claims:
    """Spans of the text already taken, each with the kind found there (None: keep as it is)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.taken = bytearray(len(text))
        self.spans: list[tuple[int, int, str | None]] = []

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def claim(self, start: int, end: int, kind: str | None) -> None:
        self.taken[start:end] = b"\x01" * (end - start)
        self.spans.append((start, end, kind))


def _iban_span(text: str, match: re.Match[str]) -> tuple[int, bool] | None:
    """(end, valid) of the IBAN-shaped text at the start of `match`, or None when it has no IBAN shape.

    The shape is a known country and exactly its length, ending where a group ends; valid adds the checksum.
    """
    length = IBAN_LENGTHS.get(match.group()[:2].upper())
    if length is None:
        return None
    compact = ""
    position = match.start()
    for index, token in enumerate(match.group().split(" ")):
        if index:
            position += 1  # the space before this group
        compact += token
        position += len(token)
        if len(compact) >= length:
            break
    if len(compact) != length:
        return None
    if position < len(text) and (text[position].isalnum() or text[position] == "_"):
        return None
    return position, is_valid_iban(compact)


def _find_emails(claims: _Claims) -> None:
    for match in _EMAIL.finditer(claims.text):
        claims.claim(match.start(), match.end(), "email")


def _find_ibans(claims: _Claims) -> None:
    # A manual scan rather than finditer: a candidate that is no IBAN may swallow the start of one after it.
    text = claims.text
    invalid: list[tuple[int, int]] = []
    search_from = 0
    while (match := _IBAN_CANDIDATE.search(text, search_from)) is not None:
        span = _iban_span(text, match)
        if span is None or not span[1] or not claims.free(match.start(), span[0]):
            if span is not None and not span[1]:
                invalid.append((match.start(), span[0]))
            search_from = match.start() + 1
            continue
        claims.claim(match.start(), span[0], "iban")
        search_from = span[0]
    # An IBAN with a wrong checksum is kept whole, so that no part of it is taken for a phone number or BSN.
    for start, end in invalid:
        if claims.free(start, end):
            claims.claim(start, end, None)


def _find_phones(claims: _Claims) -> None:
    for match in _PHONE.finditer(claims.text):
        if claims.free(match.start(), match.end()):
            claims.claim(match.start(), match.end(), "phone")


def _find_bsns(claims: _Claims) -> None:
    for match in _BSN.finditer(claims.text):
        if claims.free(match.start(), match.end()) and is_valid_bsn(re.sub(r"[^0-9]", "", match.group())):
            claims.claim(match.start(), match.end(), "bsn")


def redact(text: str) -> tuple[str, list[str]]:
    """Replace personal data in `text` by placeholders; return the new text and the sorted kinds that were found.

    Kinds are ``"bsn"``, ``"email"``, ``"iban"`` and ``"phone"``. Redacting a redacted text changes nothing.
    """
    if not isinstance(text, str):
        raise TypeError(f"redact() expects a str, not {type(text).__name__}")
    claims = _Claims(text)
    # E-mail first (addresses may hold digits), then IBANs (which hold long digit runs), then phone numbers
    # (10 digits) before BSNs (8 or 9 digits), so that no part of a longer number is taken for a shorter one.
    _find_emails(claims)
    _find_ibans(claims)
    _find_phones(claims)
    _find_bsns(claims)
    pieces: list[str] = []
    done = 0
    found: set[str] = set()
    for start, end, kind in sorted(claims.spans):
        if kind is None:
            continue
        found.add(kind)
        pieces.append(text[done:start])
        pieces.append(PLACEHOLDERS[kind])
        done = end
    pieces.append(text[done:])
    return "".join(pieces), sorted(found)


def contains_personal_data(text: str) -> bool:
    """Whether `redact` would change anything in `text`."""
    return bool(redact(text)[1])
