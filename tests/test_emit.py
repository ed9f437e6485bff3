"""The HOT YAML emitter: what it writes, and the promise that YAML reads it back exactly.

`emit_yaml` turns plain template data into block-style YAML that reads like a
hand-written HOT template. The golden tests below show the style; the property tests
show that any data, however hostile its strings, comes back from ``yaml.safe_load``
(and from the libyaml-based loader) equal and with the same types.
"""

from __future__ import annotations

import enum
import math
import types
from collections.abc import Mapping

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from hotdsl.synth import emit
from hotdsl.synth.emit import emit_yaml
from hotdsl.versions import FUNCTION_NAMES

LOADERS = [yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)]


def load_all_ways(text: str) -> list[object]:
    return [yaml.load(text, Loader=loader) for loader in LOADERS]


def assert_same_data(expected: object, actual: object, where: str = "") -> None:
    """Equal, with the same types all the way down (1 is not 1.0 is not True)."""
    if isinstance(expected, tuple):
        expected = list(expected)
    assert type(actual) is type(expected), f"{where}: {actual!r} is not {expected!r}"
    if isinstance(expected, dict):
        assert isinstance(actual, dict)
        assert list(actual) == list(expected), f"{where}: keys or their order differ"
        for (expected_key, expected_value), (actual_key, actual_value) in zip(
            expected.items(), actual.items(), strict=True
        ):
            assert_same_data(expected_key, actual_key, f"{where} key")
            assert_same_data(expected_value, actual_value, f"{where}.{expected_key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list)
        assert len(actual) == len(expected), f"{where}: lengths differ"
        for index, (expected_item, actual_item) in enumerate(zip(expected, actual, strict=True)):
            assert_same_data(expected_item, actual_item, f"{where}[{index}]")
    elif isinstance(expected, float) and math.isnan(expected):
        assert isinstance(actual, float) and math.isnan(actual), where
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def assert_round_trips(document: Mapping[str, object]) -> str:
    text = emit_yaml(document)
    for loaded in load_all_ways(text):
        assert_same_data(document, loaded)
    return text


# --- The style, shown on small documents ------------------------------------------------


def test_a_small_hot_template() -> None:
    template = {
        "heat_template_version": "2021-04-16",
        "description": "One server on an existing network",
        "parameters": {
            "image": {"type": "string", "default": "cirros-0.6.2"},
            "flavor": {"type": "string", "constraints": [{"allowed_values": ["m1.small"]}]},
            "count": {"type": "number", "default": 2},
        },
        "resources": {
            "port": {
                "type": "OS::Neutron::Port",
                "properties": {
                    "network": "private",
                    "fixed_ips": [{"ip_address": "10.0.0.5"}],
                },
            },
            "server": {
                "type": "OS::Nova::Server",
                "properties": {
                    "image": {"get_param": "image"},
                    "flavor": {"get_param": "flavor"},
                    "networks": [{"port": {"get_resource": "port"}}],
                    "metadata": {},
                    "scheduler_hints": [],
                },
            },
        },
        "outputs": {
            "address": {"value": {"get_attr": ["server", "first_address"]}},
        },
    }
    assert assert_round_trips(template) == (
        "heat_template_version: '2021-04-16'\n"
        "description: One server on an existing network\n"
        "parameters:\n"
        "  image:\n"
        "    type: string\n"
        "    default: cirros-0.6.2\n"
        "  flavor:\n"
        "    type: string\n"
        "    constraints:\n"
        "      - allowed_values:\n"
        "          - m1.small\n"
        "  count:\n"
        "    type: number\n"
        "    default: 2\n"
        "resources:\n"
        "  port:\n"
        "    type: OS::Neutron::Port\n"
        "    properties:\n"
        "      network: private\n"
        "      fixed_ips:\n"
        "        - ip_address: 10.0.0.5\n"
        "  server:\n"
        "    type: OS::Nova::Server\n"
        "    properties:\n"
        "      image: {get_param: image}\n"
        "      flavor: {get_param: flavor}\n"
        "      networks:\n"
        "        - port: {get_resource: port}\n"
        "      metadata: {}\n"
        "      scheduler_hints: []\n"
        "outputs:\n"
        "  address:\n"
        "    value: {get_attr: [server, first_address]}\n"
    )


def test_a_user_data_script_is_a_literal_block() -> None:
    script = "#!/bin/bash\nset -eu\n\necho 'web: ready' > /etc/motd\n"
    document = {"user_data": script, "user_data_format": "RAW"}
    assert assert_round_trips(document) == (
        "user_data: |\n"
        "  #!/bin/bash\n"
        "  set -eu\n"
        "\n"
        "  echo 'web: ready' > /etc/motd\n"
        "user_data_format: RAW\n"
    )


def test_literal_blocks_keep_trailing_newlines_exactly() -> None:
    document = {"none": "a\nb", "one": "a\nb\n", "two": "a\nb\n\n", "list": ["x\ny"]}
    assert assert_round_trips(document) == (
        "none: |-\n  a\n  b\none: |\n  a\n  b\ntwo: |+\n  a\n  b\n\nlist:\n  - |-\n    x\n    y\n"
    )


def test_a_literal_block_starting_with_a_space_states_its_indentation() -> None:
    assert assert_round_trips({"text": "  indented\nnot\n"}) == ("text: |2\n    indented\n  not\n")


def test_intrinsic_calls_are_written_on_one_line_when_short_and_flat() -> None:
    document = {
        "plain": {"get_param": "image"},
        "listed": {"get_attr": ["server", "networks", "private", 0]},
        "quoted": {"get_param": "a, b"},
        "nested": {"list_join": [",", ["a", "b"]]},
        "not_intrinsic": {"my_key": "value"},
        "two_keys": {"get_param": "x", "other": "z"},
        "long": {"get_attr": ["a_long_resource_name_" * 3, "an_attribute_" * 3]},
    }
    assert assert_round_trips(document) == (
        "plain: {get_param: image}\n"
        "listed: {get_attr: [server, networks, private, 0]}\n"
        "quoted: {get_param: 'a, b'}\n"
        "nested:\n"
        "  list_join:\n"
        "    - ','\n"
        "    - - a\n"
        "      - b\n"
        "not_intrinsic:\n"
        "  my_key: value\n"
        "two_keys:\n"
        "  get_param: x\n"
        "  other: z\n"
        "long:\n"
        "  get_attr:\n"
        "    - a_long_resource_name_a_long_resource_name_a_long_resource_name_\n"
        "    - an_attribute_an_attribute_an_attribute_\n"
    )


def test_the_set_of_flow_style_functions_can_be_chosen() -> None:
    document = {"value": {"Ref": "image"}, "other": {"get_param": "x"}}
    assert emit_yaml(document, intrinsic_functions=frozenset({"Ref"})) == (
        "value: {Ref: image}\nother:\n  get_param: x\n"
    )
    assert_round_trips(document)


def test_lists_of_lists_and_of_mappings_share_the_dash_line() -> None:
    document = {"rows": [[1, [2, 3]], {"a": 1, "b": {"c": [True]}}]}
    assert assert_round_trips(document) == (
        "rows:\n  - - 1\n    - - 2\n      - 3\n  - a: 1\n    b:\n      c:\n        - true\n"
    )


def test_strings_that_yaml_would_read_as_something_else_are_quoted() -> None:
    lookalikes = ["yes", "No", "on", "y", "~", "null", "", "0x1F", "0o17", "017", "1_000"]
    lookalikes += ["1:20", "1.5", ".5", "1e3", "1.e3", ".inf", "-.INF", ".NaN", "2021-04-16"]
    lookalikes += ["2001-12-14t21:59:43.10-05:00", "<<", "="]
    text = assert_round_trips({"values": lookalikes})
    for value in lookalikes:
        assert f"  - '{value}'\n" in text


def test_strings_are_plain_when_that_is_safe() -> None:
    plain = ["OS::Nova::Server", "10.0.0.0/24", "8.8.8.8", "http://example.com/a#b", "-Xmx1g"]
    plain += ["a b", "it's", "x:y:z", "yesterday", "1.2.3", "v1e3", "süß", "日本語", "🙂"]
    text = assert_round_trips({"values": plain})
    for value in plain:
        assert f"  - {value}\n" in text


def test_quoting_uses_single_quotes_then_double_quotes_with_escapes() -> None:
    document = {
        "indicator": "*not an alias",
        "colon_space": "key: value",
        "comment": "a #b",
        "trailing_colon": "a:",
        "spaces": " padded ",
        "quote": "it's: here",
        "tab": "a\tb",
        "carriage_return": "line\r\n",
        "control": "bell\a",
        "line_separator": "a\u2028b",
        "next_line": "a\x85b",
        "bom": "\ufeffx",
        "zero_width_space": "a\u200bb",
        "no_break_space": "a\xa0b",
        "newlines_only": "\n\n",
        "astral_private_use": "\U000f0000",
    }
    assert assert_round_trips(document) == (
        "indicator: '*not an alias'\n"
        "colon_space: 'key: value'\n"
        "comment: 'a #b'\n"
        "trailing_colon: 'a:'\n"
        "spaces: ' padded '\n"
        "quote: 'it''s: here'\n"
        'tab: "a\\tb"\n'
        'carriage_return: "line\\r\\n"\n'
        'control: "bell\\a"\n'
        'line_separator: "a\\Lb"\n'
        'next_line: "a\\Nb"\n'
        'bom: "\\ufeffx"\n'
        'zero_width_space: "a\\u200bb"\n'
        'no_break_space: "a\\_b"\n'
        'newlines_only: "\\n\\n"\n'
        'astral_private_use: "\\U000f0000"\n'
    )


def test_numbers_booleans_and_null_are_written_so_that_they_keep_their_type() -> None:
    document = {
        "int": 1,
        "big": 10**30,
        "negative": -7,
        "float": 1.0,
        "small": 1e-05,
        "large": 1e20,
        "precise": 0.1 + 0.2,
        "negative_zero": -0.0,
        "infinity": math.inf,
        "minus_infinity": -math.inf,
        "not_a_number": math.nan,
        "true": True,
        "false": False,
        "null": None,
    }
    assert assert_round_trips(document) == (
        "int: 1\n"
        f"big: {10**30}\n"
        "negative: -7\n"
        "float: 1.0\n"
        "small: 1.0e-05\n"
        "large: 1.0e+20\n"
        "precise: 0.30000000000000004\n"
        "negative_zero: -0.0\n"
        "infinity: .inf\n"
        "minus_infinity: -.inf\n"
        "not_a_number: .nan\n"
        "'true': true\n"
        "'false': false\n"
        "'null': null\n"
    )


def test_keys_of_other_scalar_types_round_trip() -> None:
    document = {1: "int", "1": "str", False: "bool", None: "none", 2.5: "float", "a b": 0}
    assert assert_round_trips(document) == (  # type: ignore[arg-type]
        "1: int\n'1': str\nfalse: bool\nnull: none\n2.5: float\na b: 0\n"
    )


def test_key_order_is_kept_as_given() -> None:
    document = {"zeta": 1, "alpha": 2, "mid": {"b": 1, "a": 2}}
    assert assert_round_trips(document) == "zeta: 1\nalpha: 2\nmid:\n  b: 1\n  a: 2\n"


def test_long_strings_are_never_folded() -> None:
    sentence = "word " * 60 + "end"
    text = assert_round_trips({"description": sentence, "list": [sentence]})
    assert text == f"description: {sentence}\nlist:\n  - {sentence}\n"


def test_very_long_keys_use_explicit_key_syntax() -> None:
    key = "k" * 1500
    document = {key: "v", "nested": [{key: {"a": 1}}]}
    assert assert_round_trips(document) == (
        f"? {key}\n: v\nnested:\n  - ? {key}\n    :\n      a: 1\n"
    )


def test_unicode_is_written_as_is() -> None:
    assert assert_round_trips({"name": "café ☕", "ключ": "значение"}) == (
        "name: café ☕\nключ: значение\n"
    )


def test_empty_documents_and_collections() -> None:
    assert assert_round_trips({}) == "{}\n"
    assert assert_round_trips({"a": {}, "b": [], "c": [{}, []]}) == (
        "a: {}\nb: []\nc:\n  - {}\n  - []\n"
    )


def test_tuples_mappings_and_str_or_int_subclasses_are_written_as_their_yaml_types() -> None:
    class Color(enum.StrEnum):
        RED = "red"

    class Size(enum.IntEnum):
        LARGE = 3

    document = {
        "tuple": ("a", ("b",)),
        "proxy": types.MappingProxyType({"k": Color.RED}),
        "size": Size.LARGE,
        Color.RED: 1,
    }
    assert emit_yaml(document) == ("tuple:\n  - a\n  - - b\nproxy:\n  k: red\nsize: 3\nred: 1\n")


# --- What it refuses ----------------------------------------------------------------------


def test_an_unsupported_value_is_reported_with_its_path() -> None:
    document = {"resources": {"web": {"properties": {"networks": [{"port": {1, 2}}]}}}}
    with pytest.raises(TypeError) as raised:
        emit_yaml(document)
    assert str(raised.value) == (
        "cannot emit a value of type set at resources.web.properties.networks[0].port: "
        "YAML data is dict, list, tuple, str, int, float, bool or None"
    )


def test_an_unsupported_key_is_reported_with_the_mapping_path() -> None:
    document = {"resources": {"web": {("a", "b"): 1}}}
    with pytest.raises(
        TypeError,
        match=r"^cannot emit the mapping key \('a', 'b'\) \(a tuple\) at resources\.web: keys",
    ):
        emit_yaml(document)


def test_a_lone_surrogate_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"surrogate '\\udc80' at outputs\[1\]: "):
        emit_yaml({"outputs": ["ok", "bad\udc80"]})


