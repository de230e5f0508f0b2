# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
NHSUK_FRONTEND_VERSION := 10.6.1
VENDOR := config/static/nhsuk-frontend

.PHONY: run test lint format install install-test install-contract reference-data check-deploy vendor-frontend benchmark clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"

install-contract: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,contract]"

reference-data: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo --with-progress

run: reference-data
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-deploy: install
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-value-for-django ALLOWED_HOSTS=tracker.example.nhs.uk \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

# Refreshes the vendored NHS.UK frontend from the npm registry (needs npm; running the app does not).
vendor-frontend:
	rm -rf /tmp/nhsuk-frontend-pack && mkdir -p /tmp/nhsuk-frontend-pack
	cd /tmp/nhsuk-frontend-pack && npm pack --silent nhsuk-frontend@$(NHSUK_FRONTEND_VERSION) && tar xzf nhsuk-frontend-$(NHSUK_FRONTEND_VERSION).tgz
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp /tmp/nhsuk-frontend-pack/package/dist/nhsuk/nhsuk-frontend.min.js* $(VENDOR)/
	cp /tmp/nhsuk-frontend-pack/package/dist/nhsuk/nhsuk-frontend.min.css.map $(VENDOR)/
	cp -r /tmp/nhsuk-frontend-pack/package/dist/nhsuk/assets $(VENDOR)/
	# The stylesheet points at /assets/; make it relative so it works under STATIC_URL.
	sed 's#url(/assets/#url(assets/#g' /tmp/nhsuk-frontend-pack/package/dist/nhsuk/nhsuk-frontend.min.css > $(VENDOR)/nhsuk-frontend.min.css
	echo "$(NHSUK_FRONTEND_VERSION)" > $(VENDOR)/VERSION
	cp config/NHSUK-FRONTEND-LICENSE.txt $(VENDOR)/LICENSE.txt

benchmark: install-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles media .pytest_cache
