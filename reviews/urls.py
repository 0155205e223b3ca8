from django.urls import path

from reviews.views import reviews

app_name = "reviews"
urlpatterns = [
    path("", reviews.ReviewListView.as_view(), name="review_list"),
    path("add/", reviews.ReviewAddView.as_view(), name="review_add"),
    path("<int:pk>/", reviews.ReviewDetailView.as_view(), name="review_detail"),
    path("<int:pk>/history/", reviews.ReviewHistoryView.as_view(), name="review_history"),
    path("<int:pk>/pdf/", reviews.ReviewPdfView.as_view(), name="review_pdf"),
    path("<int:pk>/meeting/", reviews.ReviewMeetingView.as_view(), name="review_meeting"),
    path("<int:pk>/sections/<slug:input>/", reviews.SectionCommentView.as_view(), name="section_comment"),
    path("<int:pk>/attendees/add/", reviews.AttendeeAddView.as_view(), name="attendee_add"),
    path("attendees/<int:pk>/remove/", reviews.AttendeeRemoveView.as_view(), name="attendee_remove"),
    path("<int:pk>/decisions/add/", reviews.DecisionAddView.as_view(), name="decision_add"),
    path("decisions/<int:pk>/remove/", reviews.DecisionRemoveView.as_view(), name="decision_remove"),
    path("<int:pk>/finalise/", reviews.ReviewFinaliseView.as_view(), name="review_finalise"),
]
