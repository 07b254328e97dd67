"""Pure functions turning a RayCluster model into the manifests KubeRay would create.

No I/O, no kopf, no clocks: the reconcilers decide *when* to create or update objects, these
modules decide *what* they look like, byte-compatible with KubeRay.

* :mod:`.names` -- names, label/annotation keys, CheckName/CheckLabel, child metadata/ownerReferences
* :mod:`.features` -- cluster feature switches (autoscaling, GCS FT, auth, TLS, history collector)
* :mod:`.containers` -- env var, mount, volume and resource helpers on container dicts
* :mod:`.raystart` -- ``ray start`` flags and the Ray container command
* :mod:`.probes` -- liveness/readiness probes by Ray version
* :mod:`.pods` -- head and worker Pods (and the Pod-health predicate)
* :mod:`.autoscaler` -- autoscaler sidecar, ServiceAccount/Role/RoleBinding
* :mod:`.services` -- head, serve and headless worker Services
* :mod:`.ingress` -- dashboard Ingress
* :mod:`.gcs_ft` -- Redis cleanup Job, RocksDB storage PVC
* :mod:`.auth` -- the auth-token Secret
* :mod:`.desired` -- desired replicas per group and the status totals
* :mod:`.hashing`, :mod:`.gojson`, :mod:`.gostructs` -- KubeRay's spec hash (Go ``json.Marshal``)
"""
