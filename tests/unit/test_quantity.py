"""Kubernetes quantities: expected values are what apimachinery's ``resource.Quantity`` (v0.36) prints.

The table was produced by a small Go program calling ``ParseQuantity`` then ``String()``,
``Value()`` and ``json.Marshal(AsApproximateFloat64())`` on each input.
"""

from __future__ import annotations

import pytest

from ray_operator.builders.gojson import go_float
from ray_operator.quantity import (
    Format,
    Quantity,
    QuantityError,
    container_resources,
    is_gpu_resource,
    parse_quantity,
    pod_resources,
    sum_gpus,
    sum_resources,
)

# (input, String(), Value() or None where Go's int64 overflows, JSON of AsApproximateFloat64(), Format)
GO_TABLE = [
    ("0", "0", 0, "0", Format.DECIMAL_SI),
    ("1", "1", 1, "1", Format.DECIMAL_SI),
    ("1.5", "1500m", 2, "1.5", Format.DECIMAL_SI),
    ("1.5Gi", "1536Mi", 1610612736, "1610612736", Format.BINARY_SI),
    ("1000", "1k", 1000, "1000", Format.DECIMAL_SI),
    ("100m", "100m", 1, "0.1", Format.DECIMAL_SI),
    ("0.5", "500m", 1, "0.5", Format.DECIMAL_SI),
    ("1e3", "1e3", 1000, "1000", Format.DECIMAL_EXPONENT),
    ("1e2", "100", 100, "100", Format.DECIMAL_EXPONENT),
    ("1024", "1024", 1024, "1024", Format.DECIMAL_SI),
    ("2048Mi", "2Gi", 2147483648, "2147483648", Format.BINARY_SI),
    ("1Ki", "1Ki", 1024, "1024", Format.BINARY_SI),
    ("0.5Gi", "512Mi", 536870912, "536870912", Format.BINARY_SI),
    ("0.1Ki", "102400m", 103, "102.4", Format.BINARY_SI),
    ("12e6", "12e6", 12000000, "12000000", Format.DECIMAL_EXPONENT),
    ("1M", "1M", 1000000, "1000000", Format.DECIMAL_SI),
    ("1000000", "1M", 1000000, "1000000", Format.DECIMAL_SI),
    ("1.1Ki", "1126400m", 1127, "1126.4", Format.BINARY_SI),
    ("10Gi", "10Gi", 10737418240, "10737418240", Format.BINARY_SI),
    ("8Gi", "8Gi", 8589934592, "8589934592", Format.BINARY_SI),
    ("01", "01", 1, "1", Format.DECIMAL_SI),
    ("+1", "+1", 1, "1", Format.DECIMAL_SI),
    ("0.0000000001", "1n", 1, "1e-9", Format.DECIMAL_SI),
    ("1E", "1E", 1000000000000000000, "1000000000000000000", Format.DECIMAL_SI),
    ("1.", "1.", 1, "1", Format.DECIMAL_SI),
    (".5", "500m", 1, "0.5", Format.DECIMAL_SI),
    ("-1.5", "-1500m", -2, "-1.5", Format.DECIMAL_SI),
    ("1n", "1n", 1, "1e-9", Format.DECIMAL_SI),
    ("0m", "0", 0, "0", Format.DECIMAL_SI),
    ("00", "0", 0, "0", Format.DECIMAL_SI),
    ("1e-3", "1e-3", 1, "0.001", Format.DECIMAL_EXPONENT),
    (
        "9223372036854775807",
        "9223372036854775807",
        9223372036854775807,
        "9223372036854776000",
        Format.DECIMAL_SI,
    ),
    ("99999999999999999999", "99999999999999999999", None, "100000000000000000000", Format.DECIMAL_SI),
    ("2G", "2G", 2000000000, "2000000000", Format.DECIMAL_SI),
    ("500M", "500M", 500000000, "500000000", Format.DECIMAL_SI),
    ("1536Mi", "1536Mi", 1610612736, "1610612736", Format.BINARY_SI),
    ("3.3", "3300m", 4, "3.3000000000000003", Format.DECIMAL_SI),
    ("0.3", "300m", 1, "0.30000000000000004", Format.DECIMAL_SI),
    ("2.5", "2500m", 3, "2.5", Format.DECIMAL_SI),
    ("2500m", "2500m", 3, "2.5", Format.DECIMAL_SI),
    ("123456789012345678", "123456789012345678", 123456789012345678, "123456789012345680", Format.DECIMAL_SI),
    (
        "1234567890123456789",
        "1234567890123456789",
        1234567890123456789,
        "1234567890123457000",
        Format.DECIMAL_SI,
    ),
    ("1.23456789012", "1234567891n", 2, "1.234567891", Format.DECIMAL_SI),
    ("7.5Gi", "7680Mi", 8053063680, "8053063680.000001", Format.BINARY_SI),
    ("1.5E", "1500P", 1500000000000000000, "1500000000000000000", Format.DECIMAL_SI),
    ("1e-9", "1e-9", 1, "1e-9", Format.DECIMAL_EXPONENT),
    ("1e-10", "1e-9", 1, "1e-9", Format.DECIMAL_EXPONENT),
    ("5e21", "5e21", None, "5e+21", Format.DECIMAL_EXPONENT),
    ("16Ei", "9223372036854775807", 9223372036854775807, "9223372036854776000", Format.BINARY_SI),
    ("0.001m", "1u", 1, "0.000001", Format.DECIMAL_SI),
    ("1u", "1u", 1, "0.000001", Format.DECIMAL_SI),
    ("1.5k", "1500", 1500, "1500", Format.DECIMAL_SI),
    ("1Ti", "1Ti", 1099511627776, "1099511627776", Format.BINARY_SI),
    ("2.000", "2", 2, "2", Format.DECIMAL_SI),
    ("1000m", "1", 1, "1", Format.DECIMAL_SI),
    ("3000m", "3", 3, "3", Format.DECIMAL_SI),
    ("250m", "250m", 1, "0.25", Format.DECIMAL_SI),
    ("0.25", "250m", 1, "0.25", Format.DECIMAL_SI),
    ("4Gi", "4Gi", 4294967296, "4294967296", Format.BINARY_SI),
    ("4096Mi", "4Gi", 4294967296, "4294967296", Format.BINARY_SI),
    ("1.25Gi", "1280Mi", 1342177280, "1342177280", Format.BINARY_SI),
    ("1000Ki", "1000Ki", 1024000, "1024000", Format.BINARY_SI),
    ("1025Ki", "1025Ki", 1049600, "1049600", Format.BINARY_SI),
    ("100Ki", "100Ki", 102400, "102400", Format.BINARY_SI),
    ("6Ei", "6Ei", 6917529027641081856, "6917529027641082000", Format.BINARY_SI),
    ("8Ei", "9223372036854775807", 9223372036854775807, "9223372036854776000", Format.BINARY_SI),
    ("e3", "0", 0, "0", Format.DECIMAL_EXPONENT),
    ("1.0Gi", "1Gi", 1073741824, "1073741824", Format.BINARY_SI),
    ("-100m", "-100m", -1, "-0.1", Format.DECIMAL_SI),
    ("1e+3", "1e+3", 1000, "1000", Format.DECIMAL_EXPONENT),
    ("1E3", "1E3", 1000, "1000", Format.DECIMAL_EXPONENT),
    ("1e-2", "10e-3", 1, "0.01", Format.DECIMAL_EXPONENT),
    ("50e-2", "500e-3", 1, "0.5", Format.DECIMAL_EXPONENT),
]


