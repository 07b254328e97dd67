"""The Ray auth token of a token-auth RayCluster (``authOptions.mode: token``), for dashboard calls.

RayJob and RayService both talk to their cluster's dashboard with the ``x-ray-authorization``
header. Secrets are cached without their data (see ``controllers/caches.py``), so the token is
read with one GET per cluster (by uid) and remembered.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from ray_operator.builders import names
from ray_operator.framework import k8s
from ray_operator.framework.controller import RetryLater


class AuthTokens:
    """Tokens by (namespace, cluster, uid); a recreated cluster (new uid) is read again."""

    def __init__(self, kube: k8s.KubeClient) -> None:
        self.kube = kube
        self._tokens: dict[tuple[str, str, str], str] = {}

    async def for_cluster(self, cluster: Mapping[str, Any]) -> str | None:
        """The token, or ``None`` for a cluster without token auth; RetryLater until the Secret exists."""
        options = (cluster.get("spec") or {}).get("authOptions") or {}
        if options.get("mode") != "token":
            return None
        meta = cluster.get("metadata") or {}
        key = (str(meta.get("namespace") or ""), str(meta.get("name") or ""), str(meta.get("uid") or ""))
        if key in self._tokens:
            return self._tokens[key]
        secret_name = names.auth_secret_name(key[1], options.get("secretName"))
        secret = await self.kube.get_or_none(k8s.SECRETS, secret_name, key[0])
        encoded = ((secret or {}).get("data") or {}).get("auth_token")
        if not encoded:
            raise RetryLater(f"the auth token Secret {key[0]}/{secret_name} is not there yet")
        token = base64.b64decode(encoded).decode()
        self._tokens[key] = token
        return token

    def forget(self, namespace: str, owner: str) -> None:
        """Drop the tokens of clusters named after a deleted owner (``<owner>-<suffix>``)."""
        for key in [k for k in self._tokens if k[0] == namespace and names.named_after(owner, k[1])]:
            self._tokens.pop(key, None)
