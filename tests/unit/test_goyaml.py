# ruff: noqa: E501  (vectors are kept one per line, as Go printed them)
"""``yaml_to_json`` against vectors produced by KubeRay's ``sigs.k8s.io/yaml`` v1.6.0 ``YAMLToJSON``
(go-yaml v2.4.3), printed by a throwaway Go program: the test needs no Go toolchain."""

from __future__ import annotations

import pytest

from ray_operator.builders.goyaml import GoYAMLError, yaml_to_json

#: (YAML, ``YAMLToJSON`` output) from Go.
GO_VECTORS = [
    (
        'pip:\n  - requests==2.26.0\n  - "pendulum==2.1.2"\nenv_vars:\n  counter_name: test_counter\n',
        '{"env_vars":{"counter_name":"test_counter"},"pip":["requests==2.26.0","pendulum==2.1.2"]}',
    ),
    (
        'working_dir: "https://github.com/x/y/archive/z.zip"\npy_modules:\n  - s3://bucket/mod.zip\n  - ./local\n',
        '{"py_modules":["s3://bucket/mod.zip","./local"],"working_dir":"https://github.com/x/y/archive/z.zip"}',
    ),
    (
        "env_vars: {A: yes, B: no, C: on, D: off, E: y, F: n, G: Y, H: N, I: true, J: False, K: 'yes', L: ~, M: null, N: }\n",
        '{"env_vars":{"A":true,"B":false,"C":true,"D":false,"E":true,"F":false,"G":true,"H":false,"I":true,"J":false,"K":"yes","L":null,"M":null,"false":null}}',
    ),
    (
        "nums: [1, -1, +1, 0, -0, 600, 0755, 08, 0x1F, 0o17, 0b101, 1_000, 1.0, 1.5, -2.50, .5, -.5, 1e3, 1E-7, 6.02e23, 1e21, 0.000001, 123456789.123, 3.10, 1.10.0]\n",
        '{"nums":[1,-1,1,0,0,600,493,8,31,15,5,1000,1,1.5,-2.5,0.5,-0.5,1000,1e-7,6.02e+23,1e+21,0.000001,123456789.123,3.1,"1.10.0"]}',
    ),
    (
        "big: [9223372036854775807, 9223372036854775808, 18446744073709551615, 18446744073709551616, -9223372036854775808, -9223372036854775809]\n",
        '{"big":[9223372036854775807,9223372036854775808,18446744073709551615,18446744073709552000,-9223372036854775808,-9223372036854776000]}',
    ),
    (
        "dates: [2024-01-02, 2024-01-02T03:04:05Z, '2024-01-02', 12:30, 1:30:00]\n",
        '{"dates":["2024-01-02","2024-01-02T03:04:05Z","2024-01-02","12:30","1:30:00"]}',
    ),
    (
        'text: "<b>&</b> \\u00e9 \\u65e5\\u672c \\U0001FAE8 \\u2028 tab\\there \\\\ \\" end"\nplain: a\'b"c\n',
        '{"plain":"a\'b\\"c","text":"\\u003cb\\u003e\\u0026\\u003c/b\\u003e \xe9 \u65e5\u672c \U0001fae8 \\u2028 tab\\there \\\\ \\" end"}',
    ),
    (
        "multi: |\n  line1\n  line2\nfolded: >\n  a\n  b\nkeep: |+\n  x\n\n",
        '{"folded":"a b\\n","keep":"x\\n\\n","multi":"line1\\nline2\\n"}',
    ),
    (
        "1: one\n2.5: two\nyes: three\n~x: four\n1000000.0: big\n0.00001: small\n-0.0: negzero\n",
        '{"-0":"negzero","1":"one","1e+06":"big","1e-05":"small","2.5":"two","true":"three","~x":"four"}',
    ),
    (
        "base: &b {a: 1, b: 2}\nx:\n  <<: *b\n  c: 3\ny:\n  b: 9\n  <<: [*b, {d: 4}]\nz: *b\n",
        '{"base":{"a":1,"b":2},"true":{"a":1,"b":2,"d":4},"x":{"a":1,"b":2,"c":3},"z":{"a":1,"b":2}}',
    ),
    (
        "tagged: [!!str 123, !!int '42', !!float 1, !!bool 'true', !!null '', !!binary aGVsbG8=, !custom thing, !!str yes]\n",
        '{"tagged":["123",42,1,true,null,"hello","thing","yes"]}',
    ),
    ("a: 1\na: 2\n", '{"a":2}'),
    ("", "null"),
    ("# only a comment\n", "null"),
    ("- a\n- b\n", '["a","b"]'),
    ("a: 1\n---\nb: 2\n", '{"a":1}'),
    ("plain\n", '"plain"'),
    (
        "nested:\n  deeper:\n    deepest: [1, {k: v}, [2, 3]]\n  empty_map: {}\n  empty_list: []\n",
        '{"nested":{"deeper":{"deepest":[1,{"k":"v"},[2,3]]},"empty_list":[],"empty_map":{}}}',
    ),
    (
        "conda:\n  dependencies:\n    - python=3.10\n    - pip:\n      - ray[default]==2.46.0\n",
        '{"conda":{"dependencies":["python=3.10",{"pip":["ray[default]==2.46.0"]}]}}',
    ),
    (
        'env_vars: {PATH: "/usr/bin:$PATH", CMD: "echo `date` $(whoami) !"}\n',
        '{"env_vars":{"CMD":"echo `date` $(whoami) !","PATH":"/usr/bin:$PATH"}}',
    ),
    ("x: 0.1\ny: 100000000000000000000000\nz: 1e-7\nw: -1.5e-10\n", '{"true":1e+23,"w":-1.5e-10,"x":0.1,"z":1e-7}'),
]

