# The course's commands. `make lab` to learn, `make test` to check everything, offline.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Tests build their own shelf inside the checkout, so a run never depends on
# (or disturbs) the learner's per-user shelf.
TEST_SHELF ?= $(CURDIR)/build/test-shelf
# The course sets the Hub's offline flags itself (course_utils.modes), before transformers loads.
OFFLINE := COURSE_MODE=offline
JOBS ?= 2

.PHONY: help install lab shelf test unit notebooks release release-check strip doctor lock clean
.PHONY: book browser test-book classroom classroom-install
# The website runs every lesson offline unless told otherwise (make book BOOK_MODE=hub, with internet).
BOOK_MODE ?= offline
# Where the lesson pages' "Open in Colab" and "Launch Binder" links point, e.g.
# make book REPO_URL=https://github.com/OWNER/REPO (BRANCH defaults to main). Unset: [tool.course] in pyproject.toml,
# which is also where the student notebooks install the course from; with neither, the pages have no such links.
REPO_URL ?=
BRANCH ?=

help:
	@echo "make lab      set up (venv, models, workspace) and open JupyterLab"
	@echo "make test     set up, then run every test offline"
	@echo "make shelf    build the offline stand-in models"
	@echo "make doctor   check the installation"
	@echo "make release  regenerate lessons/ from solutions/"
	@echo "make book     build the website into book/_build/html (REPO_URL=... adds Colab and Binder links)"
	@echo "make classroom  (as root) install the course for a class and start its JupyterHub"

# Tested on 3.11 (CI and Debian 12's 3.11.2); the lock also resolves for 3.12 and 3.13 (tests/test_lock.py).
$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if (3, 11) <= v[:2] <= (3, 13) else f"The course needs Python 3.11, 3.12 or 3.13 and $(PYTHON) is {v.major}.{v.minor}: install one and run make PYTHON=python3.11 (or python3.12, python3.13).")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install -r requirements.lock
	$(BIN)/python -m pip install --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

shelf: install
	$(BIN)/course shelf build --jobs $(JOBS)

# Extra arguments for `course lab`, e.g. make lab LAB_ARGS="--port 9999 --no-browser".
LAB_ARGS ?=

lab: install
	$(BIN)/course lab $(LAB_ARGS)

doctor: install
	$(BIN)/course doctor

release: install
	$(BIN)/course release

release-check: install
	$(BIN)/course release --check

strip: install
	$(BIN)/nbstripout solutions/*.ipynb lessons/*.ipynb

test: install browser
	$(OFFLINE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/course shelf build --jobs $(JOBS)
	# Each notebook runs once: nbval runs the student copies (unanswered exercises must not stop them);
	# the book build in tests/test_book.py runs every master and checks that its solutions pass.
	$(OFFLINE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/pytest -n $(JOBS) --dist loadscope \
		--nbval-lax --nbval-cell-timeout=300 -p no:cacheprovider tests lessons

book: install
	if [ "$(BOOK_MODE)" != hub ]; then COURSE_MODE=offline COURSE_SHELF=$(TEST_SHELF) $(BIN)/course shelf build; fi
	COURSE_MODE=$(BOOK_MODE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/course book \
		$(if $(REPO_URL),--repository "$(REPO_URL)") $(if $(BRANCH),--branch "$(BRANCH)")

# The browser test drives Debian's chromium (Playwright's own browser download is never used). Installing it needs
# root; an ordinary account without it gets one line, and the browser tests skip saying why.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the website test"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "chromium is not installed and installing it needs root: the website's browser tests will be skipped (sudo apt-get install chromium to run them)"; \
	  fi; \
	fi

# A class on this server (see the teacher's guide): the course installed where every learner can read it, on the
# machine's own Python, then its JupyterHub on 127.0.0.1:8000. Needs root; CLASS_TEACHER owns the shelf (default: the
# account that ran sudo); CLASS_ARGS adds options, e.g. CLASS_ARGS="--shelf-from build/test-shelf".
CLASS_PREFIX ?= /srv/transformers-course
CLASS_PYTHON ?= /usr/bin/python3
CLASS_TEACHER ?=
CLASS_ARGS ?=

classroom-install: install
	$(BIN)/course classroom install --prefix $(CLASS_PREFIX) --python $(CLASS_PYTHON) \
		$(if $(CLASS_TEACHER),--teacher $(CLASS_TEACHER)) $(CLASS_ARGS)

classroom: classroom-install
	$(CLASS_PREFIX)/venv/bin/course classroom start --prefix $(CLASS_PREFIX)

# Builds the website (running every lesson page) and opens it in headless chromium.
test-book: install browser
	$(OFFLINE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/course shelf build
	$(OFFLINE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/pytest -p no:cacheprovider tests/test_book.py

unit: install browser
	$(OFFLINE) COURSE_SHELF=$(TEST_SHELF) $(BIN)/pytest -n $(JOBS) tests

lock: install
	{ echo "# Every package the course installs, transitive ones included, at the exact version tested."; \
	  echo "# Regenerate after changing pyproject.toml: make lock"; \
	  $(BIN)/python -m pip freeze --all --exclude-editable | grep -v '^pip==' | sed 's/+cpu$$//'; } > requirements.lock

clean:
	rm -rf build $(VENV) *.egg-info book/_build book/_generated
