"""Outgoing messages, e-mail and SMS, through one transport: a mail server and an SMS provider,
or the local outbox when none is set up."""
