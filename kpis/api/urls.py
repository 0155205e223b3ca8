"""This app's API routes, registered on the one router in qms/api/urls.py."""

from kpis.api import views

routes = [
    ("kpis", views.KpiViewSet, "kpi"),
    ("kpi-measurements", views.KpiMeasurementViewSet, "kpi-measurement"),
    ("feedback", views.FeedbackViewSet, "feedback"),
    ("feedback-escalations", views.FeedbackEscalationViewSet, "feedback-escalation"),
    ("objectives", views.ObjectiveViewSet, "objective"),
    ("key-results", views.KeyResultViewSet, "key-result"),
    ("intended-effects", views.IntendedEffectViewSet, "intended-effect"),
]
