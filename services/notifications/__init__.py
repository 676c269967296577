"""Notification channels (webhook, Slack, e-mail), deliveries with retries, and the senders."""