def test_the_top_of_the_document_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="mapping at the top of the document, got list"):
        emit_yaml([1, 2])  # type: ignore[arg-type]


def test_a_document_that_contains_itself_is_refused() -> None:
    document: dict[str, object] = {}
    document["self"] = document
    with pytest.raises(ValueError, match="nests too deeply or contains itself"):
        emit_yaml(document)


# --- The promise, checked on arbitrary data ---------------------------------------------

NASTY_STRINGS = [
    "yes", "No", "NO", "on", "Off", "y", "N", "true", "False", "TRUE", "~", "null", "Null",
    "NULL", "", "0", "-0", "+1", "0x1F", "0o17", "017", "0b101", "1_000", "1:20", "-1:20.5",
    "1.5", ".5", "-.5", "1.", "1e3", "1E-3", "1.e3", "1.0e+3", ".inf", "-.Inf", ".NAN",
    "2021-04-16", "2021-4-6", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "<<", "=", "!", "&", "*", "- a", "-", "--", "---", "--- a", "...", "... a", "?", "? a",
    ":", ":a", "a: b", "a:", "a #b", "#x", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">",
    "|-", "'", '"', "''", "a'b", '"a"', "[a]", "{a: b}", "a,b", "a?b", "a[b", "a]", "a}",
    "a\n", "\na", "\n a", " \na", "a\n\n", "\n", "\n\n", "a\nb", " a", "a ", " ", "\t",
    "a\tb", "\ta\n", "a\r", "\r\n", "\x85", "\u2028", "\u2029", "\ufeff", "\ufeffa", "\x00",
    "\x7f", "\xa0", "\u200b", "\u202e", "\U0001f642", "\\", "\\n", "a # b", "a\n#b\n",
    "get_param", "OS::Nova::Server", "http://x:80/y", "a\n  b\n", "a \n b ", "\n\t\n",
]  # fmt: skip

