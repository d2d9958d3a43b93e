"""Personal data (BSN, e-mail, phone, IBAN) is redacted from free Dutch text; ordinary numbers stay intact."""

import pytest

from assistant.privacy import contains_personal_data, is_valid_bsn, is_valid_iban, redact

# --------------------------------------------------------------------------------------------------------- BSN


@pytest.mark.parametrize(
    "bsn",
    ["111222333", "123456782", "123 456 782", "123.456.782", "123-456-782", "1234.56.782", "10000008", "010000008"],
)
def test_valid_bsns_are_redacted(bsn):
    assert redact(f"Mijn BSN is {bsn}, graag terugbellen.") == ("Mijn BSN is [BSN], graag terugbellen.", ["bsn"])


@pytest.mark.parametrize("number", ["123456783", "111222334", "123 456 789", "123.456.789", "000000000", "12345678"])
def test_numbers_failing_the_elfproef_are_kept(number):
    text = f"Nummer {number} klopt niet."
    assert redact(text) == (text, [])


def test_bsn_checksum_helper():
    assert is_valid_bsn("111222333") and is_valid_bsn("123456782") and is_valid_bsn("10000008")
    assert not is_valid_bsn("123456783")
    assert not is_valid_bsn("000000000") and not is_valid_bsn("00000000")
    assert not is_valid_bsn("1234567") and not is_valid_bsn("1234567890") and not is_valid_bsn("12345678a")
    assert not is_valid_bsn("١١١٢٢٢٣٣٣")  # non-ASCII digits


def test_bsn_inside_a_longer_number_is_not_redacted():
    for text in ["ordernummer 1123456782", "1.123.456.782 uur", "123456782,50", "€ 123.456.782", "€123.456.782"]:
        assert redact(text) == (text, [])


# ------------------------------------------------------------------------------------------------------ e-mail


@pytest.mark.parametrize(
    "address",
    [
        "jan@voorbeeld.nl",
        "j.de.vries@voorbeeld.nl",
        "jan+banenafspraak@gmail.com",
        "INFO@WERKGEVERSSERVICEPUNT.NL",
        "Jan.Jansen@Mail.Sub.Gemeente-Utrecht.nl",
        "p_de-boer99@hr.bedrijf.co.uk",
        "josé.jansen@voorbeeld.nl",
    ],
)
def test_email_addresses_are_redacted(address):
    assert redact(f"Mail naar {address}.") == ("Mail naar [e-mail].", ["email"])


def test_email_in_brackets_and_mailto():
    assert redact("<jan@x.nl> of mailto:piet@y.org") == ("<[e-mail]> of mailto:[e-mail]", ["email"])


def test_things_that_are_not_email_addresses_are_kept():
    for text in ["@gemeente op social media", "info at uwv punt nl", "a@b", "prijs 5 @ 10 euro"]:
        assert redact(text) == (text, [])


# ------------------------------------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    "phone",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12 34 56 78",
        "06 - 12345678",
        "+31 6 12345678",
        "+31612345678",
        "+31(0)6-12345678",
        "+31 (0)20 123 4567",
        "0031 6 12345678",
        "020-1234567",
        "010 123 4567",
        "020 123 45 67",
        "(010) 123 45 67",
        "0513-123456",
        "0800-1234",
        "0800 123 4567",
        "0900-1234567",
        "0900 8844",
        "0906-1234567",
    ],
)
def test_dutch_phone_numbers_are_redacted(phone):
    assert redact(f"Bel {phone} voor vragen.") == ("Bel [telefoonnummer] voor vragen.", ["phone"])


def test_phone_number_at_start_and_end_of_text():
    assert redact("06-12345678") == ("[telefoonnummer]", ["phone"])
    assert redact("tel.: 020 - 123 45 67") == ("tel.: [telefoonnummer]", ["phone"])


# -------------------------------------------------------------------------------------------------------- IBAN


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "nl91 abna 0417 1643 00",
        "NL44RABO0123456789",
        "NL20 INGB 0001 2345 67",
        "DE89 3704 0044 0532 0130 00",
        "BE68539007547034",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_valid_ibans_are_redacted(iban):
    assert redact(f"Rekening {iban} graag.") == ("Rekening [IBAN] graag.", ["iban"])
    assert is_valid_iban(iban)


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164301",
        "NL92 ABNA 0417 1643 00",
        "NL91ABNA041716430",
        "XX91ABNA0417164300",
        "DE89370400440532013001",
    ],
)
def test_invalid_ibans_are_kept(iban):
    text = f"Rekening {iban} graag."
    assert redact(text) == (text, [])
    assert not is_valid_iban(iban)


