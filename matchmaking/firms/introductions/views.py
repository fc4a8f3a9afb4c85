"""The firm's side of introductions: ask, follow, answer questions, withdraw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from matchmaking.firms.access import require_firm
from matchmaking.firms.introductions import meeting_views, services
from matchmaking.firms.introductions.forms import IntroductionRequestForm, TransitionForm
from matchmaking.firms.introductions.models import Side
from matchmaking.firms.models import IntroductionRequest
from profiles.models import Organization


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    organization = get_object_or_404(
        Organization.objects.published().select_related("prefecture"), pk=pk
    )
    user = _user(request)
    initial = {
        "submission_key": services.new_submission_key(),
        "contact_name": user.get_full_name(),
        "contact_email": user.email,
        "preferred_language": IntroductionRequest.PreferredLanguage.ENGLISH,
    }
    form = IntroductionRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        key = fields.pop("submission_key")
        try:
            created = services.introduction_request(
                firm=firm,
                organization=organization,
                user=user,
                submission_key=key,
                site_url=site_url(request),
                **fields,
            )
        except services.IntroductionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("introductions:detail", created.pk)
    return render(
        request,
        "matchmaking/firms/introductions/new.html",
        {"form": form, "organization": organization, "firm": firm},
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    firm = require_firm(request)
    requests = IntroductionRequest.objects.filter(firm=firm).select_related(
        "organization__prefecture"
    )
    return render(
        request, "matchmaking/firms/introductions/index.html", {"firm": firm, "requests": requests}
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    firm = require_firm(request)
    introduction = get_object_or_404(
        IntroductionRequest.objects.select_related("organization__prefecture", "partnership_type"),
        pk=pk,
        firm=firm,
    )
    return render(
        request,
        "matchmaking/firms/introductions/detail.html",
        {
            "introduction": introduction,
            "events": introduction.events.select_related("actor"),
            "side": "firm",
            "actions": available(introduction, services.FIRM_ACTIONS),
            "form": TransitionForm(),
        }
        | meeting_views.meeting_context(introduction, Side.FIRM),
    )


def _own(request: HttpRequest, pk: int) -> IntroductionRequest:
    firm = require_firm(request)
    return get_object_or_404(
        IntroductionRequest.objects.select_related("firm", "organization"), pk=pk, firm=firm
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, pk: int) -> HttpResponse:
    return meeting_views.propose(request, _own(request, pk), Side.FIRM)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_reschedule(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.reschedule(request, _own(request, pk), Side.FIRM, meeting_pk)


@login_required
@require_POST
def meeting_pick(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.pick(request, _own(request, pk), Side.FIRM, meeting_pk)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.cancel(request, _own(request, pk), Side.FIRM, meeting_pk)


@login_required
@require_http_methods(["GET", "POST"])
def outcome_new(request: HttpRequest, pk: int, meeting_pk: int) -> HttpResponse:
    return meeting_views.record_outcome(request, _own(request, pk), Side.FIRM, meeting_pk)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    firm = require_firm(request)
    introduction = get_object_or_404(IntroductionRequest, pk=pk, firm=firm)
    transition(request, introduction, action, by_firm=True)
    return redirect("introductions:detail", introduction.pk)


ACTION_LABELS = {
    "withdraw": _("Withdraw the request"),
    "answer": _("Send the information"),
    "review": _("Start the review"),
    "request_info": _("Ask the firm for more information"),
    "forward": _("Accept and forward to the organization"),
    "decline": _("Decline"),
    "interested": _("Record: the organization is interested"),
    "not_interested": _("Record: the organization is not interested"),
}


def available(
    introduction: IntroductionRequest, actions: dict[str, tuple[tuple[str, ...], str]]
) -> list[tuple[str, str, bool]]:
    """The actions open from the current state: (name, label, needs a message)."""
    return [
        (name, str(ACTION_LABELS[name]), name in services.MESSAGE_REQUIRED)
        for name, (sources, _target) in actions.items()
        if introduction.state in sources
    ]


def transition(
    request: HttpRequest, introduction: IntroductionRequest, action: str, *, by_firm: bool
) -> None:
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        services.introduction_transition(
            introduction=introduction,
            action=action,
            actor=_user(request),
            by_firm=by_firm,
            site_url=site_url(request),
            message=form.cleaned_data.get("message", ""),
        )
    except services.IntroductionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, introduction.get_state_display())
