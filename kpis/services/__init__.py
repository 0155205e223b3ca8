"""Writes of the KPI app (``<entity>_<verb>``, keyword-only, atomic, full_clean() before save), in four
modules re-exported here, so callers write ``from kpis import services; services.measurement_record(...)``:
KPIs and measurements (``kpis``), feedback (``feedback``), objectives (``objectives``) and effect
measurement (``effects``)."""

from kpis.services.effects import (
    can_state_effect,
    default_windows,
    effect_confirm,
    effect_create,
    effect_evaluate,
    effect_update,
    sweep_effects,
    verdict_for,
)
from kpis.services.feedback import (
    FeedbackRow,
    feedback_receive,
    feedback_receive_many,
    flag_reason_for,
    follow_up_owner,
)
from kpis.services.kpis import (
    MeasurementRow,
    RowsInvalid,
    can_configure_kpis,
    can_enter_measurements,
    kpi_create,
    kpi_defaults_create,
    kpi_defaults_ensure,
    kpi_update,
    measurement_correct,
    measurement_record,
    measurements_record_many,
    sweep_missing_measurements,
)
from kpis.services.objectives import (
    can_manage_objectives,
    key_result_create,
    key_result_delete,
    key_result_update,
    objective_create,
    objective_update,
)

__all__ = [
    "FeedbackRow",
    "MeasurementRow",
    "RowsInvalid",
    "can_configure_kpis",
    "can_enter_measurements",
    "can_manage_objectives",
    "can_state_effect",
    "default_windows",
    "effect_confirm",
    "effect_create",
    "effect_evaluate",
    "effect_update",
    "feedback_receive",
    "feedback_receive_many",
    "flag_reason_for",
    "follow_up_owner",
    "key_result_create",
    "key_result_delete",
    "key_result_update",
    "kpi_create",
    "kpi_defaults_create",
    "kpi_defaults_ensure",
    "kpi_update",
    "measurement_correct",
    "measurement_record",
    "measurements_record_many",
    "objective_create",
    "objective_update",
    "sweep_effects",
    "sweep_missing_measurements",
    "verdict_for",
]
