"""A real WordPress (Debian's packages), stood up in a private folder for the tests of what web
staff paste: MariaDB on a socket of its own, WordPress's files with our wp-config.php, PHP's
built-in server on a free port, the install form posted, pages posted through the REST API.

Two must-use plugins of the tests' own: one answers WordPress's calls to the internet (and
mail) at once, as this machine has none; one lets a REST request name the user it is made
as (`X-Test-User`), so that a page is posted by a given role and filtered as that role's
posts are. Nothing else in WordPress is changed."""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

WORDPRESS = Path("/usr/share/wordpress")
THEMES = Path("/usr/share/wordpress/wp-content/themes")

MU_PLUGIN = """<?php
// Tests only: no network, no mail, and REST requests made as the user they name.
add_filter('pre_http_request', function () {
    return new WP_Error('offline', 'no network in the tests');
});
add_filter('pre_wp_mail', '__return_false');
add_filter('determine_current_user', function ($user) {
    if (!empty($_SERVER['HTTP_X_TEST_USER'])) {
        $found = get_user_by('login', $_SERVER['HTTP_X_TEST_USER']);
        return $found ? $found->ID : $user;
    }
    return $user;
}, 30);
"""


class Unavailable(RuntimeError):
    pass


def available() -> bool:
    return (
        all(shutil.which(c) for c in ("php", "mariadbd", "mariadb-install-db"))
        and (WORDPRESS / "wp-settings.php").is_file()
    )


class WordPress:
    """A running WordPress at `self.url`, its files under `self.root` (a folder put there,
    e.g. an edition's, is served as it is)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.root = self.folder / "site"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> "WordPress":
        if not available():
            raise Unavailable("WordPress, PHP or MariaDB is not installed (make setup)")
        try:
            self._database()
            self._files()
            self._serve()
            self._install()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        for process in reversed(self.processes):
            # PHP's server forks its workers into its process group: stop them all.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    # ---- standing it up ------------------------------------------------------------------

    def _database(self) -> None:
        data, self.socket = self.folder / "db", self.folder / "db.sock"
        temporary = self.folder / "db-tmp"  # its own: several test workers install at once
        temporary.mkdir()
        _run(
            "mariadb-install-db", "--no-defaults", f"--datadir={data}", "--user=root",
            "--auth-root-authentication-method=normal", "--skip-test-db", f"--tmpdir={temporary}",
        )  # fmt: skip
        self._start(
            "mariadbd", "--no-defaults", f"--datadir={data}", f"--socket={self.socket}",
            f"--tmpdir={temporary}",
            "--skip-networking", "--user=root", f"--pid-file={self.folder / 'db.pid'}",
            f"--log-error={self.folder / 'db.log'}", "--innodb-buffer-pool-size=16M",
        )  # fmt: skip
        _wait_for(lambda: self.socket.exists(), "MariaDB")
        _run("mariadb", f"--socket={self.socket}", "-u", "root", "-e", "CREATE DATABASE wp")

    def _files(self) -> None:
        shutil.copytree(WORDPRESS, self.root, symlinks=True)
        (self.root / "wp-content" / "mu-plugins").mkdir(parents=True, exist_ok=True)
        (self.root / "wp-content" / "mu-plugins" / "tests.php").write_text(MU_PLUGIN)
        keys = "\n".join(
            f"define('{name}', '{secrets.token_hex(16)}');"
            for name in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY",
                         "AUTH_SALT", "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
        )  # fmt: skip
        (self.root / "wp-config.php").write_text(
            "<?php\n"
            "define('DB_NAME', 'wp'); define('DB_USER', 'root'); define('DB_PASSWORD', '');\n"
            f"define('DB_HOST', 'localhost:{self.socket}');\n"
            "define('DB_CHARSET', 'utf8mb4'); define('DB_COLLATE', '');\n"
            f"{keys}\n$table_prefix = 'wp_';\n"
            "define('WP_ENVIRONMENT_TYPE', 'local'); define('WP_DEBUG', false);\n"
            f"define('WP_HOME', '{self.url}'); define('WP_SITEURL', '{self.url}');\n"
            "define('DISABLE_WP_CRON', true); define('AUTOMATIC_UPDATER_DISABLED', true);\n"
            f"define('WP_CONTENT_DIR', '{self.root / 'wp-content'}');\n"
            "if (!defined('ABSPATH')) { define('ABSPATH', __DIR__ . '/'); }\n"
            "require_once ABSPATH . 'wp-settings.php';\n"
        )

    def _serve(self) -> None:
        environment = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self._start(
            "php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root), environment=environment
        )
        _wait_for(lambda: _port_open(self.port), "PHP's server")

    def _install(self) -> None:
        self.password = secrets.token_urlsafe(16)
        form = {
            "weblog_title": "A charity", "user_name": "admin", "admin_password": self.password,
            "admin_password2": self.password, "pw_weak": "1", "admin_email": "web@example.org",
            "blog_public": "0", "language": "",
        }  # fmt: skip
        _request(f"{self.url}/wp-admin/install.php?step=2", data=urllib.parse.urlencode(form))
        options = self.rest("GET", "/wp/v2/settings", user="admin")
        assert "title" in options, options

    def _start(self, *command, environment=None) -> None:
        with open(self.folder / f"{Path(command[0]).name}.log", "ab") as log:  # the child keeps it
            self.processes.append(
                subprocess.Popen(
                    command, stdout=log, stderr=log, env=environment, start_new_session=True
                )
            )

    # ---- using it --------------------------------------------------------------------------

    def rest(self, method: str, route: str, body=None, user: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if user:
            headers["X-Test-User"] = user
        data = json.dumps(body) if body is not None else None
        url = f"{self.url}/?rest_route={urllib.parse.quote(route)}"
        return json.loads(_request(url, data=data, headers=headers, method=method))

    def add_user(self, name: str, role: str) -> None:
        body = {"username": name, "email": f"{name}@example.org", "password": self.password,
                "roles": [role]}  # fmt: skip
        self.rest("POST", "/wp/v2/users", body, user="admin")

    def post_page(self, title: str, content: str, user: str = "admin") -> str:
        """Publish a page as `user`; its address."""
        body = {"title": title, "content": content, "status": "publish"}
        page = self.rest("POST", "/wp/v2/pages", body, user=user)
        return f"{self.url}/?page_id={page['id']}"


def _run(*command) -> None:
    """A step of standing WordPress up; its failure fails the test (WordPress is installed:
    a step that fails is a fault, not a missing tool)."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def _request(url, data=None, headers=None, method=None) -> str:
    body = data.encode() if isinstance(data, str) else data
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _wait_for(ready, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds} s")
        time.sleep(0.05)
