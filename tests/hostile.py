"""The hostile inputs of QUALITY.md, as data for the form tests."""

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "http://localhost:9200/_all",
    "{{7*7}}",
    "{{config}}",
    "' OR '1'='1",
    "'; DROP TABLE project;--",
    "Text mit\x00NUL-Byte",
    # A lone surrogate cannot be encoded by the test client; it is sent as raw bytes in
    # test_oversized_body_is_413_and_invalid_utf8_is_no_500.
    "x" * 100_000,
    "   ",
    "\u200b",
    "\u202eevil.exe\u202c",
    "Emoji 🏙️🚲 mit vier Bytes",
    "Stra\u00dfe und Strasse",
    "Mu\u0308nchen zerlegt",
]
HOSTILE_DATES = ["2024-02-30", "0000-01-01", "9999-12-31", "31.12.1899", "morgen"]
HOSTILE_AMOUNTS = ["-1", "1e309", "NaN", "Infinity", "1.000,50", "1,000.50", "0x10", "١٢٣"]
HOSTILE_EMAILS = ["a@b", "x@example..com", "a@b.de\r\nBcc: x@y", "<script>@x.de"]
HOSTILE_URLS = ["javascript:alert(1)", "file:///etc/passwd", "http://localhost:9200/_all",
                "https://", "//evil.example"]
