#!/usr/bin/env bash
# End-to-end run on kind with real Ray: build the operator image, create a kind cluster, load the
# image, install the chart, then run a RayCluster, a RayJob and a RayService (rayproject/ray images)
# to success. Needs docker, kind, kubectl and helm on PATH and internet access (Ray images, the
# RayService example's working_dir). Run from anywhere: `make e2e-kind` or hack/kind/e2e.sh.
#
# Environment:
#   CLUSTER_NAME   kind cluster name                          (default ray-operator-e2e)
#   KEEP_CLUSTER   1: keep the cluster afterwards             (default 0: delete it, even on failure)
#   INSTALL_MODE   cluster: a ClusterRole, all namespaces     (default cluster)
#                  single: singleNamespaceInstall=true watching only "e2e": Roles, no
#                  cluster-scoped RBAC (the examples always run in namespace "e2e")
#   IMAGE          operator image to build and load           (default ray-operator:e2e)
#   RAY_TIMEOUT    seconds allowed for each Ray example        (default 900: the first pull of the
#                  Ray image is several GiB)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_NAME="${CLUSTER_NAME:-ray-operator-e2e}"
KEEP_CLUSTER="${KEEP_CLUSTER:-0}"
INSTALL_MODE="${INSTALL_MODE:-cluster}"
IMAGE="${IMAGE:-ray-operator:e2e}"
RAY_TIMEOUT="${RAY_TIMEOUT:-900}"
RELEASE_NAMESPACE="ray-system"
CONTEXT="kind-${CLUSTER_NAME}"

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'e2e: %s\n' "$*" >&2; exit 1; }
kc() { kubectl --context "${CONTEXT}" "$@"; }

for tool in docker kind kubectl helm; do
  command -v "${tool}" >/dev/null 2>&1 || die "${tool} is not on PATH (this run needs docker, kind, kubectl and helm)"
done
docker info >/dev/null 2>&1 || die "docker does not answer (is the daemon running, may this user use it?)"
[[ "${INSTALL_MODE}" == cluster || "${INSTALL_MODE}" == single ]] ||
  die "INSTALL_MODE must be cluster or single, not '${INSTALL_MODE}'"
# Ray's example Pods do not pass Pod Security "restricted" (the operator's namespace enforces it).
EXAMPLES_NAMESPACE="e2e"

cleanup() {
  local rc=$?
  if [[ ${rc} -ne 0 ]] && kind get clusters 2>/dev/null | grep -qx "${CLUSTER_NAME}"; then
    log "failed (exit ${rc}); operator logs and Ray objects"
    kc -n "${RELEASE_NAMESPACE}" logs deployment/ray-operator --tail=200 || true
    kc get rayclusters,rayjobs,rayservices,pods -A -o wide || true
  fi
  if [[ "${KEEP_CLUSTER}" == "1" ]]; then
    log "keeping kind cluster ${CLUSTER_NAME} (kind delete cluster --name ${CLUSTER_NAME})"
  else
    kind delete cluster --name "${CLUSTER_NAME}" >/dev/null 2>&1 || true
  fi
  exit "${rc}"
}
trap cleanup EXIT

# wait_for KIND NAME JSONPATH WANT [FAIL...]: poll until the field equals WANT; a FAIL value ends it.
wait_for() {
  local kind="$1" name="$2" path="$3" want="$4"
  shift 4
  local deadline=$((SECONDS + RAY_TIMEOUT)) value="" bad
  while ((SECONDS < deadline)); do
    value="$(kc -n "${EXAMPLES_NAMESPACE}" get "${kind}" "${name}" -o "jsonpath=${path}" 2>/dev/null || true)"
    if [[ "${value}" == "${want}" ]]; then
      printf '%s/%s %s = %s\n' "${kind}" "${name}" "${path}" "${value}" >&2
      return 0
    fi
    for bad in "$@"; do
      if [[ "${value}" == "${bad}" ]]; then
        kc -n "${EXAMPLES_NAMESPACE}" get "${kind}" "${name}" -o yaml >&2 || true
        die "${kind}/${name}: ${path} is ${value}"
      fi
    done
    sleep 5
  done
  kc -n "${EXAMPLES_NAMESPACE}" get "${kind}" "${name}" -o yaml >&2 || true
  die "${kind}/${name}: ${path} is '${value}' after ${RAY_TIMEOUT}s, wanted ${want}"
}

log "building ${IMAGE}"
docker build -t "${IMAGE}" "${ROOT}"

