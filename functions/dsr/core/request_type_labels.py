"""Each request type in the words a person chooses it by: the web form, the status page and the
staff console all say it so."""

from dsr.core.models import RequestType

REQUEST_TYPE_LABELS: dict[RequestType, str] = {
    RequestType.ACCESS: "Get a copy of my personal data",
    RequestType.PORTABILITY: "Get a copy of my personal data in a portable format",
    RequestType.ERASURE: "Delete my personal data",
    RequestType.RECTIFICATION: "Correct my personal data",
    RequestType.RESTRICTION: "Restrict how you use my data",
    RequestType.OBJECTION: "Stop processing my data for your legitimate interests",
    RequestType.MARKETING_OPT_OUT: "Stop sending me marketing",
    RequestType.SALE_SHARING_OPT_OUT: "Do not sell or share my personal data",
    RequestType.LIMIT_SENSITIVE: "Limit the use of my sensitive personal data, such as payment details",
    RequestType.ADMT_OPT_OUT: "Do not make important decisions about me by automated means",
    RequestType.ADMT_ACCESS: "Tell me how you make automated decisions about me",
    RequestType.THIRD_PARTY_LIST: "Tell me which companies you gave my personal data to",
    RequestType.PROFILING_REVIEW: "Question an automated decision about me and have it reviewed",
}