nasty_fragments = st.sampled_from([*NASTY_STRINGS, ": ", " #", " ", "\n", "'", '"', "-"])
texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(NASTY_STRINGS),
    st.lists(st.one_of(nasty_fragments, st.text(max_size=4)), max_size=5).map("".join),
)
scalars = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)
keys = st.one_of(texts, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
intrinsic_calls = st.builds(
    lambda name, argument: {name: argument},
    st.sampled_from(sorted(FUNCTION_NAMES)),
    st.one_of(scalars, st.lists(scalars, max_size=4)),
)
data = st.recursive(
    st.one_of(scalars, intrinsic_calls),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=25,
)
documents = st.dictionaries(keys, data, max_size=5)


@settings(max_examples=400, deadline=None)
@given(documents)
def test_any_document_reads_back_equal_and_with_the_same_types(
    document: dict[str, object],
) -> None:
    assert_round_trips(document)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(texts, texts, max_size=6))
def test_any_string_reads_back_exactly_as_key_or_value(document: dict[str, str]) -> None:
    assert_round_trips(document)
    assert_round_trips({"list": list(document), "nested": [document]})


@settings(max_examples=100, deadline=None)
@given(documents)
def test_the_output_is_deterministic(document: dict[str, object]) -> None:
    assert emit_yaml(document) == emit_yaml(document)


