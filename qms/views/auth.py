"""Two-factor login: the second login step, enrolment (QR code and recovery codes), a person's two-factor
settings, and an organisation's rule that everyone with a role in it uses two-factor login."""

from base64 import b32encode

import qrcode
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from qrcode.image.svg import SvgPathImage

from qms.forms import TwoFactorCodeForm, TwoFactorEnrolForm, TwoFactorPolicyForm
from qms.services.security import (
    RECOVERY_CODE_COUNT,
    organisation_require_two_factor,
    organisations_for_two_factor_policy,
    recovery_codes_left,
    recovery_codes_renew,
    totp_device_confirm,
    totp_device_start,
    two_factor_enrolled,
    two_factor_required_for,
    two_factor_verify,
)
from qms.views.generic import safe_next


def _next_page(request) -> str:
    return safe_next(request, resolve_url(settings.LOGIN_REDIRECT_URL))


def _second_factor_passed(request, device) -> None:
    """The session is now fully logged in: a new session key for the new privilege (no fixation), with
    the device that verified it (django-otp's ``request.user.is_verified()``)."""
    request.session.cycle_key()
    otp_login(request, device)


def qr_code_svg(data: str) -> str:
    """A QR code of ``data`` as inline SVG, drawn here: the secret never goes to a QR service."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=16, border=2)
    # Generated from our own data (a path of squares): no markup from a person's input.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def _recovery_codes_page(request, codes):
    response = render(request, "qms/two_factor/recovery_codes.html", {"codes": codes, "next": _next_page(request)})
    response["Cache-Control"] = "no-store"
    return response


@method_decorator(never_cache, name="dispatch")
class TwoFactorVerifyView(FormView):
    """The second login step, after the password: a code of the authenticator app or a recovery code."""

    template_name = "qms/two_factor/verify.html"
    form_class = TwoFactorCodeForm
    two_factor_exempt = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_verified():
            return HttpResponseRedirect(_next_page(request))
        if not two_factor_enrolled(request.user):
            return redirect_to_login(_next_page(request), resolve_url("qms:two_factor_enrol"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_page(self.request), **kwargs)

    def form_valid(self, form):
        device = two_factor_verify(user=self.request.user, token=form.cleaned_data["code"], request=self.request)
        if device is None:
            form.add_error(
                "code",
                _("This code is not valid, or it was used already. Wait for the next code and try again."),
            )
            return self.form_invalid(form)
        _second_factor_passed(self.request, device)
        if isinstance(device, StaticDevice):
            messages.warning(
                self.request,
                _("You used a recovery code; %(count)s left. Make new ones in your two-factor settings.")
                % {"count": recovery_codes_left(self.request.user)},
            )
        return HttpResponseRedirect(_next_page(self.request))


@method_decorator(never_cache, name="dispatch")
class TwoFactorEnrolView(FormView):
    """Set up an authenticator app: scan the QR code (or type the secret), confirm with the first code,
    and get ten recovery codes, shown once. Changing the app later needs a verified session: somebody
    with only the password cannot swap in their own."""

    template_name = "qms/two_factor/enrol.html"
    form_class = TwoFactorEnrolForm
    two_factor_exempt = True

    def dispatch(self, request, *args, **kwargs):
        if two_factor_enrolled(request.user) and not request.user.is_verified():
            return redirect_to_login(_next_page(request), resolve_url("qms:two_factor_verify"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        device = totp_device_start(user=self.request.user)
        secret = b32encode(device.bin_key).decode()
        return super().get_context_data(
            qr_code=qr_code_svg(device.config_url),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            required=two_factor_required_for(self.request.user),
            enrolled=two_factor_enrolled(self.request.user),
            next=_next_page(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        result = totp_device_confirm(user=self.request.user, token=form.cleaned_data["code"], request=self.request)
        if result is None:
            form.add_error("code", _("This code does not match. Check the time on your phone and try the next code."))
            return self.form_invalid(form)
        device, codes = result
        _second_factor_passed(self.request, device)
        messages.success(self.request, _("Two-factor login is on."))
        return _recovery_codes_page(self.request, codes)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["Cache-Control"] = "no-store"  # the page shows the secret
        return response


class TwoFactorSettingsView(TemplateView):
    """A person's two-factor login: on or off, recovery codes left; and, for administrators and quality
    officers, their organisations' rule."""

    template_name = "qms/two_factor/settings.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        policies = [
            (
                organisation,
                TwoFactorPolicyForm(
                    initial={"organisation": organisation.pk, "required": required}, auto_id=f"id_{organisation.pk}_%s"
                ),
            )
            for organisation in organisations_for_two_factor_policy(user).order_by("name")
            for required in [organisation.two_factor_required]
        ]
        return super().get_context_data(
            enrolled=two_factor_enrolled(user),
            required=two_factor_required_for(user),
            codes_left=recovery_codes_left(user),
            code_count=RECOVERY_CODE_COUNT,
            policies=policies,
            **kwargs,
        )


@require_POST
def recovery_codes_renew_view(request):
    codes = recovery_codes_renew(user=request.user, request=request)
    return _recovery_codes_page(request, codes)


@require_POST
def two_factor_policy_view(request):
    form = TwoFactorPolicyForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    organisation = get_object_or_404(
        organisations_for_two_factor_policy(request.user), pk=form.cleaned_data["organisation"]
    )
    required = form.cleaned_data["required"]
    organisation_require_two_factor(actor=request.user, organisation=organisation, required=required, request=request)
    if required:
        message = _("Two-factor login is now required for everyone with a role in %(unit)s.")
    else:
        message = _("Two-factor login is no longer required for everyone in %(unit)s (administrators still use it).")
    messages.success(request, message % {"unit": organisation})
    return redirect("qms:two_factor")
