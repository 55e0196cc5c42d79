"""DynamoDB stream target: tells authorized agents of their requests' status changes (DRP 2.03).

The event source mapping passes only request items of the ``drp`` channel. Records are handled
in stream order; once one fails, the rest of the batch is reported failed unsent, so the retry
starts from the first failed record and no agent sees a later status before an earlier one."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.agents import status_callbacks
from dsr.core.handler_stack import desk_handler
from dsr.wiring.desk import desk_from_environment


class EarlierRecordFailedError(RuntimeError):
    """Not sent: an earlier record of the batch failed, and the stream delivers both again."""


class InStreamOrder(BatchProcessor):
    """Powertools' batch processor for DynamoDB streams, failing every record after a failed one."""

    def __init__(self) -> None:
        super().__init__(event_type=EventType.DynamoDBStreams)
        self.failed_earlier = False

    def _prepare(self) -> None:
        super()._prepare()  # type: ignore[no-untyped-call]
        self.failed_earlier = False


processor = InStreamOrder()


def record_handler(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if processor.failed_earlier:
        raise EarlierRecordFailedError(change.sequence_number if change else None)
    if change is None:  # a record always carries one; nothing to tell otherwise
        return
    try:
        status_callbacks.deliver_change(desk_from_environment(), change.old_image, change.new_image)
    except Exception:
        processor.failed_earlier = True
        raise


@desk_handler(environment=desk_from_environment)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event, record_handler, processor, context))


initialised()
