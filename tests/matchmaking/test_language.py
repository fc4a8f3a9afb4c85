"""The interface language: chosen from Accept-Language or the switcher, kept in the browser's
cookie, the session and the account; every page in each language of settings.LANGUAGES."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from matchmaking.firms.models import ForeignFirm
from matchmaking.language import LanguagePreference, account_language
from profiles.models import Organization, Prefecture, PrefectureGuide
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SEARCH = "/organizations/"
# What each script calls the directory search's heading, "Find Japanese partners".
HEADING = {
    "zh-hans": "寻找日本合作伙伴",
    "zh-hant": "尋找日本合作夥伴",
    "ja": "日本のパートナーを探す",
}
HTML_LANG = {"en": "en", "ja": "ja", "zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}


@pytest.fixture(scope="module", autouse=True)
def _compiled() -> Iterator[None]:
    call_command("compile_translations", stdout=io.StringIO())
    trans_real._translations = {}  # type: ignore[attr-defined]  # forget catalogues read before
    yield


def html_lang(body: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', body)
    assert found, "no <html lang>"
    return found[1]


def test_the_languages_are_english_japanese_and_both_chinese_scripts() -> None:
    assert [code for code, _ in settings.LANGUAGES] == ["en", "ja", "zh-hans", "zh-hant"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN", "zh-hans"),
        ("zh-SG", "zh-hans"),
        ("zh", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("zh-Hans-CN", "zh-hans"),
        ("zh-TW", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("zh-MO", "zh-hant"),
        ("zh-Hant", "zh-hant"),
        ("zh-Hant-TW", "zh-hant"),
        ("ja-JP,ja;q=0.9", "ja"),
        ("de-DE,zh-TW;q=0.8,en;q=0.5", "zh-hant"),
        ("fr", "en"),
    ],
)
def test_accept_language_picks_the_script(client: Client, header: str, expected: str) -> None:
    body = client.get(SEARCH, headers={"accept-language": header}).content.decode()
    assert html_lang(body) == HTML_LANG[expected]
    if expected in HEADING:
        assert HEADING[expected] in body


def test_the_cookie_wins_over_accept_language(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    body = client.get(SEARCH, headers={"accept-language": "zh-CN"}).content.decode()
    assert html_lang(body) == "zh-Hant"


def test_the_switcher_offers_each_language_named_in_itself(client: Client) -> None:
    body = client.get(SEARCH).content.decode()
    for code, name in [
        ("en", "English"),
        ("ja", "日本語"),
        ("zh-hans", "简体中文"),
        ("zh-hant", "繁體中文"),
    ]:
        button = f'value="{code}" lang="{HTML_LANG[code]}"'
        assert button in body
        # On a phone the short name shows; the full one is still the button's name.
        short = {"en": "EN", "ja": "日本", "zh-hans": "简", "zh-hant": "繁"}[code]
        label = f'<span class="short" aria-hidden="true">{short}</span>'
        label += f'<span class="long">{name}</span>'
        assert re.search(re.escape(button) + r"[^>]*>" + re.escape(label) + "</button>", body), (
            code
        )


def test_the_switcher_keeps_the_choice_in_the_cookie(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": SEARCH})
    assert response.status_code == 302 and response["Location"] == SEARCH
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    body = client.get(SEARCH, headers={"accept-language": "en"}).content.decode()
    assert html_lang(body) == "zh-Hans" and HEADING["zh-hans"] in body


def test_the_switcher_understands_a_regional_code(client: Client, maria: User) -> None:
    client.force_login(maria)
    client.post(reverse("set_language"), {"language": "zh-TW", "next": SEARCH})
    assert html_lang(client.get(SEARCH).content.decode()) == "zh-Hant"
    assert account_language(maria) == "zh-hant"


def test_a_signed_in_choice_is_stored_on_the_account(client: Client, maria: User) -> None:
    client.force_login(maria)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": SEARCH})
    assert account_language(maria) == "zh-hant"
    client.post(reverse("set_language"), {"language": "ja", "next": SEARCH})
    assert LanguagePreference.objects.get(user=maria).language == "ja"


def test_an_anonymous_choice_stores_nothing(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "zh-hant", "next": SEARCH})
    assert not LanguagePreference.objects.exists()


def test_the_account_language_follows_the_person_to_another_browser(
    client: Client, maria: User
) -> None:
    LanguagePreference.objects.create(user=maria, language="zh-hant")
    # A new browser that asks for English: logging in brings the account's language.
    response = client.post(
        reverse("login"),
        {"username": maria.username, "password": PASSWORD},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 302
    response = client.get(SEARCH, headers={"accept-language": "en"})
    assert html_lang(response.content.decode()) == "zh-Hant"
    assert response["Content-Language"] == "zh-hant"
    # ... and puts it in the cookie, so the language stays after logging out.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    client.post(reverse("logout"))
    body = client.get(SEARCH, headers={"accept-language": "en"}).content.decode()
    assert html_lang(body) == "zh-Hant"


def test_a_choice_made_before_logging_in_becomes_the_accounts(client: Client, maria: User) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.post(reverse("login"), {"username": maria.username, "password": PASSWORD})
    assert account_language(maria) == "zh-hans"


def test_the_switcher_on_the_log_in_page_wins_over_the_accounts_older_choice(
    client: Client, maria: User
) -> None:
    LanguagePreference.objects.create(user=maria, language="en")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": reverse("login")})
    client.post(reverse("login"), {"username": maria.username, "password": PASSWORD})
    assert html_lang(client.get(SEARCH).content.decode()) == "zh-Hant"
    assert account_language(maria) == "zh-hant"


def test_a_language_guessed_from_the_browser_is_not_stored(client: Client, maria: User) -> None:
    client.post(
        reverse("login"),
        {"username": maria.username, "password": PASSWORD},
        headers={"accept-language": "zh-TW"},
    )
    assert account_language(maria) is None


def test_the_switcher_while_signed_in_changes_the_next_page(client: Client, maria: User) -> None:
    LanguagePreference.objects.create(user=maria, language="zh-hant")
    client.force_login(maria)
    client.post(reverse("login"), {"username": maria.username, "password": PASSWORD})
    client.post(reverse("set_language"), {"language": "zh-hans", "next": SEARCH})
    body = client.get(SEARCH).content.decode()
    assert html_lang(body) == "zh-Hans"


def test_a_sign_up_mail_is_in_the_language_of_the_page(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hant"
    client.post(
        reverse("accounts:sign_up"),
        {
            "email": "lin@example.tw",
            "password": PASSWORD,
            "firm_name": "Formosa Optics",
            "country": "TW",
        },
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "確認您在龍門的電子郵件地址"
    assert "歡迎使用龍門" in mail.outbox[0].body


# == each key page, in each Chinese script ==

PAGES = {
    "zh-hans": {
        "directory": ["寻找日本合作伙伴", "筛选", "所有都道府县"],
        "sign_up": ["注册贵企业", "企业名称", "密码"],
        "login": ["登录", "忘记密码？"],
        "suggested": ["推荐", "优先地方机构", "仅看卧龙"],
        "prefecture": [
            "熊本県",
            "九州・沖縄地区",
            "投资优惠与补贴",
            "支援窗口",
            "产业集群与联盟",
            "生活环境",
        ],
    },
    "zh-hant": {
        "directory": ["尋找日本合作夥伴", "篩選", "所有都道府縣"],
        "sign_up": ["註冊貴企業", "企業名稱", "密碼"],
        "login": ["登入", "忘記密碼？"],
        "suggested": ["推薦", "優先地方機構", "僅看臥龍"],
        "prefecture": [
            "熊本県",
            "九州・沖縄地區",
            "投資優惠與補貼",
            "支援窗口",
            "產業聚落與聯盟",
            "生活環境",
        ],
    },
}
ENGLISH_LEFT = ["Find Japanese partners", "Sign up your firm", "Forgot your password?", "Filters"]


def _page(client: Client, page: str) -> str:
    url = {
        "directory": SEARCH,
        "sign_up": reverse("accounts:sign_up"),
        "login": reverse("login"),
        "suggested": reverse("firm:suggested"),
        "prefecture": reverse("directory:prefecture", args=["kumamoto"]),
    }[page]
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def kumamoto_guide(db: None) -> PrefectureGuide:
    return PrefectureGuide.objects.create(
        prefecture=Prefecture.objects.get(code="43"),
        incentives_en="Up to 30% of investment for new factories.",
        support_desk_en="Kumamoto investment desk.",
        is_sample=True,
    )


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("page", ["directory", "sign_up", "login", "prefecture"])
def test_a_visitor_reads_the_page_in_chinese(
    client: Client,
    indexed: dict[str, Organization],
    kumamoto_guide: PrefectureGuide,
    language: str,
    page: str,
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = _page(client, page)
    assert html_lang(body) == HTML_LANG[language]
    for text in PAGES[language][page]:
        assert text in body, text
    for english in ENGLISH_LEFT:
        assert english not in body


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_a_firm_reads_its_suggestions_in_chinese(
    client: Client, maria: User, indexed: dict[str, Organization], language: str
) -> None:
    firm: ForeignFirm = maria.firm_membership.firm
    firm.seeks_en = "We look for a partner that builds industrial robot arms for welding lines."
    firm.save()
    LanguagePreference.objects.create(user=maria, language=language)
    client.post(reverse("login"), {"username": maria.username, "password": PASSWORD})
    body = _page(client, "suggested")
    assert html_lang(body) == HTML_LANG[language]
    for text in PAGES[language]["suggested"]:
        assert text in body, text
    assert "Regional boost" not in body


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_error_pages_speak_the_visitors_language(client: Client, language: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and html_lang(body) == HTML_LANG[language]
    with translation.override(language):
        assert translation.gettext("Page not found") in body
    assert "Page not found" not in body