log "creating kind cluster ${CLUSTER_NAME}"
kind delete cluster --name "${CLUSTER_NAME}" >/dev/null 2>&1 || true
kind create cluster --name "${CLUSTER_NAME}" --config "${ROOT}/hack/kind/kind-config.yaml" --wait 120s
kind load docker-image "${IMAGE}" --name "${CLUSTER_NAME}"

log "installing the chart (${INSTALL_MODE} mode)"
kc create namespace "${RELEASE_NAMESPACE}"
# Pod Security "restricted" on the operator's namespace: the chart's defaults must pass it.
kc label namespace "${RELEASE_NAMESPACE}" pod-security.kubernetes.io/enforce=restricted
# CRDs as the README's upgrade path installs them (server-side apply), then the chart without them.
kc apply --server-side -f "${ROOT}/crds/"
kc wait --for=condition=Established crd --all --timeout=60s
helm_args=(--kube-context "${CONTEXT}" --namespace "${RELEASE_NAMESPACE}" --skip-crds
  --set fullnameOverride=ray-operator
  --set "image.repository=${IMAGE%:*}" --set "image.tag=${IMAGE##*:}" --set image.pullPolicy=Never)
kc create namespace "${EXAMPLES_NAMESPACE}"
if [[ "${INSTALL_MODE}" == "single" ]]; then
  helm_args+=(--set singleNamespaceInstall=true --set "watchNamespace={${EXAMPLES_NAMESPACE}}")
fi
helm install ray-operator "${ROOT}/charts/ray-operator" "${helm_args[@]}" --wait --timeout 180s
if [[ "${INSTALL_MODE}" == "single" ]]; then
  [[ -z "$(kc get clusterroles,clusterrolebindings -l app.kubernetes.io/instance=ray-operator -o name)" ]] ||
    die "singleNamespaceInstall=true created cluster-scoped RBAC"
fi

log "upgrade path: CRDs again server-side, helm upgrade with leader election"
kc apply --server-side -f "${ROOT}/crds/"
helm upgrade ray-operator "${ROOT}/charts/ray-operator" "${helm_args[@]}" --reuse-values \
  --set leaderElectionEnabled=true --wait --timeout 180s
kc -n "${RELEASE_NAMESPACE}" rollout status deployment/ray-operator --timeout=180s

log "RayCluster (examples/raycluster-basic.yaml)"
kc -n "${EXAMPLES_NAMESPACE}" apply -f "${ROOT}/examples/raycluster-basic.yaml"
wait_for raycluster raycluster-basic '{.status.state}' ready failed
kc -n "${EXAMPLES_NAMESPACE}" delete raycluster raycluster-basic --wait=true --timeout=300s

log "RayJob (examples/rayjob-k8sjobmode.yaml)"
kc -n "${EXAMPLES_NAMESPACE}" apply -f "${ROOT}/examples/rayjob-k8sjobmode.yaml"
wait_for rayjob rayjob-k8sjob '{.status.jobDeploymentStatus}' Complete Failed ValidationFailed
wait_for rayjob rayjob-k8sjob '{.status.jobStatus}' SUCCEEDED FAILED STOPPED
kc -n "${EXAMPLES_NAMESPACE}" delete rayjob rayjob-k8sjob --wait=true --timeout=300s

log "RayService (examples/rayservice.yaml)"
kc -n "${EXAMPLES_NAMESPACE}" apply -f "${ROOT}/examples/rayservice.yaml"
wait_for rayservice rayservice-fruit '{.status.conditions[?(@.type=="Ready")].status}' True
wait_for rayservice rayservice-fruit '{.status.serviceStatus}' Running
# A request through the Serve Service from inside the cluster: the app really answers.
answer="$(kc -n "${EXAMPLES_NAMESPACE}" run fruit-client --rm -i --restart=Never --image=curlimages/curl:8.11.1 \
  --command -- curl -sf -w '\n' -X POST -H 'Content-Type: application/json' \
  -d '["MANGO", 2]' "http://rayservice-fruit-serve-svc:8000/fruit/")" || die "the fruit app did not answer"
printf 'fruit app: %s\n' "${answer}" >&2
grep -qx 6 <<<"${answer}" || die "the fruit app answered '${answer}', not 6 for two mangos"
kc -n "${EXAMPLES_NAMESPACE}" delete rayservice rayservice-fruit --wait=true --timeout=300s

log "e2e passed: RayCluster ready, RayJob SUCCEEDED, RayService serving (${INSTALL_MODE} mode)"
