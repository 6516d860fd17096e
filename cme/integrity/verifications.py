"""The public verify page and API log each look-up here (VERIFY_BURST reads the log).

Only a keyed hash of the client's network is kept, never the address: IPv4 addresses are
cut to their /24, IPv6 to their /48, then HMAC-SHA256 with the site's secret key."""

import hashlib
import hmac
import ipaddress

from django.conf import settings

from cme.certificates.models import Certificate
from cme.integrity.models import Verification

PREFIX = {4: 24, 6: 48}


def network_of(address: str | None) -> str:
    """16 hex digits naming the address's network; '' when there is no usable address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    net = ipaddress.ip_network("{a}/{p}".format(a=ip, p=PREFIX[ip.version]), strict=False)
    key = ("integrity.verification:" + settings.SECRET_KEY).encode()
    return hmac.new(key, str(net).encode(), hashlib.sha256).hexdigest()[:16]


def record_verification(certificate: Certificate, address: str | None) -> Verification:
    return Verification.objects.create(certificate=certificate, network=network_of(address))
