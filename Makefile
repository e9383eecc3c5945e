# Set-up and everyday commands. Each target creates or reuses a virtual
# environment in .venv, installs the project into it, and installs the system
# programs it needs (Graphviz; Chromium for the browser tests; TeX Live and poppler for the tests of the
# LaTeX exports; Node.js and npm for the playground) where it can.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev

.PHONY: demo lessons gallery classroom export-pictures test lint format bench system-deps clean notebooks notebooks-executed \
	notebook-screenshots docs docs-serve docs-screenshots torch frameworks gradient-corpus playground node-modules \
	playground-screenshots

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev,docs]'
	@touch $(STAMP)

# Optional: PyTorch for the tests that compare against it (skipped without it).
# CI sets WITH_TORCH=1; torch is never a dependency of the package.
torch: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check torch==2.13.0

# Optional: JAX and scipy for check_gradient on JAX arrays and the gradient corpus's comparison with
# jax.test_util.check_grads and scipy.optimize.check_grad. CI sets WITH_JAX=1.
frameworks: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check 'jax[cpu]==0.10.2' scipy==1.17.1

system-deps:
	@sh scripts/system-deps.sh graphviz

demo: $(STAMP) system-deps
	$(PY) -m course.demo

# The lessons of backpropagation: their numbers, and their figures in docs/lessons (docs/explanation/lessons.md shows them).
lessons: $(STAMP)
	$(PY) -m course.lessons all --out docs/lessons

# The checks of the code (make lint), then every test, on every core (pytest-xdist; a test file stays on one
# worker). PYTEST_ARGS replaces that: make test PYTEST_ARGS="-x tests/nn".
PYTEST_ARGS ?= -n auto --dist loadfile
test: $(STAMP) node-modules
	@sh scripts/system-deps.sh graphviz chromium latex poppler
	@if [ "$(WITH_TORCH)" = 1 ]; then $(MAKE) --no-print-directory torch; fi
	@if [ "$(WITH_JAX)" = 1 ]; then $(MAKE) --no-print-directory frameworks; fi
	@$(MAKE) --no-print-directory lint
	$(PY) -m pytest $(PYTEST_ARGS)

# The checks of the code itself: ruff's lint and format check, mypy (strict on autograd_core), the import
# rules (import-linter's contracts in pyproject.toml), and no `noqa` or `type: ignore` without its reason on the
# line. Every check runs; the target fails if any failed.
lint: $(STAMP)
	@status=0; \
	echo "== ruff check"; $(VENV)/bin/ruff check --output-format concise . || status=1; \
	echo "== ruff format --check"; $(VENV)/bin/ruff format --check --output-format concise . || status=1; \
	echo "== mypy"; $(VENV)/bin/mypy || status=1; \
	echo "== lint-imports"; $(VENV)/bin/lint-imports || status=1; \
	echo "== noqa and type: ignore with their reasons"; sh scripts/check-suppressions.sh || status=1; \
	exit $$status

# Apply the formatter and ruff's safe fixes (then `make lint` lists what is left to fix by hand).
format: $(STAMP)
	@sh scripts/lint-fix.sh $(VENV)/bin/ruff

# The comparison of gradient checkers on tests/gradient_corpus.py, written into docs/how-to/check-any-gradient.md.
gradient-corpus: $(STAMP)
	$(PY) scripts/gradient_corpus_table.py

# The benchmark; it rewrites the site's performance page (docs/explanation/performance.md), which is committed.
bench: $(STAMP)
	$(PY) benchmarks/bench.py --page docs/explanation/performance.md

# The teaching notebooks in JupyterLab, from this virtual environment (the widgets need no extension).
# As root (a container), JupyterLab refuses to start without --allow-root.
notebooks: $(STAMP) system-deps
	$(VENV)/bin/jupyter lab notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# Run every notebook and save it with its outputs (the tests fail when the saved outputs are out of date).
notebooks-executed: $(STAMP) system-deps
	$(PY) scripts/run_notebooks.py --write

# The docs' drawings and the player's screenshot (a development tool: scripts/ is not installed).
gallery: $(STAMP)
	@sh scripts/system-deps.sh graphviz chromium
	$(PY) scripts/gallery.py docs --screenshot

# The classroom's screenshots (docs/how-to/teach-on-a-projector.md): the player, the exercise and the explorer
# at 1280x800 and 1920x1080, in docs/images.
classroom: $(STAMP)
	@sh scripts/system-deps.sh graphviz chromium
	$(PY) scripts/classroom.py docs/images

# The exports page's pictures: a frame of viz.animate's GIF and a page of viz.write_slides's PDF (pdflatex, pdftoppm).
export-pictures: $(STAMP)
	@sh scripts/system-deps.sh graphviz latex poppler
	$(PY) scripts/export_pictures.py docs/images

# The docs' screenshots of the widgets, taken by the JupyterLab browser test.
notebook-screenshots: $(STAMP)
	@sh scripts/system-deps.sh graphviz chromium
	AUTOGRAD_SCREENSHOTS=docs $(PY) -m pytest -q tests/notebooks/test_widgets_in_jupyterlab.py

# The playground's JavaScript packages (package.json, pinned in package-lock.json): Pyodide and the WebAssembly
# Graphviz. The playground's tests build the page from them.
node-modules:
	@sh scripts/system-deps.sh node
	npm ci --no-audit --no-fund --loglevel=error

# The playground: a static page running this project in the browser (Pyodide), written to site/playground (not
# committed). Serve it from anywhere: python -m http.server -d site/playground. `make docs` builds it too.
playground: $(STAMP) node-modules
	$(PY) scripts/build_playground.py site/playground

# The docs' screenshots of the playground (docs/images/playground-*.png) and its measured times.
playground-screenshots: playground
	@sh scripts/system-deps.sh chromium
	$(PY) benchmarks/playground.py --site site/playground --screenshots docs/images

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis demo-output site node_modules

# The documentation site (mkdocs.yml) built into site/, strictly: a warning, a broken link, a missing page or a
# public name without a docstring fails it. The build hooks (scripts/docs_hooks.py) write the live players, so
# Graphviz is needed. `python -m` puts this checkout first on sys.path. The tests run the same build
# (tests/docs/conftest.py).
DOCS_ENV := NO_MKDOCS_2_WARNING=1
# The playground goes next to the manual, in site/playground (after mkdocs, which empties site/ first).
docs: $(STAMP) system-deps node-modules
	$(DOCS_ENV) $(PY) -m mkdocs build --strict --site-dir site
	$(PY) scripts/build_playground.py site/playground

# The site served on localhost, rebuilt as pages change.
docs-serve: $(STAMP) system-deps
	$(DOCS_ENV) $(PY) -m mkdocs serve

# docs/images/site-*.png: the home page, a tutorial and the player's page at 1280x800 and 1920x1080.
docs-screenshots: docs
	@sh scripts/system-deps.sh chromium
	$(PY) scripts/site_screenshots.py site docs/images
