"""A test-only email backend for the killed-worker test: one file per message in
``FAULTS_MAIL_DIR``; with ``FAULTS_MAIL_HANG_AFTER=N`` the process writes N messages,
then hangs in the next send (as a worker waiting on its mail server), after leaving a
``hanging`` marker file so that the test knows when to kill it."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class HangingFileBackend(BaseEmailBackend):
    written = 0  # in this process

    def send_messages(self, email_messages):
        folder = Path(os.environ["FAULTS_MAIL_DIR"])
        hang_after = int(os.environ.get("FAULTS_MAIL_HANG_AFTER", "0"))
        for message in email_messages:
            if hang_after and type(self).written >= hang_after:
                (folder / "hanging").touch()
                time.sleep(3600)
            name = f"{message.to[0]}.{uuid.uuid4().hex}.eml"
            (folder / name).write_bytes(message.message().as_bytes())
            type(self).written += 1
        return len(email_messages)
