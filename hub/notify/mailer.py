"""Sending email through the operator's SMTP server (``HUB_SMTP_*``).

Without ``HUB_SMTP_HOST`` no email is sent (notices stay in-app). Errors
come back as words for the notice, with the SMTP password scrubbed; they
never fail what triggered the notification.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from hub.errors import scrub

DEFAULT_FROM = "MSP integration hub <hub@localhost>"


def smtp_settings(config: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the SMTP settings from the app config (``None``: email is off)."""
    host = config.get("SMTP_HOST")
    if not host:
        return None
    return {
        "host": str(host),
        "port": int(config.get("SMTP_PORT") or 25),
        "username": str(config.get("SMTP_USERNAME") or ""),
        "password": str(config.get("SMTP_PASSWORD") or ""),
        "sender": str(config.get("SMTP_FROM") or DEFAULT_FROM),
        "starttls": str(config.get("SMTP_STARTTLS", "false")).lower() in ("1", "true", "yes"),
        "ssl": str(config.get("SMTP_SSL", "false")).lower() in ("1", "true", "yes"),
        "timeout": float(config.get("SMTP_TIMEOUT") or 10),
    }


def send_mail(config: Mapping[str, Any], to: list[str], subject: str, body: str) -> str:
    """Send one plain-text email to ``to``; return ``""`` or what went wrong, in words."""
    settings = smtp_settings(config)
    if settings is None or not to:
        return ""
    message = EmailMessage()
    message["From"] = settings["sender"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="hub.local")
    message.set_content(body)
    try:
        smtp: smtplib.SMTP
        if settings["ssl"]:
            smtp = smtplib.SMTP_SSL(
                settings["host"],
                settings["port"],
                timeout=settings["timeout"],
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(settings["host"], settings["port"], timeout=settings["timeout"])
        with smtp:
            if settings["starttls"]:
                smtp.starttls(context=ssl.create_default_context())
            if settings["username"]:
                smtp.login(settings["username"], settings["password"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        where = f"{settings['host']}:{settings['port']}"
        return scrub(f"the email could not be sent through {where}: {exc}", [settings["password"]])
    return ""
