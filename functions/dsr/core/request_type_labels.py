"""Each request type in the words a person chooses it by: the web form, the status page and the
staff console all say it so. Each is the message id of its translations (``dsr.core.catalogs``)."""

from dsr.core.catalogs import N_
from dsr.core.models import RequestType

REQUEST_TYPE_LABELS: dict[RequestType, str] = {
    RequestType.ACCESS: N_("Get a copy of my personal data"),
    RequestType.PORTABILITY: N_("Get a copy of my personal data in a portable format"),
    RequestType.ERASURE: N_("Delete my personal data"),
    RequestType.RECTIFICATION: N_("Correct my personal data"),
    RequestType.RESTRICTION: N_("Restrict how you use my data"),
    RequestType.OBJECTION: N_("Stop processing my data for your legitimate interests"),
    RequestType.MARKETING_OPT_OUT: N_("Stop sending me marketing"),
    RequestType.SALE_SHARING_OPT_OUT: N_("Do not sell or share my personal data"),
    RequestType.LIMIT_SENSITIVE: N_("Limit the use of my sensitive personal data, such as payment details"),
    RequestType.ADMT_OPT_OUT: N_("Do not make important decisions about me by automated means"),
    RequestType.ADMT_ACCESS: N_("Tell me how you make automated decisions about me"),
    RequestType.THIRD_PARTY_LIST: N_("Tell me which companies you gave my personal data to"),
    RequestType.PROFILING_REVIEW: N_("Question an automated decision about me and have it reviewed"),
}
