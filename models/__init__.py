"""SQLAlchemy 2.x models. Importing this package registers every table."""

from models.audit import AuditLog, ConversationState
from models.base import Base
from models.calendar import OfficeDay
from models.dossiers import Dossier, Procedure
from models.org import Identity, Invite, Person, Role, Unit
from models.outbox import Notification, OutboxStatus, SentMessage
from models.scoring import Assessment, Criterion, Framework
from models.tasks import Conclusion, Evidence, ExtensionRequest, ProgressUpdate, Task, TaskOccurrence, TaskStatus

__all__ = [
    "Assessment", "AuditLog", "Base", "Conclusion", "ConversationState", "Criterion", "Dossier", "Evidence",
    "ExtensionRequest", "Framework", "Identity", "Invite", "Notification", "OfficeDay", "OutboxStatus", "Person",
    "Procedure", "ProgressUpdate", "Role", "SentMessage", "Task", "TaskOccurrence", "TaskStatus", "Unit",
]
