# frugal.stack: `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
REQS_STAMP := $(VENV)/.requirements-$(shell sha256sum requirements.txt | cut -c1-12)

.PHONY: help venv prepare test lint unit sanity molecule demo demo-down bench-harness bench-firewall bench-web bench-sqlite bench-postgres bench-redis bench-tier ee-context ee clean

help:
	@echo "make demo           deploy inventories/demo into local containers and say where it answers"
	@echo "make test           everything: lint, sanity, unit tests, every Molecule scenario (stage timings at the end)"
	@echo "make bench-harness  time the base role's no-op rerun on a converged host"
	@echo "make bench-firewall time Cloudflare range refreshes and count requests dropped during swaps"
	@echo "make bench-web      wrk against the app server directly and through nginx (requests/s, p99)"
	@echo "make bench-postgres pgbench TPS with the role's settings vs Debian's defaults, replay lag under load, seconds to promote"
	@echo "make bench-redis    redis-benchmark SET/GET ops/s; seconds from killing the Redis master to a write and to a Celery task"
	@echo "make bench-sqlite   1 GB SQLite snapshot+upload under writes (seconds, worst writer stall); Litestream recovery point"
	@echo "make bench-tier     single tier: seconds from bare containers to serving, no-op reruns, tasks and seconds per role"
	@echo "make demo-down      remove the demo containers"
	@echo "make ee-context     the AWX execution environment's build context in .cache/ee/context"
	@echo "make ee             build that execution environment (needs a container engine and its registries)"

venv: $(REQS_STAMP)

$(REQS_STAMP): requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.requirements-*
	@touch $@

prepare:
	$(PYTHON) tools/harness.py prepare

test:
	tools/test.sh

lint:
	tools/test.sh yamllint ansible-lint ruff

unit:
	tools/test.sh unit

sanity:
	tools/test.sh sanity

molecule:
	tools/test.sh $(addprefix molecule:,$(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

demo: prepare venv
	$(VENV)/bin/ansible-playbook tools/demo_hosts.yml -i inventories/demo
	$(VENV)/bin/ansible-playbook site.yml -i inventories/demo $(DEMO_ARGS)
	$(VENV)/bin/ansible-playbook tools/demo_report.yml -i inventories/demo

demo-down: venv
	$(VENV)/bin/ansible-playbook tools/demo_hosts.yml -i inventories/demo -e demo_state=absent

bench-harness: prepare venv
	tools/bench_harness.sh

bench-firewall: prepare venv
	tools/bench_firewall.sh

bench-web: prepare venv
	tools/bench_web.sh

bench-sqlite: venv
	tools/bench_sqlite.sh

bench-postgres: prepare venv
	tools/bench_postgres.sh

bench-redis: prepare venv
	tools/bench_redis.sh

bench-tier: prepare venv
	tools/bench_tier.sh

ee-context: venv
	rm -rf .cache/ee
	$(VENV)/bin/ansible-galaxy collection build --output-path .cache/ee/dist .
	$(VENV)/bin/ansible-builder create -f execution-environment.yml -c .cache/ee/context

ee: ee-context
	$(VENV)/bin/ansible-builder build -f execution-environment.yml -c .cache/ee/context \
	  -t frugal-stack-ee:$(shell sed -n 's/^version: //p' galaxy.yml)

clean:
	rm -rf .cache tests/output frugal-stack-*.tar.gz