#: (YAML, Go's error text) for value errors (syntax errors carry PyYAML's wording).
GO_ERRORS = [
    ("bad: !!int abc\n", "yaml: cannot decode !!str `abc` as a !!int"),
    ("v: .nan\n", "json: unsupported value: NaN"),
    ("v: -.inf\n", "json: unsupported value: -Inf"),
    ("~: nullkey\n", 'unsupported map key of type: %!s(<nil>), key: <nil>, value: "nullkey"'),
    (
        "18446744073709551615: uintkey\n",
        'unsupported map key of type: uint64, key: 0xffffffffffffffff, value: "uintkey"',
    ),
    ("a: &a [*a]\n", "yaml: anchor 'a' value contains itself"),
]


@pytest.mark.parametrize(("text", "expected"), GO_VECTORS)
def test_matches_go(text: str, expected: str) -> None:
    assert yaml_to_json(text) == expected


@pytest.mark.parametrize(("text", "message"), GO_ERRORS)
def test_value_errors_match_go(text: str, message: str) -> None:
    with pytest.raises(GoYAMLError) as info:
        yaml_to_json(text)
    assert str(info.value) == message


def test_typical_runtime_env() -> None:
    text = (
        'pip:\n  - requests==2.26.0\nenv_vars:\n  DEBUG: yes\n  PORT: 8080\n  RATIO: 1.0\n  NAME: "on"\n'
        "working_dir: ./app\nconfig: {setup_timeout_seconds: 600, eager_install: off}\n"
    )
    assert yaml_to_json(text) == (
        '{"config":{"eager_install":false,"setup_timeout_seconds":600},'
        '"env_vars":{"DEBUG":true,"NAME":"on","PORT":8080,"RATIO":1},"pip":["requests==2.26.0"],"working_dir":"./app"}'
    )


@pytest.mark.parametrize(
    ("text", "prefix"),
    [("pip: [a\n", "yaml: line 1: "), ("a: 1\nb: [1\n", "yaml: line 2: "), ("a: 1\n\tb: 2\n", "yaml: line 2: ")],
)
def test_syntax_errors_use_go_yaml_line_numbers(text: str, prefix: str) -> None:
    """Go says ``yaml: line 1: did not find expected ',' or ']'`` for the first (wording differs)."""
    with pytest.raises(GoYAMLError) as info:
        yaml_to_json(text)
    assert str(info.value).startswith(prefix)


def test_alias_bomb_is_refused() -> None:
    """Nested aliases that would expand to 10**9 values fail fast, like go-yaml's guard."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    with pytest.raises(GoYAMLError, match="excessive aliasing"):
        yaml_to_json("\n".join(lines) + "\n")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(GoYAMLError):
        yaml_to_json("[" * 5000 + "]" * 5000)
