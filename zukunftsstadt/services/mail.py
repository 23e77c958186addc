"""E-mail for alerts, only when an SMTP server is configured (MAIL_SERVER)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: str, subject: str, body: str) -> bool:
    """Send one plain-text mail; False (and a log line) if the server refuses or is away.

    An alert must never make a save fail, so errors are logged, not raised.
    """
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM", "zukunftsstadt@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)),
                          timeout=5) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("mail to %s not sent: %s", to, exc)
        return False
    return True
