"""Pages of the management review (SPEC 7): the list (filters by organisation, year and status),
preparing a review, one review on one page (the header with its status and the moment its figures are
from, a card per input of ISO 9001 9.3.2 with the figures, tables, a chart and the quality officer's
commentary, the meeting: attendees, decisions per input with their actions, the meeting date and the
conclusion, and finalising), its PDF and its history.

Every page starts from ``ManagementReview.objects.visible_to(request.user)`` (out of sight is a 404);
every write goes through ``reviews.services.reviews``: a ValidationError re-renders the page with the
form's messages (or becomes a message for a button), PermissionDenied is a 403. A finalised review shows
no forms and every POST on it is refused with a message, nothing changed (the services refuse too)."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.views.generic import View
from django_htmx.http import HttpResponseClientRedirect

from qms.choices import Role
from qms.history import history_entries, merge_histories, records_history
from qms.scoping import Purpose, organisations_for
from qms.selectors import people_of_organisation
from qms.views.generic import (
    ObjectDetailView,
    ObjectHistoryView,
    ObjectListView,
    ServiceFormView,
    error_text,
    get_visible_or_404,
)
from reviews.choices import ReviewInput
from reviews.filtersets import ReviewFilterSet
from reviews.forms.reviews import (
    AttendeeForm,
    CommentaryForm,
    DecisionActionFormSet,
    DecisionForm,
    MeetingForm,
    ReviewForm,
)
from reviews.models import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection
from reviews.selectors.document import review_document
from reviews.selectors.pack import pack_for
from reviews.services import reviews as services
from reviews.tables import ReviewTable

REVIEWS = ManagementReview.objects.select_related("organisation", "prepared_by", "finalised_by")
PREPARER_ROLES = (Role.QUALITY_OFFICER, Role.ADMINISTRATOR)


def preparing_organisations(user):
    """The organisations where ``user`` prepares reviews (the form's choices; the service decides)."""
    return organisations_for(user, Purpose.ACT, roles=PREPARER_ROLES).order_by("name")


class Rights:
    """What the reader may do on one review, asked once per request."""

    def __init__(self, user, review):
        self.user, self.review = user, review

    @cached_property
    def prepare(self) -> bool:
        return self.user.is_authenticated and services.can_prepare(self.user, self.review.organisation)

    @cached_property
    def edit(self) -> bool:
        return not self.review.is_finalised and self.prepare


# --- the list ----------------------------------------------------------------------------------


class ReviewListView(ObjectListView):
    queryset = REVIEWS
    filterset_class = ReviewFilterSet
    table_class = ReviewTable
    template_name = "reviews/review_list.html"
    title = _("Management reviews")
    export_name = "management-reviews"

    def can_add(self):
        return preparing_organisations(self.request.user).exists()


# --- preparing ---------------------------------------------------------------------------------


class ReviewAddView(ServiceFormView):
    form_class = ReviewForm
    template_name = "reviews/review_form.html"
    success_message = _("The review is prepared: its sections show the figures of the year.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisations = preparing_organisations(request.user)
            if not self.organisations.exists():
                raise PermissionDenied(
                    _("Only the organisation's quality officers and administrators prepare reviews.")
                )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        initial = {"year": timezone.localdate().year}
        organisations = list(self.organisations[:2])
        if len(organisations) == 1:
            initial["organisation"] = organisations[0].pk
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["organisation"].queryset = self.organisations
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Prepare a management review")
        return context

    def perform(self, form):
        return services.review_create(actor=self.request.user, **form.cleaned_data)


# --- one review --------------------------------------------------------------------------------


def owners_of(review):
    return people_of_organisation(review.organisation).order_by("last_name", "first_name", "username")


def decision_forms(review, data=None):
    form = DecisionForm(data, prefix="decision")
    actions = DecisionActionFormSet(data, prefix="actions")
    owners = owners_of(review)
    for action_form in actions.forms:
        action_form.fields["owner"].queryset = owners
    return form, actions


class ReviewPageMixin:
    queryset = REVIEWS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = context["object"]
        context["rights"] = Rights(self.request.user, review)
        return context


class ReviewDetailView(ReviewPageMixin, ObjectDetailView):
    """The review on one page; the forms only for those who prepare it, and only in preparation."""

    template_name = "reviews/review_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = context["object"]
        rights = context["rights"]
        pack = pack_for(review)
        document = review_document(review, pack)
        context.update(pack=pack, document=document, sections=document["sections"])
        if rights.edit:
            bound = kwargs.get("commentary_forms") or {}
            for section in document["sections"]:
                code = section["input"]
                current = section["section"].commentary if section["section"] else ""
                section["form"] = bound.get(code) or CommentaryForm(prefix=f"s-{code}", initial={"commentary": current})
            attendee_form = kwargs.get("attendee_form") or AttendeeForm(prefix="attendee")
            attendee_form.fields["user"].queryset = owners_of(review)
            decision_form, action_forms = kwargs.get("decision_forms") or decision_forms(review)
            context.update(
                # What finalising still needs, shown before the button (the service checks again).
                finalise_problems=[
                    message for messages_ in services.finalise_problems(review).values() for message in messages_
                ],
                attendee_form=attendee_form,
                decision_form=decision_form,
                action_forms=action_forms,
                meeting_form=kwargs.get("meeting_form")
                or MeetingForm(
                    prefix="meeting",
                    initial={"meeting_date": review.meeting_date, "conclusion": review.conclusion},
                ),
            )
        return context


def render_review(request, review, status=200, **context):
    """The review's page again with a form's messages (nothing saved)."""
    view = ReviewDetailView()
    view.setup(request, pk=review.pk)
    return render(request, view.template_name, view.get_context_data(**context), status=status)


class ReviewHistoryView(ReviewPageMixin, ObjectHistoryView):
    """The review's history with its sections' commentary, attendees and decisions."""

    detail_template = "reviews/_review_base.html"

    def history(self, review):
        reader = self.request.user
        labels = dict(ReviewInput.choices)
        return merge_histories(
            history_entries(review, reader=reader),
            records_history(
                ReviewSection.history.filter(review_id=review.pk),
                reader=reader,
                label=lambda record, show: str(labels.get(record.input, record.input)),
            ),
            records_history(
                ReviewAttendee.history.filter(review_id=review.pk),
                reader=reader,
                label=lambda record, show: f"{_('Attendee')}: {record.name or show('user_id')}",
            ),
            records_history(
                ReviewDecision.history.filter(review_id=review.pk),
                reader=reader,
                label=lambda record, show: f"{_('Decision')}: {record.text[:60]}",
            ),
        )


class ReviewPdfView(View):
    """The review as a PDF (A4, page numbers, charts as SVG): the frozen pack of a finalised review, the
    live figures of one in preparation."""

    http_method_names = ["get"]

    def get(self, request, pk):
        from reviews.pdf import review_pdf

        review = get_visible_or_404(request, REVIEWS.visible_to(request.user), pk=pk)
        response = HttpResponse(review_pdf(review, request), content_type="application/pdf")
        name = slugify(f"management-review-{review.organisation.name}-{review.year}") or "management-review"
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response


# --- writes --------------------------------------------------------------------------------------


class ReviewWriteView(View):
    """A POST on one review: a 404 out of sight, a 403 for who does not prepare it, and on a finalised
    review a message and nothing changed."""

    http_method_names = ["post"]
    lookup_model = ManagementReview

    def get_review(self, request, pk):
        return get_visible_or_404(request, REVIEWS.visible_to(request.user), pk=pk)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.method == "POST":
            self.review = self.get_review(request, kwargs["pk"])
            self.rights = Rights(request.user, self.review)
            if not self.rights.prepare:
                raise PermissionDenied(
                    _("Only the organisation's quality officers and administrators change a review.")
                )
            if self.review.is_finalised:
                messages.error(request, _("This review is finalised: it no longer changes."))
                if request.htmx:
                    # The whole page again (without its forms), not the page inside a section's block.
                    return HttpResponseClientRedirect(self.review.get_absolute_url())
                return redirect(self.review)
        return super().dispatch(request, *args, **kwargs)

    def done(self, message, anchor=""):
        messages.success(self.request, message)
        return redirect(reverse("reviews:review_detail", args=[self.review.pk]) + anchor)


class SectionCommentView(ReviewWriteView):
    """The commentary of one section; with htmx only the section's commentary block comes back."""

    def post(self, request, pk, input):  # noqa: A002
        if input not in ReviewInput.values:
            raise Http404
        form = CommentaryForm(request.POST, prefix=f"s-{input}")
        section = None
        if form.is_valid():
            try:
                with transaction.atomic():
                    section = services.section_comment(
                        actor=request.user, review=self.review, input=input, **form.cleaned_data
                    )
            except ValidationError as error:
                form.add_service_error(error)
        if request.htmx:
            if section is None:
                section = ReviewSection.objects.filter(review=self.review, input=input).first()
            context = {
                "object": self.review,
                "section": {"input": input, "section": section, "form": form},
                "rights": self.rights,
                "saved": not form.errors,
            }
            return render(request, "reviews/_commentary.html", context)
        if form.errors:
            return render_review(request, self.review, commentary_forms={input: form})
        return self.done(_("The commentary is saved."), f"#section-{input}")


class ReviewMeetingView(ReviewWriteView):
    def post(self, request, pk):
        form = MeetingForm(request.POST, prefix="meeting")
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.review_update(actor=request.user, review=self.review, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_review(request, self.review, meeting_form=form)
        return self.done(_("The meeting is saved."), "#meeting")


class AttendeeAddView(ReviewWriteView):
    def post(self, request, pk):
        form = AttendeeForm(request.POST, prefix="attendee")
        form.fields["user"].queryset = owners_of(self.review)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.attendee_add(actor=request.user, review=self.review, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors:
            return render_review(request, self.review, attendee_form=form)
        return self.done(_("The attendee is added."), "#attendees")


class AttendeeRemoveView(ReviewWriteView):
    def get_review(self, request, pk):
        self.attendee = get_visible_or_404(
            request, ReviewAttendee.objects.visible_to(request.user).select_related("review"), pk=pk
        )
        return get_visible_or_404(request, REVIEWS.visible_to(request.user), pk=self.attendee.review_id)

    def post(self, request, pk):
        try:
            with transaction.atomic():
                services.attendee_remove(actor=request.user, attendee=self.attendee)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(self.review)
        return self.done(_("The attendee is removed."), "#attendees")


class DecisionAddView(ReviewWriteView):
    """A decision on one input with up to three actions (title, owner, due date), all or nothing."""

    def post(self, request, pk):
        form, actions = decision_forms(self.review, request.POST)
        if form.is_valid() and actions.is_valid():
            rows = [row.cleaned_data for row in actions.forms if row.has_changed() and row.cleaned_data]
            try:
                with transaction.atomic():
                    services.decision_add(
                        actor=request.user,
                        review=self.review,
                        input=form.cleaned_data["input"],
                        text=form.cleaned_data["text"],
                        actions=[
                            {"title": row["title"], "owner": row["owner"], "due_date": row["due_date"]} for row in rows
                        ],
                    )
            except ValidationError as error:
                form.add_service_error(error)
        if form.errors or not actions.is_valid():
            return render_review(request, self.review, decision_forms=(form, actions))
        return self.done(_("The decision is recorded; its actions' owners are told."), "#decisions")


class DecisionRemoveView(ReviewWriteView):
    def get_review(self, request, pk):
        self.decision = get_visible_or_404(request, ReviewDecision.objects.visible_to(request.user), pk=pk)
        return get_visible_or_404(request, REVIEWS.visible_to(request.user), pk=self.decision.review_id)

    def post(self, request, pk):
        try:
            with transaction.atomic():
                services.decision_remove(actor=request.user, decision=self.decision)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(self.review)
        return self.done(_("The decision is removed; its open actions are cancelled."), "#decisions")


class ReviewFinaliseView(ReviewWriteView):
    """Finalise: the pack is frozen. A refusal names what is missing, as a message; nothing changes."""

    def post(self, request, pk):
        try:
            with transaction.atomic():
                services.review_finalise(actor=request.user, review=self.review)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.review)
        return self.done(_("The review is finalised: its figures are frozen as of now."))
