"""Models of the reviews app."""

from .reviews import ManagementReview, ReviewAttendee, ReviewDecision, ReviewSection

__all__ = ["ManagementReview", "ReviewAttendee", "ReviewDecision", "ReviewSection"]
