"""E-mail on the embedded default: every message to a file under ``var/mail/`` and one line on the terminal.

Django's file backend writes whole messages (headers, encoded body) into the directory; the terminal of
``make run`` gets only who it was for and its subject, so that a day's notifications do not bury the
server's own output. Production sends through EMAIL_URL (or the EMAIL_* variables) instead.
"""

import logging

from django.core.mail.backends.filebased import EmailBackend

logger = logging.getLogger("qms.mail")


class FileEmailBackend(EmailBackend):
    """Django's file backend that also logs ``to / subject`` of each message at INFO."""

    def write_message(self, message):
        super().write_message(message)
        logger.info("e-mail to %s: %s (in %s)", ", ".join(message.recipients()), message.subject, self._fname)
