# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run worker test browser-test install lint typecheck migrate messages screenshots clean bench-data bench bench-smoke cluster

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Runs queued tasks; only useful with `TASKS_BACKEND=database make run` (dev runs tasks in-process otherwise).
worker: migrate
	TASKS_BACKEND=database $(BIN)/python manage.py db_worker

# The whole suite but the browser tests (SQLite by default; DATABASE_URL picks another database).
test: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

browser-test: install
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# mypy with django-stubs over staff/, courses/ and training_site/ (configured in pyproject.toml).
typecheck: install
	$(BIN)/mypy

# Needs GNU gettext; the compiled catalog is committed so that nobody else does. Translations of new
# strings may wait in locale/fragments/*.po (one per piece of work, so that parallel work never edits the
# same catalog); they are merged into locale/vi on the way.
messages: install
	$(BIN)/python manage.py makemessages -l vi --ignore=.venv --ignore=tests --ignore=node_modules
	$(BIN)/python locale/merge_fragments.py
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv --ignore=node_modules

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles test-artifacts

# The screenshot set of the staff screens in docs/screenshots/ (demo data in a throwaway database).
screenshots: install
	$(BIN)/python -m tests.screenshots

# City-scale benchmark (issue 12, docs/benchmarks.md). Not tests: nothing here asserts a speed.
# bench-data recreates the two databases below (never point BENCH_PG at real data): the city and a 1/10 city.
BENCH_PG ?= postgres://postgres@127.0.0.1:5432
bench-data: install
	$(BIN)/python -m tests.bench.city.data --scale 1 --database-url $(BENCH_PG)/bench_city
	$(BIN)/python -m tests.bench.city.data --scale 0.1 --database-url $(BENCH_PG)/bench_city_tenth

# Every path beside its floor, both scales, one table; raw numbers in test-artifacts/bench-city.json.
bench: install
	$(BIN)/python -m tests.bench.city.run --city $(BENCH_PG)/bench_city --tenth $(BENCH_PG)/bench_city_tenth \
		--json test-artifacts/bench-city.json --markdown test-artifacts/bench-city.md

# CI's smoke run: tiny cities, few requests; it prints the table and fails only on a crash or a wrong result.
bench-smoke: install
	$(BIN)/python -m tests.bench.city.data --scale 0.01 --database-url $(BENCH_PG)/bench_smoke
	$(BIN)/python -m tests.bench.city.data --scale 0.001 --database-url $(BENCH_PG)/bench_smoke_tenth
	$(BIN)/python -m tests.bench.city.run --quick --city $(BENCH_PG)/bench_smoke --tenth $(BENCH_PG)/bench_smoke_tenth \
		--json test-artifacts/bench-smoke.json --markdown test-artifacts/bench-smoke.md

# The city deployment rehearsed on one machine (issue 13, tests/cluster): HAProxy in front of two gunicorn app
# servers, two workers, the scheduler on both hosts, Redis, a PostgreSQL primary and its streaming replica
# (temporary clusters on free ports, removed at the end). Prints its table (test-artifacts/cluster.md) and
# fails when a step's result is wrong. Needs root or the postgres user, haproxy and PostgreSQL's binaries.
cluster: install
	$(BIN)/python -m tests.cluster --markdown test-artifacts/cluster.md
