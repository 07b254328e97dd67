# ray-operator: two commands matter, `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
EXAMPLE ?= examples/raycluster-basic.yaml

.PHONY: help install toolchain lint format crds crds-check test unit integration run cluster-up cluster-down bench clean e2e-kind

help:
	@echo "make run          local control plane + CRDs + operator + $(EXAMPLE) (Ctrl-C stops all)"
	@echo "                  RAY_HEAD=1: also a real Ray head on 127.0.0.1 that runs the RayJobs, e.g."
	@echo "                  make run RAY_HEAD=1 EXAMPLE=examples/rayjob-httpmode.yaml"
	@echo "make test         lint, type-check and every test (installs what is missing)"
	@echo "make install      virtualenv .venv with the project and its test extras"
	@echo "make toolchain    build/find kube-apiserver, etcd, kwok... (cached in ~/.cache/ray-operator)"
	@echo "make cluster-up   start a background control plane; prints the KUBECONFIG export line"
	@echo "make cluster-down stop it"
	@echo "make crds         regenerate crds/*.yaml from the models"
	@echo "make lint         ruff + mypy"
	@echo "make bench        benchmarks (see bench/README.md)"
	@echo "make e2e-kind     docker + kind: build the image, install the chart, run real Ray examples"
	@echo "                  (INSTALL_MODE=single, KEEP_CLUSTER=1; see hack/kind/e2e.sh)"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

install: $(STAMP)

toolchain: install
	$(PY) -m ray_operator.localcluster build --all

lint: install
	$(VENV)/bin/ruff check operator tests bench
	$(VENV)/bin/ruff format --check operator tests bench
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff format operator tests bench
	$(VENV)/bin/ruff check --fix operator tests bench

crds: install
	$(PY) -m ray_operator.models.crdgen --out crds/
	cp crds/*.yaml charts/ray-operator/crds/

crds-check: install
	$(PY) -m ray_operator.models.crdgen --out crds/ --check

unit: install
	$(VENV)/bin/pytest -q tests/unit

# Tests run in a network namespace with only loopback: the real Ray head they start must not
# reach (or advertise) the host's interfaces. Installs and toolchain builds happen before, outside.
integration: install toolchain
	scripts/loopback-only $(VENV)/bin/pytest -q tests/integration

test: install toolchain lint
	scripts/loopback-only $(VENV)/bin/pytest -q -ra tests

run: install toolchain
	$(PY) -m ray_operator.localcluster run --example $(EXAMPLE)$(if $(filter-out 0 false no,$(RAY_HEAD)), --ray-head)

cluster-up: install toolchain
	@$(PY) -m ray_operator.localcluster up

cluster-down: install
	@$(PY) -m ray_operator.localcluster down

bench: install toolchain
	$(PY) -m bench

# Needs docker, kind, kubectl and helm on PATH; uses none of the local toolchain.
e2e-kind:
	hack/kind/e2e.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
