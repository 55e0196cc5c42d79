"""The public API's routes, one Router per area: the JSON API (``api``), the web form and the
status pages (``pages``), downloading the access package (``downloads``) and the API's own
documentation (``documentation``). Each route parses the call, calls one of the desk's actions
and shapes the answer; the desk's errors are answered in one place (``intake_api.refusals``)."""
