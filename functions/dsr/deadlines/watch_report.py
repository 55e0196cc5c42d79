"""What one pass of the deadline watch saw and did (``dsr.deadlines.watch``), apart from the watch
itself so that the sweeper can report it without loading the watch on its five-minute sweeps."""

from dsr.core.desk_model import DeskModel


class WatchReport(DeskModel):
    """What one watch saw and did; the first three figures are the deadline metrics."""

    open_requests: int = 0
    due_within_7_days: int = 0
    overdue: int = 0
    requests_read: int = 0
    reminders_sent: int = 0
    escalations_sent: int = 0
    extension_warnings_sent: int = 0
    open_appeals: int = 0
    appeals_read: int = 0
    appeals_due_within_7_days: int = 0
    appeals_overdue: int = 0
    appeals_reminders_sent: int = 0
    appeals_escalations_sent: int = 0
    appeals_extension_warnings_sent: int = 0
