"""A real IMAP server on loopback for the e-mail intake tests: Debian's dovecot-imapd with a
throwaway configuration (mail in a temporary folder, one passwd-file user, plaintext login on
127.0.0.1 only, a free port). It fails loudly when it cannot start."""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "pengaduan@bangli.test", "sandi-aplikasi-imap-uji"

CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{base}/mail/%u
first_valid_uid = 1
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dovecot():
    """Start dovecot in a fresh folder under /tmp (its auth and mail processes run as other users,
    which must be able to reach it: pytest's own temporary folders are private) and remove it after."""
    if not os.path.exists(DOVECOT):
        raise RuntimeError("dovecot is not installed: apt-get install -y dovecot-imapd (make channels)")
    base = Path(tempfile.mkdtemp(prefix="layanan-dovecot-"))
    os.chmod(base, 0o755)
    for sub in ("run", "state", "mail"):
        (base / sub).mkdir(exist_ok=True)
    if os.geteuid() == 0:  # dovecot will not deliver as root: the mail belongs to nobody
        uid, gid, users = "nobody", "nogroup", ""
        os.chown(base / "mail", pwd.getpwnam("nobody").pw_uid, pwd.getpwnam("nobody").pw_gid)
    else:
        me = pwd.getpwuid(os.geteuid()).pw_name
        uid, gid = str(os.geteuid()), str(os.getegid())
        users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
    port = _free_port()
    (base / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    os.chmod(base / "passwd", 0o644)
    config = base / "dovecot.conf"
    config.write_text(CONFIG.format(base=base, port=port, uid=uid, gid=gid, users=users))
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                client = imaplib.IMAP4("127.0.0.1", port, timeout=2)
                client.logout()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (base / "dovecot.log").read_text() if (base / "dovecot.log").exists() else ""
                    output = (
                        process.stdout.read().decode(errors="replace") if process.poll() is not None else ""
                    )
                    raise RuntimeError(
                        f"dovecot did not start on 127.0.0.1:{port}:\n{output}\n{log}"
                    ) from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(base, ignore_errors=True)


def deliver(port: int, raw: bytes, folder: str = "INBOX") -> None:
    """Put one message into the mailbox, as the agency's mail server would."""
    client = imaplib.IMAP4("127.0.0.1", port, timeout=5)
    try:
        client.login(USER, PASSWORD)
        typ, _ = client.append(folder, None, None, raw)
        assert typ == "OK"
    finally:
        client.logout()


def unseen(port: int, folder: str = "INBOX") -> int:
    client = imaplib.IMAP4("127.0.0.1", port, timeout=5)
    try:
        client.login(USER, PASSWORD)
        client.select(folder, readonly=True)
        typ, data = client.uid("SEARCH", None, "UNSEEN")
        return len(data[0].split()) if data and data[0] else 0
    finally:
        client.logout()