@pytest.mark.parametrize(("text", "string", "value", "float_json", "fmt"), GO_TABLE)
def test_parse_matches_go(text: str, string: str, value: int | None, float_json: str, fmt: Format) -> None:
    q = Quantity.parse(text)
    assert str(q) == string
    assert q.format is fmt
    if value is not None:
        assert q.ceil() == value
    assert go_float(q.approximate_float()) == float_json


@pytest.mark.parametrize("text", ["", "abc", "1x", "1.5.5", "1Kii", "1e", "--1", "1 "])
def test_invalid_quantities(text: str) -> None:
    with pytest.raises(QuantityError):
        Quantity.parse(text)
    assert parse_quantity(text) is None


@pytest.mark.parametrize(
    ("text", "string", "fmt"),
    [
        ("Ki", "0", Format.BINARY_SI),
        ("-", "0", Format.DECIMAL_SI),
        (".", "0", Format.DECIMAL_SI),
        ("1.G", "1.G", Format.DECIMAL_SI),
    ],
)
def test_degenerate_inputs_go_accepts(text: str, string: str, fmt: Format) -> None:
    q = Quantity.parse(text)
    assert (str(q), q.format) == (string, fmt)


def test_json_numbers_are_quantities() -> None:
    assert str(Quantity.parse(2)) == "2"
    assert str(Quantity.parse(0.5)) == "500m"
    assert parse_quantity(True) is None
    assert parse_quantity(None) is None