name_like = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_./-]{0,8}", fullmatch=True),
    st.sampled_from(sorted(emit._TYPED_WORDS)),
    st.lists(
        st.sampled_from(
            ["y", "No", "ON", "null", "a", "_", ".", "/", "-", "1", "e", "#", ":", " "]
        ),
        max_size=4,
    ).map("".join),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(name_like, texts))
def test_the_shortcut_for_names_agrees_with_the_full_rule(text: str) -> None:
    """`_is_plain_in_block` settles name-like strings with one regex: the same answer as
    the full rule (printable, no indicator, not implicitly typed)."""
    full_rule = (
        text != ""
        and text.isprintable()
        and not emit._NOT_PLAIN_IN_BLOCK.search(text)
        and not emit._IMPLICITLY_TYPED.fullmatch(text)
    )
    assert emit._is_plain_in_block(text) == full_rule


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(name_like, texts), min_size=1, max_size=6))
def test_a_name_is_written_alike_as_a_key_and_inside_a_flow_call(names: list[str]) -> None:
    """A key's text is reused for the same string in `{get_resource: ...}`; the flow text
    must be the one the string gets when it was never a key."""
    calls = {f"ref{i}": {"get_resource": name} for i, name in enumerate(names)}
    alone = emit_yaml(calls)
    after_keys = emit_yaml({"keys": dict.fromkeys(names, 1), **calls})
    assert after_keys.endswith(alone)
    assert_round_trips({"keys": dict.fromkeys(names, 1), **calls})
