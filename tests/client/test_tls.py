"""TLS: an https endpoint is verified against the CA bundle, so a self-signed server is refused
(the client builds no TLS context for a plain-HTTP endpoint such as the emulator's; every
other client test runs against one)."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_ionoscr._client import IonosCrClient
from pulumi_ionoscr._config import ClientSettings
from pulumi_ionoscr._exceptions import TransportError


class _Locations(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"items": [{"id": "de/fra"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[str]:
    """An https server on 127.0.0.1 whose certificate no CA signed; yields its API URL."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Locations)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/containerregistries"
    finally:
        server.shutdown()
        server.server_close()


def test_an_https_endpoint_with_an_unknown_certificate_is_refused(self_signed_server: str) -> None:
    client = IonosCrClient(ClientSettings(endpoint=self_signed_server, token="t"))
    with pytest.raises(TransportError, match="CERTIFICATE_VERIFY_FAILED"):
        client.list_locations()
