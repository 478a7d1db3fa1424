"""Keyfile syntax against GLib's and libnm's own code: escaping, rule text, file names."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyfile_checks import oracle, requires_libnm
from keyfile_models import kitchen_sink

from ifcfg2nm.emit.keyfile import (
    SUFFIX,
    escape,
    filename_for,
    keyfiles,
    keyfiles_of,
    rule_text,
    serialize,
)
from ifcfg2nm.emit.nmsettings import Profile, ip_text, profiles

GLib, NM = oracle.GLib, oracle.NM
texts = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=30)


@requires_libnm
@settings(max_examples=300, deadline=None)
@given(texts, st.lists(texts, max_size=4))
def test_escaping_is_gkeyfiles(value: str, items: list[str]) -> None:
    kf = GLib.KeyFile()
    kf.set_string("g", "s", value)
    kf.set_string_list("g", "l", items)
    data = kf.to_data()[0]
    assert f"s={escape(value)}\n" in data
    if items:
        assert "l=" + "".join(escape(i, list_item=True) + ";" for i in items) + "\n" in data
    ours = GLib.KeyFile()
    text = f"[g]\ns={escape(value)}\n"
    ours.load_from_data(text, len(text.encode()), GLib.KeyFileFlags.NONE)
    theirs = GLib.KeyFile()
    theirs.load_from_data(data, len(data.encode()), GLib.KeyFileFlags.NONE)
    # what GLib reads back of its own text (a leading form feed, say, does not survive)
    assert ours.get_string("g", "s") == theirs.get_string("g", "s")


def _rules(family: int) -> st.SearchStrategy[dict[str, object]]:
    bits = 32 if family == 4 else 128
    cls = ipaddress.IPv4Address if family == 4 else ipaddress.IPv6Address
    addr = st.integers(0, 2**bits - 1).map(lambda n: ip_text(cls(n)))
    return st.fixed_dictionaries(
        {"family": st.just(2 if family == 4 else 10), "priority": st.integers(0, 2**32 - 1)},
        optional={
            "invert": st.just(True),
            "from": addr, "from-len": st.integers(1, bits),
            "to": addr, "to-len": st.integers(1, bits),
            "tos": st.integers(1, 255) if family == 4 else st.nothing(),
            "fwmark": st.integers(1, 2**32 - 1), "fwmask": st.integers(1, 2**32 - 1),
            "iifname": st.sampled_from(("eth0", "bond0.100")),
            "oifname": st.sampled_from(("eth1", "ovirtmgmt")),
            "action": st.sampled_from((6, 7, 8)),
        },
    ).filter(lambda r: ("from" in r) == ("from-len" in r) and ("to" in r) == ("to-len" in r))


@requires_libnm
@settings(max_examples=300, deadline=None)
@given(st.sampled_from((4, 6)).flatmap(_rules), st.integers(1, 2**32 - 1))
def test_rule_text_is_nm_ip_routing_rule_to_string(rule: dict[str, object], table: int) -> None:
    if "action" not in rule:
        rule = {**rule, "table": table}
    text = rule_text(rule)
    flags = NM.IPRoutingRuleAsStringFlags.AF_INET if rule["family"] == 2 else \
        NM.IPRoutingRuleAsStringFlags.AF_INET6
    parsed = NM.IPRoutingRule.from_string(text, flags, None)
    assert parsed.to_string(NM.IPRoutingRuleAsStringFlags.NONE, None) == text


@pytest.mark.parametrize(("profile_id", "name"), [
    ("ovirtmgmt", "ovirtmgmt.nmconnection"),
    ("System eth0", "System eth0.nmconnection"),
    ("a/b/c", "a_b_c.nmconnection"),
    (".hidden", "_hidden.nmconnection"),
    ("backup~", "backup_.nmconnection"),
    ("tab\there\nnl", "tab_here_nl.nmconnection"),
    ("x" * 300, "x" * (255 - len(SUFFIX)) + SUFFIX),
    ("é" * 200, "é" * 121 + SUFFIX),
])
def test_file_names_as_nm_makes_them(profile_id: str, name: str) -> None:
    assert filename_for(profile_id) == name
    assert len(filename_for(profile_id).encode()) <= 255


def test_colliding_file_names_get_the_uuid_deterministically() -> None:
    profs = [Profile(pid, uuid, f"eth{n}", {"connection": {"id": pid, "uuid": uuid,
                                                           "type": "802-3-ethernet"},
                                            "802-3-ethernet": {}})
             for n, (pid, uuid) in enumerate([
                 ("a/b", "00000000-0000-4000-8000-000000000001"),
                 ("a_b", "00000000-0000-4000-8000-000000000002"),
                 ("a_b", "00000000-0000-4000-8000-000000000003")])]
    files, findings = keyfiles_of(profs)
    assert sorted(files) == ["a_b-00000000-0000-4000-8000-000000000002.nmconnection",
                             "a_b-00000000-0000-4000-8000-000000000003.nmconnection",
                             "a_b.nmconnection"]
    assert [f.code for f in findings] == ["EMIT_DUPLICATE_PROFILE_ID"] * 2
    assert keyfiles_of(profs) == (files, findings)


def test_output_is_byte_identical_and_sorted() -> None:
    first = keyfiles(kitchen_sink())
    assert first == keyfiles(kitchen_sink())
    assert list(first[0]) == sorted(first[0])
    for text in first[0].values():
        assert text.startswith("[connection]\nid=") and text.endswith("\n")
        assert "\n\n\n" not in text


def test_sections_and_keys_in_nm_order() -> None:
    profs, _ = profiles(kitchen_sink())
    eth0 = next(p for p in profs if p.interface == "eth0")
    text = serialize(eth0.settings)
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert sections == ["[connection]", "[ethernet]", "[ethtool]", "[ipv4]", "[ipv6]"]
    ipv4 = text.split("[ipv4]\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("=")[0] for line in ipv4][:4] == ["address1", "address2", "dns",
                                                          "dns-options"]


@requires_libnm
@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(0, 2**128 - 1), st.integers(0, 2**32 - 1),
                 st.integers(0, 2**32 - 1).map(lambda n: n | 0xFFFF << 32),
                 st.integers(0, 2**16 - 1).map(lambda n: n << 16)))
def test_ipv6_text_is_what_nm_prints(number: int) -> None:
    addr = ipaddress.IPv6Address(number)
    assert ip_text(addr) == NM.IPAddress.new(10, str(addr), 128).get_address()
