"""The embedded local cloud: the very application in template.yaml, run on one machine.

moto provides DynamoDB, S3, SES, KMS, SNS, SQS and Step Functions (running the real state
machine); Lambda tasks run in-process through the handlers template.yaml names; a small HTTP
server plays API Gateway.
"""
