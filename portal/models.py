"""Imports every model module so that metadata (and Alembic) sees all tables."""

from portal.api.models import ApiToken  # noqa: F401
from portal.audit import AuditEntry  # noqa: F401
from portal.auth.models import UserSession  # noqa: F401
from portal.business.models import (  # noqa: F401
    BusinessActionItem,
    BusinessDecision,
    BusinessReview,
)
from portal.coaching.best_week_models import OneOnOneBestWeek  # noqa: F401
from portal.coaching.models import (  # noqa: F401
    ActionItem,
    AgendaItem,
    CalendarFeed,
    CoachingSession,
    OneOnOne,
    OneOnOneSeries,
    PrivateNote,
)
from portal.coaching.node_week_models import OneOnOneNodeWeek  # noqa: F401
from portal.conduct.models import ActionLink, CorrectiveAction, FollowUp  # noqa: F401
from portal.data_versions import DataVersion  # noqa: F401, E402
from portal.goals.models import (  # noqa: F401
    CalibrationChange,
    CalibrationClose,
    CheckIn,
    CyclePhase,
    Goal,
    GoalComment,
    Review,
    ReviewCycle,
    ReviewRating,
    ReviewReopening,
)
from portal.improvement.models import (  # noqa: F401
    CheckInValue,
    Expectation,
    ImprovementPlan,
    PlanCheckIn,
    PlanEvent,
)
from portal.kpis.models import Kpi, KpiTarget, KpiValue, kpi_position  # noqa: F401
from portal.kpis.rollup_models import KpiRollupDaily, RollupState  # noqa: F401
from portal.notify.models import Notification  # noqa: F401
from portal.org.models import Grant, Market, Person, Position, Segment, Team  # noqa: F401
from portal.qa.evaluation_models import (  # noqa: F401
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
)
from portal.qa.models import (  # noqa: F401
    Contact,
    ContactImport,
    QuestionChoice,
    Scorecard,
    ScorecardChannel,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)
from portal.qa.overturn_rollup_models import QaOverturnRollup  # noqa: F401
from portal.qa.programme_models import (  # noqa: F401
    CalibrationAnswer,
    CalibrationContact,
    CalibrationParticipant,
    CalibrationScore,
    CalibrationSession,
    SamplingAssignment,
    SamplingRule,
    SamplingRun,
)
from portal.qa.rollup_daily_models import QaRollupDaily, QaRollupQuestion  # noqa: F401
from portal.training.models import (  # noqa: F401
    AssessmentAttempt,
    AssessmentChoice,
    AssessmentQuestion,
    Assignment,
    Certification,
    ClassSession,
    Completion,
    Course,
    CourseQaQuestion,
    Kudos,
    Nomination,
    RecognitionProgramme,
    SessionSeat,
)
