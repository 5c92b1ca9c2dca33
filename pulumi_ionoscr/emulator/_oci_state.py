"""Rules of the OCI distribution (registry v2) data plane, on top of the backend (no HTTP).

* Who: a registry token's credentials (username = token name, password from the token's
  create response). They identify the token and, through it, the one registry it belongs to.
  Bearer tokens issued by the token endpoint map back to the same registry token.
* May they: the token must be `enabled` and not past `expiryDate` (else 401), and one of its
  scopes must name the repository (exact name, or `*`; with the `scope-patterns=glob` variant
  any shell-style pattern) with the action (`pull`, `push`, `delete`; else 403). Scope `type`
  is not checked. Scopes are evaluated live, so a PATCH of a token's scopes or status takes
  effect on the next request, even for issued Bearer tokens.
* What: blobs are content-addressed (sha256) and stored once; a repository lists the blobs
  pushed into it; a manifest PUT creates the repository and an artifact (digest, tags, media
  type) and counts a push; a manifest GET counts a pull. A repository deleted through the
  management API takes its manifests, tags and blob links with it.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._checks import REPOSITORY_NAME_RE, JsonInputError, loads_json
from ._state import (
    Artifact,
    Backend,
    Registry,
    Repository,
    Token,
)

__all__ = ["ACTIONS", "Access", "Distribution", "OciProblem", "Upload"]

ACTIONS = ("pull", "push", "delete")
BEARER_TTL_SECONDS = 3600.0
DEFAULT_MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


class OciProblem(Exception):
    """A data-plane error, rendered as `{"errors": [{"code", "message", "detail"}]}`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.detail is not None:
            err["detail"] = self.detail
        return {"errors": [err]}


@dataclass
class Access:
    """An authenticated data-plane caller."""

    registry_id: str
    token_id: str


@dataclass
class Upload:
    id: str
    registry_id: str
    repository: str
    data: bytearray = field(default_factory=bytearray)


@dataclass
class _Bearer:
    registry_id: str
    token_id: str
    expires_at: float


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _unauthorized(message: str) -> OciProblem:
    return OciProblem(401, "UNAUTHORIZED", message)


