"""manage.py import_comments --format disqus|wordpress|newsite FILE [--media DIR]"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portability import disqus, newsite, wordpress
from portability.importing import Options, Report, thread_import

READERS = {"disqus": disqus.read, "wordpress": wordpress.read}


class Progress:
    """A tqdm bar on a terminal; a plain line every ``every`` comments otherwise (logs)."""

    def __init__(self, out, every: int = 10000):
        self.out, self.every, self.count = out, every, 0
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(unit=" comments", desc="reading", file=sys.stderr)

    def __call__(self) -> None:
        self.count += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.count % self.every == 0:
            self.out.write(f"read {self.count} comments")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = "Import comments from a Disqus or WordPress export, or restore a newsite export."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=["disqus", "wordpress", "newsite"])
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")
        parser.add_argument(
            "--url-map",
            action="append",
            default=[],
            metavar="OLD_PREFIX=NEW_PREFIX",
            help="Rewrite thread links starting with OLD_PREFIX (repeatable).",
        )
        parser.add_argument("--status", choices=["approved", "pending"])
        parser.add_argument(
            "--link-accounts",
            action="store_true",
            help="Attach comments to the reader whose verified email matches.",
        )
        parser.add_argument(
            "--media",
            metavar="DIR",
            help="newsite format: the folder export_comments --media copied the files to; "
            "attachments are attached again from it.",
        )

    def handle(self, *args, **opts):
        url_map = []
        for item in opts["url_map"]:
            old, sep, new = item.partition("=")
            if not sep or not old:
                raise CommandError(f"--url-map takes OLD_PREFIX=NEW_PREFIX, not {item!r}")
            url_map.append((old, new))
        options = Options(
            source=opts["format"],
            dry_run=opts["dry_run"],
            url_map=url_map,
            status=opts["status"],
            link_accounts=opts["link_accounts"],
        )
        media = Path(opts["media"]) if opts["media"] else None
        if media is not None and (opts["format"] != "newsite" or not media.is_dir()):
            raise CommandError("--media takes the folder of a newsite export's files")
        if opts["format"] == "newsite":
            reader = newsite.Restore(options=options, media=media).read
        else:
            reader = READERS[opts["format"]]
        report = Report()
        progress = Progress(self.stderr)
        started = time.monotonic()
        try:
            for thread in reader(opts["file"], report, progress):
                thread_import(thread=thread, options=options, report=report)
        except (OSError, ValueError, SyntaxError) as exc:  # defusedxml's, ParseError, JSON
            raise CommandError(f"cannot import {opts['file']}: {exc}") from exc
        finally:
            progress.close()
        if options.dry_run:
            self.stdout.write("dry run: nothing was written")
        for line in report.lines():
            self.stdout.write(line)
        if report.restored:
            added = ", ".join(f"{n} {what}" for what, n in sorted(report.restored.items()))
            self.stderr.write(f"restored besides comments: {added}")
        self.stderr.write(f"took {time.monotonic() - started:.1f} s")
