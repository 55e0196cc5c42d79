"""The privacy-rights desk's domain: requests, their life cycle and the rules they follow.

Nothing in this package calls AWS when it is imported; adapters are handed in.
"""
