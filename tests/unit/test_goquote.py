"""``go_quote`` against vectors produced by Go 1.26's ``strconv.Quote`` (the Go KubeRay is built with).

The script KubeRay's submitter runs embeds ``strconv.Quote`` output; these vectors were printed by a
throwaway Go program, so the test needs no Go toolchain.
"""

from __future__ import annotations

import pytest

from ray_operator.builders.goquote import go_is_print, go_quote

#: (input, ``strconv.Quote(input)``) printed by Go 1.26.
GO_VECTORS = [
    ("", '""'),
    ("abc", '"abc"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("\n\t\r\x07\x08\x0c\x0b", '"\\n\\t\\r\\a\\b\\f\\v"'),
    ("\x00\x1f\x7f", '"\\x00\\x1f\\x7f"'),
    ("\xe9", '"\xe9"'),
    ("\u65e5\u672c", '"\u65e5\u672c"'),
    ("\U0001fae8", '"\U0001fae8"'),
    ("\xad", '"\\u00ad"'),
    ("\u200b", '"\\u200b"'),
    ("\U000e0001", '"\\U000e0001"'),
    ("\u2028", '"\\u2028"'),
    ("\ufeff", '"\\ufeff"'),
    ("\U0010ffff", '"\\U0010ffff"'),
    ("\u0378", '"\\u0378"'),
    ("e\u0301", '"e\u0301"'),
    ('{"pip":["requests==2.26.0"]}', '"{\\"pip\\":[\\"requests==2.26.0\\"]}"'),
    ("$HOME `x` !", '"$HOME `x` !"'),
    ("\x80\x9f", '"\\u0080\\u009f"'),
    ("\xa0", '"\\u00a0"'),
    ("\U0001f600", '"\U0001f600"'),
    ("\u3000", '"\\u3000"'),
    ("\ue000", '"\\ue000"'),
    ("\U00031350", '"\U00031350"'),
    ("\u0cf3", '"\u0cf3"'),
]


@pytest.mark.parametrize(("text", "quoted"), GO_VECTORS)
def test_matches_go(text: str, quoted: str) -> None:
    assert go_quote(text) == quoted


def test_unicode_15_runes_stay_readable() -> None:
    """Go uses Unicode 15 (Python 3.11 has 14): a newer emoji must not become ``\\U0001fae8``,
    which bash would pass through and Ray's JSON parser reject."""
    assert go_is_print("\U0001fae8")
    assert go_quote('{"emoji":"\U0001fae8"}') == '"{\\"emoji\\":\\"\U0001fae8\\"}"'


@pytest.mark.parametrize(
    ("char", "printable"),
    [
        (" ", True),
        ("~", True),
        ("\x7f", False),
        ("\xa0", False),
        ("\xad", False),
        ("\u0378", False),
        ("\U00031350", True),
        ("\U000323b0", False),
        ("\U000e0100", True),
        ("\U0010ffff", False),
    ],
)
def test_is_print_table_edges(char: str, printable: bool) -> None:
    assert go_is_print(char) is printable


def test_lone_surrogate_is_quoted_as_replacement_character() -> None:
    """Go's JSON decoder turns ``\\ud800`` into U+FFFD, which ``strconv.Quote`` prints as is."""
    assert go_quote("a\ud800b") == '"a\ufffdb"'
