"""Create the platform's demo signing key and certificate if there are none (`make demo`)."""

from django.core.management.base import BaseCommand

from cme.certificates.signing import ensure_signing_key, signing_dir


class Command(BaseCommand):
    help = "Create the self-signed demo key that signs certificate PDFs, unless one exists."

    def handle(self, *args, **options):
        existed = (signing_dir() / "key.pem").exists()
        key_path, cert_path = ensure_signing_key()
        self.stdout.write(
            "{what}: {k}, {c}".format(
                what="signing key present" if existed else "signing key created",
                k=key_path,
                c=cert_path,
            )
        )
