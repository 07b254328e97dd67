"""ray-operator: a Kubernetes operator for Ray, compatible with KubeRay's ray.io/v1 API."""

__version__ = "0.1.0"