class Distribution:
    """Data-plane operations. All state lives in the `Backend`; uploads and issued Bearer
    tokens are transient (memory only)."""

    def __init__(self, backend: Backend, *, clock: Callable[[], float] | None = None) -> None:
        self.backend: Backend = backend
        self.clock: Callable[[], float] = clock or backend.clock
        self.uploads: dict[str, Upload] = {}
        self.bearers: dict[str, _Bearer] = {}

    # -- authentication ------------------------------------------------------------------------

    def _live_token(self, registry_id: str, token_id: str) -> tuple[Registry, Token]:
        reg = self.backend.registries.get(registry_id)
        tok = None if reg is None else reg.tokens.get(token_id)
        if reg is None or tok is None:
            raise _unauthorized("the credentials are not valid (token or registry deleted)")
        if self.backend.deleting(reg):
            raise _unauthorized("the registry is being deleted")
        if tok.status != "enabled":
            raise _unauthorized(f"token {tok.name!r} is disabled")
        if tok.expired(self.clock()):
            raise _unauthorized(f"token {tok.name!r} expired at {tok.expiry_date}")
        return reg, tok

    def login_basic(self, username: str, password: str, *, token_endpoint: bool = False) -> Access:
        """Basic credentials -> Access. At the token endpoint a disabled or expired token still
        gets a Bearer token (variant `token-endpoint-disabled=issues`), which every request
        then refuses with 401: the credentials are right, the token may not be used (clients
        see the 401 on the request itself instead of a failed token exchange, which oras-py
        retries with long sleeps)."""
        found = self.backend.find_token_by_credentials(username, password)
        if found is None:
            raise _unauthorized("invalid username or password")
        reg, tok = found
        issues = self.backend.variants["token-endpoint-disabled"] == "issues"
        if not (token_endpoint and issues):
            with self.backend.lock:
                self._live_token(reg.id, tok.id)
        return Access(reg.id, tok.id)

    def login_bearer(self, token: str) -> Access:
        bearer = self.bearers.get(token)
        if bearer is None or bearer.expires_at <= self.clock():
            raise _unauthorized("invalid or expired bearer token")
        with self.backend.lock:
            self._live_token(bearer.registry_id, bearer.token_id)
        return Access(bearer.registry_id, bearer.token_id)

    def issue_bearer(self, access: Access) -> tuple[str, int]:
        """A Bearer token for the token endpoint; returns (token, expires_in seconds)."""
        now = self.clock()
        for key in [k for k, b in self.bearers.items() if b.expires_at <= now]:
            del self.bearers[key]
        token = secrets.token_urlsafe(32)
        self.bearers[token] = _Bearer(access.registry_id, access.token_id, now + BEARER_TTL_SECONDS)
        return token, int(BEARER_TTL_SECONDS)

    def allowed(self, access: Access, repository: str, action: str) -> bool:
        with self.backend.lock:
            _, tok = self._live_token(access.registry_id, access.token_id)
            glob = self.backend.variants["scope-patterns"] == "glob"
            for scope in tok.scopes or []:
                matches = (
                    fnmatch.fnmatchcase(repository, scope.name)
                    if glob
                    else scope.name in ("*", repository)
                )
                if matches and action in scope.actions:
                    return True
            return False

    def authorize(self, access: Access, repository: str, action: str) -> None:
        if not self.allowed(access, repository, action):
            raise OciProblem(
                403,
                "DENIED",
                f"requested access to the resource is denied: {action} on {repository!r}",
                detail={"Type": "repository", "Name": repository, "Action": action},
            )

    # -- helpers -------------------------------------------------------------------------------

    def _registry(self, access: Access) -> Registry:
        reg, _ = self._live_token(access.registry_id, access.token_id)
        return reg

    @staticmethod
    def check_name(name: str) -> str:
        if len(name) > 256 or not REPOSITORY_NAME_RE.fullmatch(name):
            raise OciProblem(400, "NAME_INVALID", f"invalid repository name {name!r}")
        return name

    @staticmethod
    def _repo(reg: Registry, name: str) -> Repository:
        repo = reg.repositories.get(name)
        if repo is None or not (repo.artifacts or repo.blobs):
            raise OciProblem(404, "NAME_UNKNOWN", f"repository {name!r} is not known")
        return repo

    def _ensure_repo(self, reg: Registry, name: str) -> Repository:
        repo = reg.repositories.get(name)
        if repo is None:
            repo = Repository(name=name, created_at=self.clock())
            reg.repositories[name] = repo
        return repo

    # -- blobs ---------------------------------------------------------------------------------

    def get_blob(self, access: Access, name: str, digest: str) -> bytes:
        with self.backend.lock:
            reg = self._registry(access)
            repo = reg.repositories.get(name)
            if repo is None or digest not in repo.blobs or digest not in self.backend.blobs:
                raise OciProblem(404, "BLOB_UNKNOWN", f"blob {digest} is not known to {name!r}")
            return self.backend.blobs[digest]

    def delete_blob(self, access: Access, name: str, digest: str) -> None:
        with self.backend.lock:
            reg = self._registry(access)
            repo = reg.repositories.get(name)
            if repo is None or digest not in repo.blobs:
                raise OciProblem(404, "BLOB_UNKNOWN", f"blob {digest} is not known to {name!r}")
            repo.blobs.remove(digest)
            self.backend.gc_blobs()
            self.backend.recount_storage(reg)
            self.backend.version += 1

    def start_upload(self, access: Access, name: str) -> Upload:
        with self.backend.lock:
            self._registry(access)
            upload = Upload(str(uuid.uuid4()), access.registry_id, name)
            self.uploads[upload.id] = upload
            return upload

    def _upload(self, access: Access, name: str, upload_id: str) -> Upload:
        upload = self.uploads.get(upload_id)
        if upload is None or upload.registry_id != access.registry_id or upload.repository != name:
            raise OciProblem(404, "BLOB_UPLOAD_UNKNOWN", f"upload {upload_id!r} is not known")
        return upload

    def upload_status(self, access: Access, name: str, upload_id: str) -> Upload:
        return self._upload(access, name, upload_id)

    def append_upload(self, access: Access, name: str, upload_id: str, chunk: bytes) -> Upload:
        upload = self._upload(access, name, upload_id)
        upload.data.extend(chunk)
        return upload

    def cancel_upload(self, access: Access, name: str, upload_id: str) -> None:
        self._upload(access, name, upload_id)
        del self.uploads[upload_id]

    def finish_upload(
        self, access: Access, name: str, upload_id: str | None, digest: str, chunk: bytes
    ) -> str:
        """Complete an upload (or a monolithic POST when upload_id is None)."""
        if upload_id is None:
            data = bytes(chunk)
        else:
            upload = self._upload(access, name, upload_id)
            upload.data.extend(chunk)
            data = bytes(upload.data)
        if not digest.startswith("sha256:"):
            raise OciProblem(400, "DIGEST_INVALID", f"unsupported digest {digest!r} (sha256 only)")
        actual = sha256_digest(data)
        if actual != digest:
            raise OciProblem(
                400, "DIGEST_INVALID", f"digest {digest} does not match the content ({actual})"
            )
        with self.backend.lock:
            reg = self._registry(access)
            repo = self._ensure_repo(reg, name)
            self.backend.blobs[digest] = data
            if digest not in repo.blobs:
                repo.blobs.append(digest)
            self.backend.version += 1
        if upload_id is not None:
            self.uploads.pop(upload_id, None)
        return digest

    # -- manifests -----------------------------------------------------------------------------

    def _resolve(self, repo: Repository, reference: str) -> str:
        if ":" in reference:
            if reference in repo.manifests:
                return reference
        elif reference in repo.tags:
            return repo.tags[reference]
        raise OciProblem(
            404, "MANIFEST_UNKNOWN", f"manifest {reference!r} is not known to {repo.name!r}"
        )

    def put_manifest(
        self, access: Access, name: str, reference: str, body: bytes, content_type: str | None
    ) -> str:
        try:
            manifest = loads_json(body)
        except JsonInputError as exc:
            raise OciProblem(
                400, "MANIFEST_INVALID", f"the manifest is not valid JSON ({exc})"
            ) from None
        if not isinstance(manifest, dict):
            raise OciProblem(400, "MANIFEST_INVALID", "the manifest must be a JSON object")
        media_type = manifest.get("mediaType") or (content_type or "").split(";")[0].strip()
        if not isinstance(media_type, str) or not media_type:
            media_type = DEFAULT_MANIFEST_TYPE
        digest = sha256_digest(body)
        if ":" in reference and reference != digest:
            raise OciProblem(
                400, "DIGEST_INVALID", f"digest {reference} does not match the manifest ({digest})"
            )
        with self.backend.lock:
            reg = self._registry(access)
            repo = self._ensure_repo(reg, name)
            blobs: list[str] = []
            if media_type in INDEX_TYPES:
                for i, m in enumerate(manifest.get("manifests") or []):
                    d = m.get("digest") if isinstance(m, dict) else None
                    if not isinstance(d, str) or d not in repo.manifests:
                        raise OciProblem(
                            400, "MANIFEST_UNKNOWN", f"manifests[{i}] {d!r} is not in {name!r}"
                        )
            else:
                refs = [manifest.get("config"), *(manifest.get("layers") or [])]
                for ref in refs:
                    if ref is None:
                        continue
                    d = ref.get("digest") if isinstance(ref, dict) else None
                    if not isinstance(d, str) or d not in repo.blobs:
                        raise OciProblem(
                            400,
                            "MANIFEST_BLOB_UNKNOWN",
                            f"blob {d!r} referenced by the manifest is not in {name!r}",
                            detail={"digest": d},
                        )
                    blobs.append(d)
            now = self.clock()
            repo.manifests[digest] = base64.b64encode(body).decode()
            art = repo.artifacts.get(digest)
            if art is None:
                art = Artifact(digest=digest, media_type=media_type, blobs=blobs)
                repo.artifacts[digest] = art
            art.push_count += 1
            art.last_pushed_at = now
            self.backend.scan_pushed(reg, art, now)
            if ":" not in reference:
                old = repo.tags.get(reference)
                if (
                    old is not None
                    and old in repo.artifacts
                    and reference in repo.artifacts[old].tags
                ):
                    repo.artifacts[old].tags.remove(reference)
                repo.tags[reference] = digest
                if reference not in art.tags:
                    art.tags.append(reference)
            repo.push_count += 1
            repo.last_pushed_at = now
            repo.last_severity = art.vuln_max_severity
            self.backend.recount_storage(reg)
            self.backend.version += 1
            return digest

    def get_manifest(
        self, access: Access, name: str, reference: str, *, count_pull: bool
    ) -> tuple[bytes, str, str]:
        """(body, media type, digest); `count_pull`: the request counts as a pull."""
        with self.backend.lock:
            reg = self._registry(access)
            repo = self._repo(reg, name)
            digest = self._resolve(repo, reference)
            art = repo.artifacts[digest]
            body = base64.b64decode(repo.manifests[digest])
            if count_pull:
                now = self.clock()
                art.pull_count += 1
                art.last_pulled_at = now
                repo.pull_count += 1
                repo.last_pulled_at = now
                self.backend.version += 1
            return body, art.media_type, digest

    def delete_manifest(self, access: Access, name: str, reference: str) -> None:
        with self.backend.lock:
            reg = self._registry(access)
            repo = self._repo(reg, name)
            digest = self._resolve(repo, reference)
            art = repo.artifacts[digest]
            if ":" not in reference:  # deleting a tag only
                del repo.tags[reference]
                if reference in art.tags:
                    art.tags.remove(reference)
            else:
                for tag in art.tags:
                    repo.tags.pop(tag, None)
                del repo.artifacts[digest]
                del repo.manifests[digest]
            if not repo.artifacts:
                del reg.repositories[name]
                self.backend.gc_blobs()
            self.backend.recount_storage(reg)
            self.backend.version += 1

    def tags(self, access: Access, name: str) -> list[str]:
        with self.backend.lock:
            reg = self._registry(access)
            repo = self._repo(reg, name)
            return sorted(repo.tags)

    def catalog(self, access: Access) -> list[str]:
        with self.backend.lock:
            reg = self._registry(access)
            names = sorted(n for n, r in reg.repositories.items() if r.artifacts)
        return [n for n in names if self.allowed(access, n, "pull")]
