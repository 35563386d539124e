"""manage.py export_comments [--personal-data] [--since TIME] [--media DIR] > FILE.jsonl"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from portability.exporting import export_lines


class Command(BaseCommand):
    help = "Write every comment, vote and thread follow as JSON Lines to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--personal-data", action="store_true", help="Include emails and IPs.")
        parser.add_argument("--since", help="Only what was made or changed since this ISO time.")
        parser.add_argument("--media", help="Copy attachments' files into this directory.")

    def handle(self, *args, **opts):
        since = None
        if opts["since"]:
            since = parse_datetime(opts["since"])
            if since is None:
                raise CommandError("--since takes an ISO time, e.g. 2024-01-31T00:00:00Z")
        media = Path(opts["media"]) if opts["media"] else None
        if media is not None:
            # Made even when there is no file to copy: a restore names this folder.
            media.mkdir(parents=True, exist_ok=True)
        lost = []
        for line in export_lines(
            personal_data=opts["personal_data"], since=since, media=media, missing=lost.append
        ):
            self.stdout.write(line)
        for name in lost:
            self.stderr.write(f"not copied (missing from storage): {name}")
