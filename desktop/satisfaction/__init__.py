"""Satisfaction measurement: the profile's survey, kiosk / phone / printed-slip answers, the kiosk PIN (no Qt)."""

from __future__ import annotations

from desktop.satisfaction.service import SurveyService, anonymity_mode, survey_definition
from desktop.satisfaction.views import (
    KIOSK_IDLE_TIMEOUT_SECONDS,
    SCALE5_CHOICES,
    AnonymityMode,
    AnswerValue,
    AnswerWay,
    QuestionView,
    ScaleChoice,
    Slip,
    SurveyDefinition,
    SurveyError,
)

__all__ = [
    "KIOSK_IDLE_TIMEOUT_SECONDS",
    "SCALE5_CHOICES",
    "AnonymityMode",
    "AnswerValue",
    "AnswerWay",
    "QuestionView",
    "ScaleChoice",
    "Slip",
    "SurveyDefinition",
    "SurveyError",
    "SurveyService",
    "anonymity_mode",
    "survey_definition",
]
