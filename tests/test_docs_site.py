"""The documentation site: built with warnings as errors, every internal link and anchor of the
built pages resolves, and a real browser finds a rule through the site's search.

``nox -s docs`` builds the site and points ``MOTO_FIREHOSE_SSE_DOCS_SITE`` at it. Without that
variable the site is built here when mkdocs is installed, and the tests skip when it isn't (the
default test environments don't install the documentation tools). The browser test drives
headless Chromium through Selenium and skips where either is missing (Debian: ``apt-get install
chromium chromium-driver``). ``MOTO_FIREHOSE_SSE_DOCS_SCREENSHOTS=DIR`` saves what it saw.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE_VARIABLE = "MOTO_FIREHOSE_SSE_DOCS_SITE"
SCREENSHOTS_VARIABLE = "MOTO_FIREHOSE_SSE_DOCS_SCREENSHOTS"
RULES = [str(n) for n in range(1, 49)] + ["25b"]
RULE_RESULT = re.compile(r"/reference/rules/(\?[^#]*)?#rule-\w+$")

# The text of a heading's section: its siblings up to the next heading of level 1 to 3.
SECTION_TEXT = """
let node = document.getElementById(arguments[0]).nextElementSibling, text = "";
while (node && !/^H[1-3]$/.test(node.tagName)) { text += node.innerText + "\\n"; node = node.nextElementSibling; }
return text;
"""

pytestmark = pytest.mark.skipif(
    "MUTANT_UNDER_TEST" in os.environ,
    reason="the documentation is not built under mutation testing",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built site: the one nox built, or one built here with ``mkdocs build --strict``."""
    given = os.environ.get(SITE_VARIABLE)
    if given:
        path = Path(given)
        assert (path / "index.html").is_file(), f"{SITE_VARIABLE}={given} holds no built site"
        return path
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: `nox -s docs` builds the site")
    pytest.importorskip("material", reason="mkdocs-material is not installed: `nox -s docs`")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed: `nox -s docs`")
    path = tmp_path_factory.mktemp("docs") / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return path


class _Page(HTMLParser):
    """The ids of one page and the links it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name"):
                self.ids.add(value)
            elif (name == "href" and tag in ("a", "link")) or (
                name == "src" and tag in ("img", "script")
            ):
                self.links.append(value)


@functools.cache
def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _target(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    """The file and fragment an internal link points at; None for an external one."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    target = (page.parent / unquote(parts.path)).resolve()
    if target.is_dir() or parts.path.endswith("/"):
        target = target / "index.html"
    return target, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    # 404.html is served for any path, so it links from the site's root: not checked here.
    pages = sorted(page for page in site.rglob("*.html") if page.name != "404.html")
    assert len(pages) >= 25
    broken = []
    checked = 0
    for page in pages:
        for link in _parse(page).links:
            target = _target(site, page, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            if not path.is_file() or site.resolve() not in path.parents:
                broken.append(f"{page.relative_to(site)}: {link} (no file)")
            elif fragment and path.suffix == ".html" and fragment not in _parse(path).ids:
                broken.append(f"{page.relative_to(site)}: {link} (no anchor)")
    assert broken == []
    assert checked > 1000


def test_every_rule_has_its_anchor(site: Path) -> None:
    ids = _parse(site / "reference" / "rules" / "index.html").ids
    assert [rule for rule in RULES if f"rule-{rule}" not in ids] == []


def test_the_api_reference_is_generated_from_the_docstrings(site: Path) -> None:
    text = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for docstring in (
        "The controller of the innermost active",  # get_controller
        "Make the next encryption enable",  # FirehoseSSE.fail_next_enable
        "moto's server with the Firehose SSE rules, in a daemon thread",  # the threaded server
    ):
        assert docstring in text


def _browser() -> tuple[str, str] | None:
    """The Chromium and chromedriver executables, when both are installed."""
    chromium = next(
        (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))),
        None,
    )
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


@pytest.fixture
def served(site: Path) -> Iterator[str]:
    """The site over HTTP on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_browser_follows_the_navigation_and_finds_a_rule_by_search(served: str) -> None:
    executables = _browser()
    if executables is None:
        pytest.skip(
            "no Chromium with chromedriver here (Debian: apt-get install chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    chromium, chromedriver = executables
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(argument)
    browser = webdriver.Chrome(options=options, service=webdriver.ChromeService(chromedriver))
    screenshots = os.environ.get(SCREENSHOTS_VARIABLE)
    try:
        wait = WebDriverWait(browser, 30)
        browser.get(served)
        assert browser.title.startswith("moto-firehose-sse")
        assert "behaves in your unit tests" in browser.find_element(By.TAG_NAME, "article").text
        if screenshots:
            browser.save_screenshot(str(Path(screenshots) / "home.png"))

        # The navigation: the sidebar's link to the rules page.
        link = wait.until(
            expected_conditions.element_to_be_clickable(
                (By.CSS_SELECTOR, "nav.md-nav--primary a[href$='reference/rules/']")
            )
        )
        link.click()
        wait.until(expected_conditions.url_contains("/reference/rules/"))
        heading = browser.find_element(By.ID, "rule-18")
        assert "exists but can't be used" in heading.text
        if screenshots:
            browser.save_screenshot(str(Path(screenshots) / "rules.png"))

        # The site's search, as a reader types it.
        browser.get(served)
        field = wait.until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input"))
        )
        field.click()
        field.send_keys("ENABLING_FAILED")
        results = wait.until(
            lambda driver: (
                [
                    a.get_attribute("href") or ""
                    for a in driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")
                ]
                or False
            )
        )
        rules = [href for href in results if RULE_RESULT.search(href)]
        assert rules, results
        if screenshots:
            browser.save_screenshot(str(Path(screenshots) / "search.png"))

        # The result leads to the rule, whose text names the status.
        browser.find_element(
            By.CSS_SELECTOR, f".md-search-result__item a[href='{rules[0]}']"
        ).send_keys(Keys.ENTER)
        wait.until(expected_conditions.url_contains("#rule-"))
        anchor = browser.current_url.rsplit("#", 1)[1]
        assert anchor in {f"rule-{rule}" for rule in RULES}
        text = browser.execute_script(SECTION_TEXT, anchor)
        assert "ENABLING_FAILED" in text, (anchor, text)
    finally:
        browser.quit()
