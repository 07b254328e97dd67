"""Time formats of the Kubernetes API (metav1.Time, metav1.MicroTime) and parsing them back."""

from __future__ import annotations

import datetime
import time


def now_rfc3339() -> str:
    """Seconds-precision UTC timestamp, the format of metav1.Time."""
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339(ts: float) -> str:
    """``ts`` (seconds since the epoch) as metav1.Time: UTC, whole seconds."""
    return datetime.datetime.fromtimestamp(ts, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def go_time_string(ts: float) -> str:
    """Go's ``time.Time.String()`` of a UTC time with whole seconds, as KubeRay prints ``%v`` of one."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.UTC).strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def go_date_time(ts: float) -> str:
    """Go's ``t.Format(time.DateTime)`` in UTC."""
    return datetime.datetime.fromtimestamp(int(ts), datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")


def micro_time(ts: float | None = None) -> str:
    """Microsecond UTC timestamp, the format of metav1.MicroTime (events, leases)."""
    dt = datetime.datetime.fromtimestamp(time.time() if ts is None else ts, datetime.UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str | None) -> float | None:
    """Seconds since the epoch of a metav1.Time or MicroTime string; None if absent or malformed."""
    for fmt in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.datetime.strptime(value or "", fmt).replace(tzinfo=datetime.UTC).timestamp()
        except ValueError:
            continue
    return None


def go_duration(seconds: float) -> str:
    """Go's time.Duration String() for whole seconds and above, e.g. ``5m0.5s``."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    out += f"{secs:.6g}s" if secs != int(secs) else f"{int(secs)}s"
    return out
