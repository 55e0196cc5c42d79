"""The key template of an ``s3_objects`` system: the prefix of one subject's objects, checked
when the registry is read so that it names exactly one subject and never their email address."""

import string

# The identities an s3_objects key template may use. An email address never appears in a key:
# {email_hash} is the SHA-256 hex digest of the address, trimmed and lower-cased.
KEY_TEMPLATE_PLACEHOLDERS = frozenset({"email_hash", "account_id"})


def key_template_problems(template: str) -> list[str]:
    """Why ``template`` cannot name one subject's prefix safely; empty if it can."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        return [f"not a template: {error}"]
    names = [name for _, name, _, _ in parts if name is not None]
    problems = []
    if "email" in names:
        problems.append(
            "an email address must never appear in an object key; use {email_hash} "
            "(SHA-256 hex of the trimmed, lower-cased address)"
        )
    unknown = sorted(set(names) - KEY_TEMPLATE_PLACEHOLDERS - {"email"})
    if unknown:
        allowed = ", ".join(f"{{{p}}}" for p in sorted(KEY_TEMPLATE_PLACEHOLDERS))
        problems.append(f"unknown placeholder(s) {', '.join(unknown)}; use {allowed}")
    if not names:
        problems.append("needs a placeholder naming the subject, e.g. cvs/{email_hash}/")
    if any(spec or conversion for _, name, spec, conversion in parts if name is not None):
        problems.append("placeholders take no format spec or conversion")
    following = [parts[i + 1][0] if i + 1 < len(parts) else "" for i, p in enumerate(parts) if p[1]]
    if not template.endswith("/") or any(not text.startswith("/") for text in following):
        problems.append("each placeholder must be followed by '/' and the template end with '/'")
    return problems