@pytest.mark.parametrize(
    ("terms", "total"),
    [
        (["1", "1", "1"], "3"),
        (["500m", "2"], "2500m"),
        (["2Gi", "4Gi"], "6Gi"),
        (["1Gi", "512Mi"], "1536Mi"),
        (["1.5", "1.5"], "3"),
        (["100m", "200m", "700m"], "1"),
        (["0", "1Gi"], "1Gi"),  # a zero sum takes the format of what is added
        (["1G", "1Gi"], "2073741824"),
        (["1Gi", "1G"], "2073741824"),  # binary, but not a multiple of 1024: no suffix
        (["2", "3e3"], "3002"),
        (["3e3", "2"], "3002"),
        (["1Mi", "1"], "1048577"),
        (["0.5Gi", "0.5Gi"], "1Gi"),
        (["1k", "1"], "1001"),
        (["01", "0"], "1"),  # adding forgets the original text
    ],
)
def test_sums_match_go(terms: list[str], total: str) -> None:
    result = Quantity.parse(terms[0])
    for term in terms[1:]:
        result = result.add(Quantity.parse(term))
    assert str(result) == total


@pytest.mark.parametrize(
    ("text", "factor", "product"),
    [("1.5", 3, "4500m"), ("2Gi", 3, "6Gi"), ("1Gi", 0, "0"), ("500m", 2, "1"), ("1e3", 4, "4e3")],
)
def test_products_match_go(text: str, factor: int, product: str) -> None:
    assert str(Quantity.parse(text).mul(factor)) == product


def test_zero_sum_is_printed_as_zero() -> None:
    assert str(Quantity.zero()) == "0"
    assert str(sum_gpus({})) == "0"


@pytest.mark.parametrize(
    ("name", "gpu"),
    [
        ("nvidia.com/gpu", True),
        ("amd.com/gpu", True),
        ("gpu", True),
        ("nvidia.com/mig-1g.5gb", True),
        ("nvidia.com/mig-3g.40gb", True),
        ("example.com/nvidia.com/mig-2g.10gb", True),  # suffix match, like Go's unanchored regexp
        ("nvidia.com/mig-1g.5gbx", False),
        ("google.com/tpu", False),
        ("cpu", False),
        ("nvidia.com/gpus", False),
    ],
)
def test_gpu_resource_names(name: str, gpu: bool) -> None:
    assert is_gpu_resource(name) is gpu


def test_requests_fall_back_to_limits_per_resource() -> None:
    container = {"resources": {"requests": {"cpu": "500m"}, "limits": {"cpu": "2", "memory": "1Gi"}}}
    assert {k: str(v) for k, v in container_resources(container).items()} == {"cpu": "500m", "memory": "1Gi"}


def test_pod_resources_sum_regular_containers_only() -> None:
    spec = {
        "initContainers": [{"name": "init", "resources": {"requests": {"cpu": "10"}}}],
        "containers": [
            {"name": "ray", "resources": {"limits": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": "1"}}},
            {"name": "side", "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}},
            {"name": "none"},
        ],
    }
    totals = {k: str(v) for k, v in pod_resources(spec).items()}
    assert totals == {"cpu": "1250m", "memory": "1536Mi", "nvidia.com/gpu": "1"}


def test_sum_resources_and_gpus() -> None:
    head = {"cpu": Quantity.parse("1"), "memory": Quantity.parse("2Gi")}
    workers = {
        "cpu": Quantity.parse("2").mul(3),
        "memory": Quantity.parse("1Gi").mul(3),
        "nvidia.com/gpu": Quantity.parse("1").mul(3),
        "nvidia.com/mig-1g.5gb": Quantity.parse("2"),
        "amd.com/gpu": Quantity.parse("0"),
    }
    total = sum_resources([head, workers])
    assert str(total["cpu"]) == "7"
    assert str(total["memory"]) == "5Gi"
    assert str(sum_gpus(total)) == "5"
