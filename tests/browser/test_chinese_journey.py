"""A Chinese-speaking firm's journey in Chromium, in each script, on the demo data: the
browser asks for Chinese, the firm signs up, writes its needs in Chinese, reads explained
suggestions and requests an introduction, all in Chinese; Aiko (Kumamoto) reads the request
in Japanese."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveSite, screenshot
from tests.browser.test_firm_journey import DEMO_PASSWORD, PASSWORD, _log_in, _mails_to

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("forget_languages_after")]

# (browser locale, the UI language it gets, the need, the proposal), as such firms write them.
JOURNEYS = {
    "zh-hans": (
        "zh-CN",
        "zh-Hans",
        "寻找半导体设备用真空阀门的供应商，以及精密加工和洁净室部件的合作伙伴。",
        "我们希望在熊本建立半导体设备零部件的本地供应链，欢迎贵公司共同开发。",
    ),
    "zh-hant": (
        "zh-TW",
        "zh-Hant",
        "尋找半導體設備用真空閥門的供應商，以及精密加工與無塵室零組件的合作夥伴。",
        "我們希望在熊本建立半導體設備零組件的在地供應鏈，歡迎貴公司共同開發。",
    ),
}
OFFERS = {
    "zh-hans": "我们提供半导体设备整机设计、洁净室自动化软件，以及覆盖中国和东南亚的销售网络。",
    "zh-hant": "我們提供半導體設備整機設計、無塵室自動化軟體，以及涵蓋台灣與東南亞的銷售網路。",
}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("language", list(JOURNEYS))
def test_a_chinese_firm_signs_up_reads_suggestions_and_asks_for_an_introduction(
    browser: Any, live_site: LiveSite, language: str
) -> None:
    locale, tag, need, proposal = JOURNEYS[language]
    live_site.manage("rebuild_index")
    context = browser.new_context(
        base_url=live_site.url, locale=locale, viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    email = f"chen-{uuid.uuid4().hex[:6]}@example.cn"
    try:
        # 1. The browser asks for Chinese: the site answers in it, sign-up included.
        tab.goto("/")
        assert tab.locator("html").get_attribute("lang") == tag
        tab.click("header a[href='/accounts/sign-up/']")
        assert CJK.search(tab.locator("main h1").inner_text())
        tab.fill("#id_email", email)
        tab.fill("#id_password", PASSWORD)
        tab.fill("#id_firm_name", "深圳精密真空科技" if language == "zh-hans" else "新竹精密真空")
        tab.fill("#id_country", "cn" if language == "zh-hans" else "tw")
        tab.click("main button[type=submit]")
        expect(tab.locator("#sign-up-done")).to_be_visible()

        # 2. The confirmation mail, in Chinese, carries the link.
        [mail] = _mails_to(live_site, email)
        assert CJK.search(mail.split("\n\n", 1)[1]), mail
        link = re.search(r"http://\S+/accounts/confirm/\S+", mail)
        assert link, mail
        tab.goto(link.group(0))
        tab.fill("#id_password", PASSWORD)
        tab.click("main button[type=submit]")
        expect(tab.locator("#thin-profile")).to_be_visible()

        # 3. The needs, written in Chinese.
        tab.fill("#id_seeks_en", need)
        tab.fill("#id_offers_en", OFFERS[language])
        # JSIC's division E, read in the reader's script from its Japanese name 製造業.
        manufacturing = "E 制造业" if language == "zh-hans" else "E 製造業"
        tab.select_option("#id_industries", label=manufacturing)
        tab.locator("input[name=partnership_types]").first.check()
        tab.click("form.firm-profile button[type=submit]")
        expect(tab.locator("#profile-ok")).to_be_visible()

        # 4. Suggestions with their reasons: the Japanese valve and semiconductor makers.
        tab.click("#profile-ok a")
        cards = tab.locator(".suggestion")
        expect(cards.first).to_be_visible()
        top = " ".join(cards.nth(i).inner_text() for i in range(3))
        assert re.search(r"バルブ|真空|半導体|valve|vacuum|semiconductor", top, re.I), top
        assert tab.locator(".suggestion .explanation .term").count() > 0
        screenshot(tab, f"zh-journey-{language}-suggestions")

        # 5. An introduction to a Kumamoto suggestion, asked in Chinese.
        with tab.expect_response(re.compile(r"prefecture=43")):
            tab.select_option("#filter-prefecture", "43")
        expect(tab.locator("#suggestions-form.htmx-request")).to_have_count(0)
        href = cards.first.locator("h3 a").first.get_attribute("href") or ""
        organization = re.search(r"/organizations/(\d+)/", href)
        assert organization, href
        tab.goto(f"/introductions/new/{organization.group(1)}/")
        assert tab.locator("html").get_attribute("lang") == tag
        tab.select_option("#id_partnership_type", index=1)
        tab.fill("#id_proposal", proposal)
        tab.fill("#id_contact_name", "陈明" if language == "zh-hans" else "陳明")
        tab.click("#introduction-form button[type=submit]")
        expect(tab.locator("#introduction-state")).to_be_visible()
        assert CJK.search(tab.locator("#introduction-state").inner_text())
        request_url = tab.url
        screenshot(tab, f"zh-journey-{language}-request")
        request_id = re.search(r"/introductions/(\d+)/", request_url)
        assert request_id, request_url
    finally:
        context.close()

    # 6. Aiko reads it in Japanese, her choice; the firm's words as written.
    context = browser.new_context(base_url=live_site.url, locale="ja-JP")
    context.add_cookies([{"name": "django_language", "value": "ja", "url": live_site.url}])
    tab = context.new_page()
    try:
        _log_in(tab, "aiko@pref-kumamoto.example", DEMO_PASSWORD)
        tab.goto(f"/workspace/introductions/{request_id.group(1)}/")
        assert tab.locator("html").get_attribute("lang") == "ja"
        expect(tab.locator("main")).to_contain_text(proposal)
        expect(tab.locator("#introduction-state")).to_contain_text("提出")
        screenshot(tab, f"zh-journey-{language}-curator")
    finally:
        context.close()
