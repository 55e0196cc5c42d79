"""The desk's storage: every read and write of the requests table, behind repositories.

``keys`` builds every key, ``dynamo`` holds the one conditional-write helper and the one
paginator; nothing outside this package writes DynamoDB expression text.
"""