def test_iban_followed_by_words_or_another_iban():
    assert redact("NL91 ABNA 0417 1643 00 is mijn rekening") == ("[IBAN] is mijn rekening", ["iban"])
    assert redact("BE68 5390 0754 7034 voor de loonkosten") == ("[IBAN] voor de loonkosten", ["iban"])
    assert redact("zie BE12 NL91 ABNA 0417 1643 00") == ("zie BE12 [IBAN]", ["iban"])


# ---------------------------------------------------------------------------------------------- non-personal


@pytest.mark.parametrize(
    "text",
    [
        "In 2024 telde de sector 100.000 verloonde uren.",
        "Het aantal banen is 40.575 en de heffing bedraagt € 5.000 per plaats.",
        "Een werkgever met 300 fte en 1.331 uur per baan.",
        "Een baan van 25,5 uur, of 36 uur per week.",
        "Klantnummer 12345678 en 2024-2025.",
        "Kamerstukken II 2023/24, 36 449, nr. 5.",
        "Op 01-01-2024 om 12:00 in 1234 AB Utrecht.",
        "Het quotum is 2,07% van 1.040.000 uur; bedrag € 1.000.000.000.",
        "ISBN 978-90-1234-567-8",
        "",
    ],
)
def test_ordinary_numbers_are_kept(text):
    assert redact(text) == (text, [])
    assert not contains_personal_data(text)


# --------------------------------------------------------------------------------------------------- together


def test_several_kinds_in_one_text():
    text = (
        "Ik ben werkgever, BSN werknemer 111 222 333, IBAN NL91ABNA0417164300. "
        "Bel 06 1234 5678 of mail A.Jansen+wajong@Bedrijf.NL over 36 uur per week."
    )
    redacted, kinds = redact(text)
    assert kinds == ["bsn", "email", "iban", "phone"]
    assert redacted == (
        "Ik ben werkgever, BSN werknemer [BSN], IBAN [IBAN]. "
        "Bel [telefoonnummer] of mail [e-mail] over 36 uur per week."
    )
    assert contains_personal_data(text)


def test_redaction_is_idempotent():
    text = "bsn 123456782, 06-12345678, jan@x.nl, NL91 ABNA 0417 1643 00, 020 123 4567 en 100.000 uren"
    once, kinds = redact(text)
    assert kinds == ["bsn", "email", "iban", "phone"]
    assert redact(once) == (once, [])


def test_kinds_are_sorted_and_unique():
    assert redact("jan@x.nl 06-12345678 piet@y.nl 123456782 0612345678")[1] == ["bsn", "email", "phone"]


# --------------------------------------------------------------------------------------------------- odd input


def test_odd_input_is_handled():
    text = "\x00\x07 bel\t06-12345678\r\n🙂 mail jan@x.nl 🙂 bsn\u00a0123456782\u200b"
    redacted, kinds = redact(text)
    assert redacted == "\x00\x07 bel\t[telefoonnummer]\r\n🙂 mail [e-mail] 🙂 bsn\u00a0[BSN]\u200b"
    assert kinds == ["bsn", "email", "phone"]


@pytest.mark.parametrize(
    "text",
    [
        "x" * 10_000,
        "a." * 5_000 + "@",
        "x@" + "a." * 5_000 + "1",
        "0 " * 5_000,
        "1." * 5_000,
        "ab12 " * 2_000,
        "NL91" + " ABNA" * 2_500,
        "🙂" * 10_000,
    ],
)
def test_long_pathological_input_is_kept(text):
    assert redact(text) == (text, [])


def test_long_text_with_personal_data():
    text = "Lorem ipsum 100.000 uur. " * 400 + "Bel 06-12345678."
    redacted, kinds = redact(text)
    assert kinds == ["phone"] and redacted.endswith("Bel [telefoonnummer].") and redacted.count("100.000") == 400


def test_non_string_input_is_refused():
    with pytest.raises(TypeError):
        redact(None)  # type: ignore[arg-type]
