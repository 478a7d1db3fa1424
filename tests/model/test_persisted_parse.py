"""The persisted-JSON reader: json.load's meaning, plus positions and findings."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ifcfg2nm.findings import Position, Severity
from ifcfg2nm.parser.persisted import parse_persisted_file


def parse(data: bytes) -> Any:
    return parse_persisted_file(data, "nets/x", "net", "x", "/var/lib/vdsm/x")


def codes(doc: Any) -> list[str]:
    return [f.code for f in doc.findings]


CANONICAL = b"""{
    "nic": "eth0",
    "ipaddr": "192.168.1.10",
    "custom": {
        "bridge_opts": "multicast_router=0 multicast_snooping=1"
    },
    "nameservers": [
        "192.168.1.2",
        "8.8.8.8"
    ],
    "mtu": 1500,
    "bridged": true
}"""


def test_pretty_printed_file_is_decoded_like_json_load() -> None:
    doc = parse(CANONICAL)
    assert doc.value == json.loads(CANONICAL)
    assert doc.findings == ()
    assert doc.entity == "net" and doc.name == "x" and doc.host_path == "/var/lib/vdsm/x"


def test_member_positions_are_key_positions() -> None:
    doc = parse(CANONICAL)
    assert doc.position_of("nic") == Position("nets/x", 2, 5)
    assert doc.position_of("custom", "bridge_opts") == Position("nets/x", 5, 9)
    assert doc.position_of("mtu") == Position("nets/x", 11, 5)


def test_unknown_member_falls_back_to_parent_then_file() -> None:
    doc = parse(CANONICAL)
    assert doc.position_of("custom", "nothing") == Position("nets/x", 4, 5)
    assert doc.position_of("nothing") == Position("nets/x")


def test_compact_python2_style_with_escapes_and_surrogate_pair() -> None:
    doc = parse(b'{"nic": "eth0", "name": "caf\\u00e9 \\ud83d\\ude00", "s": "a\\/b\\n"}')
    assert doc.value == {"nic": "eth0", "name": "caf\u00e9 \U0001F600", "s": "a/b\n"}
    assert doc.findings == ()


def test_empty_file_is_an_error_and_has_no_value() -> None:
    doc = parse(b"")
    assert doc.value is None
    assert codes(doc) == ["PERSISTED_EMPTY"]
    assert doc.findings[0].severity is Severity.ERROR


def test_whitespace_only_file_is_empty() -> None:
    assert codes(parse(b"  \n")) == ["PERSISTED_EMPTY"]


def test_truncated_json_names_the_end_of_file() -> None:
    doc = parse(b'{\n    "nic": "eth0",\n')
    assert doc.value is None
    assert codes(doc) == ["PERSISTED_JSON_SYNTAX"]
    assert doc.findings[0].position.line == 3


def test_bad_token_names_line_and_column() -> None:
    doc = parse(b'{\n    "nic" "eth0"\n}')
    assert codes(doc) == ["PERSISTED_JSON_SYNTAX"]
    assert (doc.findings[0].position.line, doc.findings[0].position.column) == (2, 11)


def test_single_quotes_are_not_json() -> None:
    doc = parse(b"{'nic': 'eth0'}")
    assert doc.value is None
    assert codes(doc) == ["PERSISTED_JSON_SYNTAX"]
    assert doc.findings[0].position.column == 2


def test_raw_control_character_in_string_is_refused_like_strict_json_load() -> None:
    doc = parse(b'{"nic": "et\th0"}')
    assert codes(doc) == ["PERSISTED_JSON_SYNTAX"]


def test_trailing_comma_is_refused() -> None:
    assert codes(parse(b'{"mtu": 1500,}')) == ["PERSISTED_JSON_SYNTAX"]


def test_leading_zero_number_is_refused() -> None:
    assert codes(parse(b'{"mtu": 01500}')) == ["PERSISTED_JSON_SYNTAX"]


def test_top_level_array_is_kept_but_reported() -> None:
    doc = parse(b'["eth0"]')
    assert doc.value == ["eth0"]
    assert codes(doc) == ["PERSISTED_NOT_OBJECT"]


def test_duplicate_key_last_wins_with_the_last_position() -> None:
    doc = parse(b'{"mtu": 1500,\n "mtu": 9000}')
    assert doc.value == {"mtu": 9000}
    assert codes(doc) == ["PERSISTED_DUPLICATE_KEY"]
    assert doc.findings[0].position.line == 2
    assert doc.position_of("mtu").line == 2


def test_non_utf8_is_reported_at_the_byte() -> None:
    doc = parse(b'{"nic":\n "eth\xff"}')
    assert doc.value is None
    assert codes(doc) == ["PERSISTED_NOT_UTF8"]
    assert (doc.findings[0].position.line, doc.findings[0].position.column) == (2, 6)


def test_byte_order_mark_is_skipped_with_a_warning() -> None:
    doc = parse(b'\xef\xbb\xbf{"mtu": 1500}')
    assert doc.value == {"mtu": 1500}
    assert codes(doc) == ["PERSISTED_BOM"]


def test_lone_surrogate_escape_is_replaced() -> None:
    doc = parse(b'{"nic": "eth\\ud800"}')
    assert doc.value == {"nic": "eth\ufffd"}
    assert codes(doc) == ["PERSISTED_BAD_STRING"]


def test_nan_and_infinity_are_read_like_json_load() -> None:
    doc = parse(b'{"mtu": NaN, "x": -Infinity}')
    assert doc.value["x"] == float("-inf")
    assert doc.value["mtu"] != doc.value["mtu"]
    assert codes(doc) == ["PERSISTED_NONFINITE", "PERSISTED_NONFINITE"]


def test_objects_inside_arrays_are_positioned_by_index() -> None:
    doc = parse(b'{"a": [1, {"b": 2}]}')
    assert doc.position_of("a", "1", "b") == Position("nets/x", 1, 12)


def test_deep_nesting_does_not_recurse() -> None:
    # read without recursion, and refused: nothing after the reader could dump or compare it
    depth = 5000
    doc = parse(b'{"a": ' * depth + b"1" + b"}" * depth)
    assert codes(doc) == ["PERSISTED_TOO_DEEP"] and doc.value is None


def test_nesting_up_to_the_limit_is_read_with_every_position() -> None:
    from ifcfg2nm.parser.persisted import MAX_DEPTH

    doc = parse(b'{"a": ' * MAX_DEPTH + b"1" + b"}" * MAX_DEPTH)
    assert doc.findings == ()
    assert len(doc.positions) == MAX_DEPTH


json_values = st.recursive(
    st.none() | st.booleans() | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6), st.sampled_from([None, 4]),
       st.booleans())
def test_anything_json_dump_writes_reads_back_equal(
    value: dict[str, Any], indent: Any, ensure_ascii: bool
) -> None:
    data = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii).encode("utf-8")
    doc = parse(data)
    assert doc.findings == ()
    assert doc.value == value
    assert set(doc.positions) >= {(k,) for k in value}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    doc = parse(data)
    if doc.value is None:
        assert any(f.severity is Severity.ERROR for f in doc.findings)


def test_file_truncated_inside_a_literal_says_so() -> None:
    doc = parse(b'{\n    "bridged": tr')
    assert codes(doc) == ["PERSISTED_JSON_SYNTAX"]
    assert doc.findings[0].position.line == 2
    assert "truncated" in doc.findings[0].message


def test_nesting_deeper_than_any_vdsm_file_is_an_error_not_a_crash() -> None:
    # 10 kB of brackets: json.loads reads it, but dumping or comparing it exhausts the recursion limit
    doc = parse(b'{"nic": "eth0", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}")
    assert doc.value is None
    assert [(f.code, f.severity) for f in doc.findings] == [("PERSISTED_TOO_DEEP", Severity.ERROR)]


def test_vdsm_host_qos_nesting_is_read() -> None:
    data = b'{"hostQos": {"out": {"ls": {"m1": 0, "d": 0, "m2": 100}}}}'
    assert parse(data).value == json.loads(data) and codes(parse(data)) == []
