"""Prepare a database for use: groups, the seed article's data, an admin account."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from claims.permissions import ensure_groups
from claims.seed import load_seed


class Command(BaseCommand):
    help = (
        "Create the editors and reviewers groups, load the seed article's data into an "
        "empty database, and create an 'admin' superuser (printing its generated "
        "password once) if there is none. Safe to run again: it keeps what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-seed", action="store_true", help="Skip the seed data."
        )
        parser.add_argument("--admin-username", default="admin")

    def handle(self, *args, no_seed: bool = False, admin_username: str = "admin", **kw):
        ensure_groups()
        self.stdout.write("Groups: editors, reviewers.")
        if not no_seed:
            if load_seed():
                self.stdout.write(self.style.SUCCESS("Loaded the seed article's data."))
            else:
                self.stdout.write("The database already holds data: seed not loaded.")
        self._ensure_admin(admin_username)

    def _ensure_admin(self, username: str) -> None:
        users = get_user_model().objects
        if users.filter(username=username).exists():
            self.stdout.write(
                f"The '{username}' account exists (its password was printed when it "
                "was created; change it with 'manage.py changepassword')."
            )
            return
        password = secrets.token_urlsafe(15)
        users.create_superuser(username=username, email="", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the superuser '{username}' with the password: {password}\n"
                "It is shown only this once."
            )
        )
