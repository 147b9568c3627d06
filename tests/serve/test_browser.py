"""End to end: the dashboard served on loopback, driven in Debian's Chromium by Playwright.

Every page is loaded with all traffic to other hosts refused and recorded, so the dashboard
is shown to work offline (plotly.js comes from the installed package). Screenshots land in
tests/artefacts/ for a human to look at.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.conftest import ARTEFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    outside: list[str] = []
    errors: list[str] = []

    def only_loopback(route, request) -> None:  # type: ignore[no-untyped-def]
        if urlparse(request.url).hostname in {"127.0.0.1", None} or request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", only_loopback)
    tab = context.new_page()
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield tab
    context.close()
    assert not outside, f"the dashboard reached outside this machine: {outside}"
    assert not errors, errors


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def test_deals_table_sorts_and_filters(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    rows = page.locator("#deals tbody tr")
    assert rows.count() > 20
    assert page.get_by_role("heading", name="Contrats d'armement").is_visible()
    assert page.locator("#deals").get_by_text("S-400").first.is_visible()
    _shot(page, "deals")
    page.get_by_role("link", name="Fournisseur").click()
    page.wait_for_url("**sort=supplier**")
    codes = page.locator("#deals tbody tr td:first-child a").evaluate_all("els => els.map(e => e.title)")
    assert codes == sorted(codes)
    page.select_option("select[name=country]", "IND")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**country=IND**")
    texts = page.locator("#deals tbody tr").all_inner_texts()
    assert texts and all("Inde" in row for row in texts)


def test_deal_page_draws_the_stage_timeline(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?country=IND&system=S-400")
    page.locator("#deals tbody").get_by_role("link", name="S-400").first.click()
    page.wait_for_selector("#timeline[data-rendered=yes]", timeout=20_000)
    assert page.locator("#timeline .scatterlayer .point").count() >= 3
    ticks = [t.text_content() for t in page.locator("#timeline .ytick text").all()]
    order = ["offre", "intérêt", "négociation", "contrat", "paiement", "livraison", "suspension"]
    assert {"contrat", "livraison"} <= set(ticks) and ticks == [s for s in order if s in ticks]  # stages in order
    assert page.locator("#figures tr.conflict").count() >= 2  # the disagreeing values are marked
    assert page.get_by_text("désaccord").first.is_visible()
    _shot(page, "deal")
    page.locator("ol.evidence a").first.click()
    page.wait_for_url("**/documents/**#s*")
    assert page.locator(".sent:target").is_visible()


def test_document_page_highlights_entities_and_triggers_with_a_legend(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/documents/ex01_rus_ind_s400_contrat")
    assert page.locator("#text a.mention.m-country").count() >= 5
    assert page.locator("#text a.mention.m-person").first.inner_text() == "Vladimir Poutine"
    assert page.locator("#text a.trigger.t-arms_transfer").first.is_visible()
    colour = page.locator("#text a.m-country").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == page.locator("#legend .m-country").evaluate("e => getComputedStyle(e).backgroundColor")
    assert page.locator("#legend").get_by_text("transfert d'armes").is_visible()
    furniture = page.locator("#furniture table")
    assert not furniture.is_visible()
    page.get_by_text("Habillage de page retiré").click()
    assert furniture.is_visible() and "dateline" in furniture.inner_text()
    _shot(page, "document")


def test_hostile_article_is_shown_never_run(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/documents/hostile_rafale")
    page.get_by_text("Habillage de page retiré").click()
    assert page.evaluate("window.__pwned") is None
    assert page.title() != "pwned"
    assert '<script>window.__pwned = "title"</script>' in page.locator("h1").inner_text()
    assert "onerror=" in page.locator("#text").inner_text()
    assert page.locator("#text img, #text script, h1 script").count() == 0
    assert '<script>document.title = "pwned"</script>' in page.locator("#furniture").inner_text()
    _shot(page, "hostile")
    page.goto("/?country=GRC&system=Rafale")
    page.locator("#deals tbody").get_by_role("link", name="Rafale").first.click()
    page.wait_for_selector("#timeline[data-rendered=yes]", timeout=20_000)
    for point in page.locator("#timeline .scatterlayer .point").all():
        point.hover(force=True)  # hover labels carry the hostile title
    assert page.evaluate("window.__pwned") is None
    page.goto("/search?q=pwned")
    assert page.evaluate("window.__pwned") is None and page.locator("ol.hits li").count() == 1


def test_network_and_search_pages(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/network")
    page.wait_for_selector("#network[data-rendered=yes]", timeout=20_000)
    assert page.locator("#network .scatterlayer .point").count() >= 10
    _shot(page, "network")
    page.fill("header input[name=q]", "Poutine")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=Poutine")
    page.get_by_role("link", name="Vladimir Putin").click()
    assert page.get_by_role("heading", name="Fonctions").is_visible()
    _shot(page, "entity")


def test_alerts_page_lists_the_watch_alerts_and_leads_to_the_deal(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.locator("header nav").get_by_role("link", name="Alertes").click()
    page.wait_for_url("**/alerts")
    rows = page.locator("table.alerts tbody tr")
    assert rows.count() >= 3 and page.locator("table.alerts .alert-kind.k-new_deal").is_visible()
    row = rows.filter(has_text="New deal FRA → MAR Caesar")
    assert '<script>window.__alerted = "titre"</script>' in row.locator(".alert-evidence").inner_text()
    assert page.locator("table.alerts script, table.alerts b").count() == 0
    assert page.evaluate("window.__alerted") is None
    _shot(page, "alerts")
    row.locator("td").nth(3).get_by_role("link", name="Caesar").click()
    page.wait_for_url("**/deals/**")
    assert page.locator("#deal-alerts table.alerts tbody tr").count() == 2
    assert page.get_by_role("heading", name="Caesar").is_visible()
