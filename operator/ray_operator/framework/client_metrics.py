"""client-go's ``rest_client_*`` metrics for the API facade (names, help texts, labels, buckets).

controller-runtime registers these from client-go's hooks (``pkg/metrics/client_go_adapter.go``)
and KubeRay adds the duration/size histograms (``client_go_metrics.go``). Label children are bound
once per host and verb (and status code), so a request costs a few increments and observations,
never a label lookup.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60)
_SIZE_BUCKETS = (64, 256, 512, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)

REQUESTS_TOTAL = Counter(
    "rest_client_requests",
    "Number of HTTP requests, partitioned by status code, method, and host.",
    ["code", "method", "host"],
)
REQUEST_DURATION = Histogram(
    "rest_client_request_duration_seconds",
    "Request latency in seconds. Broken down by verb and host.",
    ["verb", "host"],
    buckets=_LATENCY_BUCKETS,
)
RATE_LIMITER_DURATION = Histogram(
    "rest_client_rate_limiter_duration_seconds",
    "Client side rate limiter latency in seconds. Broken down by verb, and host.",
    ["verb", "host"],
    buckets=_LATENCY_BUCKETS,
)
REQUEST_SIZE = Histogram(
    "rest_client_request_size_bytes",
    "Request size in bytes. Broken down by verb and host.",
    ["verb", "host"],
    buckets=_SIZE_BUCKETS,
)
RESPONSE_SIZE = Histogram(
    "rest_client_response_size_bytes",
    "Response size in bytes. Broken down by verb and host.",
    ["verb", "host"],
    buckets=_SIZE_BUCKETS,
)
REQUEST_RETRIES = Counter(
    "rest_client_request_retries",
    "Number of request retries, partitioned by status code, verb, and host.",
    ["code", "verb", "host"],
)

CONNECTION_ERROR = "<error>"  # client-go's code label for a request that got no HTTP answer


class VerbMetrics:
    """The children of one (verb, host); ``result``/``retry`` bind one child per status code."""

    __slots__ = ("_results", "_retries", "duration", "host", "rate_limiter", "request_size", "response_size", "verb")

    def __init__(self, verb: str, host: str) -> None:
        self.verb, self.host = verb, host
        self.duration = REQUEST_DURATION.labels(verb, host)
        self.rate_limiter = RATE_LIMITER_DURATION.labels(verb, host)
        self.request_size = REQUEST_SIZE.labels(verb, host)
        self.response_size = RESPONSE_SIZE.labels(verb, host)
        self._results: dict[int | str, Counter] = {}
        self._retries: dict[int | str, Counter] = {}

    def result(self, code: int | str) -> Counter:
        child = self._results.get(code)
        if child is None:
            child = self._results[code] = REQUESTS_TOTAL.labels(str(code), self.verb, self.host)
        return child

    def retry(self, code: int | str) -> Counter:
        child = self._retries.get(code)
        if child is None:
            child = self._retries[code] = REQUEST_RETRIES.labels(str(code), self.verb, self.host)
        return child


class ClientMetrics:
    """Per-client cache of :class:`VerbMetrics`, rebuilt when the server (host label) changes."""

    def __init__(self, host: str = "") -> None:
        self._host = host
        self._verbs: dict[str, VerbMetrics] = {}

    def set_host(self, host: str) -> None:
        if host != self._host:
            self._host = host
            self._verbs = {}

    def verb(self, verb: str) -> VerbMetrics:
        metrics = self._verbs.get(verb)
        if metrics is None:
            metrics = self._verbs[verb] = VerbMetrics(verb, self._host)
        return metrics
