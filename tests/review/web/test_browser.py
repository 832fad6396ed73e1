"""The dashboard in a real browser: Debian's Chromium driven by Playwright against a live ``artgate serve``.

The server runs as a user starts it (its own process, its own SQLite file in a
temporary folder, tokens made with ``artgate token create``), and the browser
is the system's ``/usr/bin/chromium``, launched by its path: nothing is
downloaded. Without that binary these tests are skipped, saying so.

Screenshots of each page are taken on the way; with ``ARTGATE_SCREENSHOTS=DIR``
they are kept in DIR (the README's come from ``ARTGATE_SCREENSHOTS=docs``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

from ..conftest import CORRECTED, ORACLE, People, free_port

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TITLE = "Which nerve root is responsible for dorsal extension of the foot?"
XSS_TITLE = "<script>alert('title')</script> \"><img src=x onerror=alert('title')>"
XSS_BODY = ("<script>alert('body')</script>\n\"><img src=x onerror=alert('body')>\n\n"
            "L5 supplies ankle dorsiflexion. Ankle dorsiflexion is supplied by L3.\n")

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason=f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y "
                                        "chromium) to run the browser tests")]


def cli(folder: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "flows.cli", *args], cwd=folder, env=env, capture_output=True,
                       timeout=180)
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    return r.stdout.decode().strip()


class Live:
    """``artgate serve`` on a free port with a fresh store, the cast's tokens, and articles submitted over HTTP."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.url = f"sqlite:///{folder / 'store.db'}"
        self.runs = folder / "runs"
        self.tokens = {name: cli(folder, "token", "create", "--role", role, "--name", name, "--database-url",
                                 self.url)
                       for name, role in (("alice", "author"), ("rob", "reviewer"), ("rita", "reviewer"))}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = (folder / "serve.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "serve", "--port", str(self.port), "--database-url", self.url,
             "--runs-dir", str(self.runs)], cwd=folder, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=self.log, start_new_session=True)
        self.ids: dict[str, int] = {}

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("artgate serve exited: " + (self.folder / "serve.log").read_text()[-3000:])
            try:
                if httpx.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("artgate serve did not become healthy")

    def submit(self, key: str, external_id: str, body: str, title: str = TITLE, who: str = "alice") -> int:
        r = httpx.post(self.base + "/api/v1/articles", json={"external_id": external_id, "title": title,
                                                              "body": body},
                       headers=People.auth(self.tokens[who]), timeout=60)
        assert r.status_code in (200, 201), r.text
        self.ids[key] = r.json()["id"]
        return self.ids[key]

    def api(self, path: str) -> dict:
        return httpx.get(self.base + "/api/v1" + path, headers=People.auth(self.tokens["rob"]), timeout=30).json()

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    from flows.audit import run_audit

    live = Live(tmp_path_factory.mktemp("live"))
    try:
        live.wait()
        live.submit("oracle", "cms-oracle", ORACLE)
        live.submit("corrected", "cms-corrected", CORRECTED)
        live.submit("short", "cms-short", "# Roots\n\nAnkle dorsiflexion is supplied by L2.\n",
                    title="Which roots lift the foot?")
        run_audit("", live.runs, progress=False, validate=False, database_url=live.url)
        live.submit("short", "cms-short", "# Roots\n\nThe L4 and L5 roots supply ankle dorsiflexion.\n",
                    title="Which roots lift the foot?")  # fixed: the next run resolves its finding
        live.submit("odd", "cms-odd", "# Roots\n\nAnkle dorsiflexion is supplied by L3.\n",
                    title="An answer that disagrees")
        live.submit("xss", "cms-xss", XSS_BODY, title=XSS_TITLE)
        run_audit("", live.runs, progress=False, validate=False, database_url=live.url)
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    """A fresh browser context (no cookies) whose page fails the test on any dialog, page error or console error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    p = context.new_page()
    problems: list[str] = []
    p.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    p.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    p.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    p.problems = problems
    yield p
    context.close()
    assert not problems, problems


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("ARTGATE_SCREENSHOTS")
    out = (ROOT / folder) if folder and not Path(folder).is_absolute() else Path(folder or
                                                                                tmp_path_factory.mktemp("shots"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def sign_in(page, live, who: str = "rob", start: str = "/") -> None:
    page.goto(live.base + start)
    page.get_by_label("API token").fill(live.tokens[who])
    page.get_by_label("API token").press("Enter")
    page.wait_for_url(re.compile(re.escape(live.base) + r"/(\?.*|articles/.*)?$"))


def test_sign_in_filter_open_a_blocked_article_and_take_it_through_the_gate(page, live, shots):
    from playwright.sync_api import expect

    page.goto(live.base + "/")
    expect(page).to_have_url(live.base + "/login")
    page.screenshot(path=shots / "dashboard-login.png")
    sign_in(page, live)
    expect(page.locator("h1")).to_contain_text("Review queue")
    page.screenshot(path=shots / "dashboard-queue.png")

    page.get_by_label("Verdict").select_option("blocked")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"verdict=blocked"))
    rows = page.locator("table.queue a.row-link")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page).to_have_url(f"{live.base}/articles/{live.ids['oracle']}")
    expect(page.locator(".page-head .verdict-blocked")).to_be_visible()

    page.get_by_role("button", name="Move to review").click()
    expect(page.locator("#notice")).to_contain_text("Moved to review")
    page.screenshot(path=shots / "dashboard-article.png")

    blockers = [f for f in live.api(f"/articles/{live.ids['oracle']}/report")["findings"]
                if f["severity"] == "blocker" and not f["suppressed"]]
    assert blockers
    first = blockers[0]["id"]
    page.locator(f"#finding-{first} a.evidence-link").first.click()
    marks = page.locator(f'#article-text mark[data-findings~="{first}"]')
    expect(marks.first).to_have_class(re.compile(r"\bcurrent\b"))
    expect(marks.first).to_be_focused()
    expect(marks.first).to_be_in_viewport()
    assert page.locator("#article-text mark.current").count() == marks.count()

    page.screenshot(path=shots / "dashboard-article-evidence.png")
    last = blockers[-1]["id"]
    page.locator(f'#article-text mark[data-findings~="{last}"]').last.click()
    expect(page.locator(f"#finding-{last}")).to_be_focused()
    expect(page.locator(f"#finding-{last}")).to_have_class(re.compile(r"\bselected\b"))

    approve = page.locator("#act-approve")
    expect(approve).to_be_disabled()
    expect(page.locator("#approve-why ul.blockers li")).to_have_count(len(blockers))
    with page.expect_console_message(lambda m: "409" in m.text) as logged, \
            page.expect_response(re.compile(r"/transition$")) as refused:
        page.evaluate("document.getElementById('approve-form').submit()")  # as if the button were not disabled
    assert refused.value.status == 409
    page.problems.remove(f"console error: {logged.value.text}")  # the browser logs the refusal this step expects
    expect(page.locator("#notice")).to_contain_text("blocker")
    expect(page.locator("#notice a.finding-ref")).to_have_count(len(blockers))

    for f in blockers:
        item = page.locator(f"#finding-{f['id']}")
        item.get_by_text(f"Waive {f['id']}…").click()
        item.get_by_label(f"Reason for waiving {f['id']}").fill(f"the source is quoted on purpose ({f['id']})")
        item.get_by_role("button", name=f"Waive {f['id']}").click()
        expect(page.locator("#notice")).to_contain_text("Finding waived")
        expect(page.locator(f"#finding-{f['id']} .waiver")).to_contain_text("Waived by rob")

    expect(approve).to_be_enabled()
    approve.click()
    expect(page.locator("#notice")).to_contain_text("Approved.")
    history = page.locator("#history li")
    expect(history.last).to_contain_text("in review → approved")
    expect(page.locator("#history")).to_contain_text(f"the source is quoted on purpose ({first})")
    assert live.api(f"/articles/{live.ids['oracle']}")["status"] == "approved"


def test_keyboard_j_k_through_the_queue_and_one_key_per_action(page, live):
    from playwright.sync_api import expect

    sign_in(page, live, "rita")
    page.keyboard.press("j")
    first = page.locator("table.queue tr[data-row]").nth(0)
    expect(first).to_have_class(re.compile(r"\bcurrent\b"))
    expect(first.locator("a.row-link")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("table.queue tr[data-row]").nth(1).locator("a.row-link")).to_be_focused()
    page.keyboard.press("k")
    expect(first.locator("a.row-link")).to_be_focused()
    page.keyboard.press("/")
    expect(page.get_by_label("Title or id")).to_be_focused()
    page.keyboard.type("cms-corrected")
    page.keyboard.press("Enter")
    expect(page.locator("table.queue a.row-link")).to_have_count(1)
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live.base}/articles/{live.ids['corrected']}")

    page.keyboard.press("r")
    expect(page.locator("#act-review")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("Moved to review")
    for _ in range(page.locator("li.finding").count()):  # j down to the first finding that quotes evidence
        page.keyboard.press("j")
        if page.evaluate("!!document.activeElement.querySelector('a.evidence-link')"):
            break
    finding = page.locator("li.finding:focus")
    expect(finding).to_have_count(1)
    fid = finding.get_attribute("data-finding")
    finding = page.locator(f"#finding-{fid}")
    page.keyboard.press("Enter")
    expect(page.locator(f'#article-text mark[data-findings~="{fid}"]').first).to_be_focused()
    page.keyboard.press("Enter")  # back from the highlight to its finding
    expect(finding).to_be_focused()
    page.keyboard.press("w")
    expect(page.get_by_label(f"Reason for waiving {fid}")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    expect(page.locator("#act-approve")).to_be_focused()  # the corrected seed has no blocker: approve is enabled
    page.keyboard.press("c")
    expect(page.get_by_label("Reason for the author")).to_be_focused()
    page.keyboard.type("please cite the table's source")
    page.keyboard.press("Enter")
    expect(page.locator("#notice")).to_contain_text("Changes requested")
    expect(page.locator("#history")).to_contain_text("please cite the table's source")
    page.keyboard.press("x")
    expect(page.get_by_label("Reason for rejecting")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("g")
    expect(page).to_have_url(live.base + "/")


CONTRAST = """() => {
  const rgb = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(parseFloat); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; } }
    let out = {r: 255, g: 255, b: 255};
    for (let i = layers.length - 1; i >= 0; i--) { const c = layers[i];
      out = {r: c.r * c.a + out.r * (1 - c.a), g: c.g * c.a + out.g * (1 - c.a), b: c.b * c.a + out.b * (1 - c.a)}; }
    return out; };
  const bad = [], seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || seen.has(el) || el.closest('svg, .visually-hidden')) continue;
    seen.add(el);
    const cs = getComputedStyle(el), box = el.getBoundingClientRect();
    if (cs.visibility === 'hidden' || box.width === 0 || box.height === 0 || !el.checkVisibility()) continue;
    const fg = rgb(cs.color), bg = background(el);
    const hi = Math.max(lum(fg), lum(bg)), lo = Math.min(lum(fg), lum(bg));
    const ratio = (hi + 0.05) / (lo + 0.05), size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight) >= 700;
    const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    const text = walk.currentNode.textContent.trim().slice(0, 30);
    if (ratio < need) bad.push(`${el.tagName}.${el.className} "${text}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.outerHTML.slice(0, 80))"""

TABBABLE = """() => {
  const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea, '
    + 'summary, [tabindex]';
  const all = Array.from(document.querySelectorAll(sel)).filter(e => e.tabIndex >= 0 && e.checkVisibility());
  all.forEach((e, i) => e.dataset.tabOrder = i);
  const positive = Array.from(document.querySelectorAll('[tabindex]')).filter(e => e.tabIndex > 0).length;
  return {count: all.length, positive: positive};
}"""


def test_forms_are_labelled_focus_follows_the_page_and_text_has_contrast(page, live, shots):
    page.goto(live.base + "/login")
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(CONTRAST) == []
    sign_in(page, live)
    pages = {"queue": "/", "article": f"/articles/{live.ids['oracle']}", "audit": "/audit", "corpus": "/corpus",
             "rules": "/rules", "escaped": f"/articles/{live.ids['xss']}"}
    for name, path in pages.items():
        page.goto(live.base + path)
        if name in ("audit", "corpus", "rules"):
            page.screenshot(path=shots / f"dashboard-{name}.png")
        assert page.evaluate(UNLABELLED) == [], name
        assert page.evaluate(CONTRAST) == [], name
        order = page.evaluate(TABBABLE)
        assert order["positive"] == 0, name
        page.locator("body").focus()
        seen = []
        for _ in range(min(order["count"], 25)):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("document.activeElement.dataset.tabOrder"))
        assert seen == [str(i) for i in range(len(seen))], (name, seen)
        assert page.evaluate("document.activeElement.matches(':focus-visible')"), name
    page.goto(live.base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_pages_fit_a_phone(page, live, shots):
    sign_in(page, live)
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("queue", "/"), ("article", f"/articles/{live.ids['oracle']}"), ("audit", "/audit"),
                       ("corpus", "/corpus"), ("rules", "/rules")):
        page.goto(live.base + path)
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, (name, width, inner)
        if name in ("queue", "article"):
            page.screenshot(path=shots / f"dashboard-phone-{name}.png")


def test_an_article_carrying_script_and_img_markup_shows_it_as_text(page, live):
    from playwright.sync_api import expect

    sign_in(page, live)
    page.goto(f"{live.base}/articles/{live.ids['xss']}")
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    expect(page.locator("#article-text")).to_contain_text("<script>alert('body')</script>")
    assert page.locator("main img").count() == 0 and page.locator("main script").count() == 0
    page.goto(live.base + "/?q=cms-xss")
    expect(page.locator("table.queue a.row-link")).to_have_text(XSS_TITLE)
    page.goto(live.base + "/corpus")
    expect(page.locator("main")).to_contain_text(XSS_TITLE)
    assert not page.problems  # no alert() dialog opened, no script error
