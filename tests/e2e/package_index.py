"""A local Python package index (PEP 503) that the tests build and serve themselves, so that
locking and installing packages needs no outside access. Each package is a real wheel, built
here from a few lines of code: a zip with its module, METADATA, WHEEL and a RECORD of hashes."""
import base64
import hashlib
import http.server
import os
import re
import tempfile
import threading
import zipfile

# name, version, {module file: source}, requirements
PACKAGES = [
    ("mr-alpha", "1.0", {"mr_alpha/__init__.py": 'VERSION = "1.0"\n'}, []),
    ("mr-alpha", "2.0", {"mr_alpha/__init__.py": 'VERSION = "2.0"\n'}, []),
    ("mr-beta", "1.0",
     {"mr_beta/__init__.py": "import mr_alpha\n\ndef shout(s):\n"
                             "    return s.upper() + '!' + mr_alpha.VERSION\n"},
     ["mr-alpha>=1.0"]),
    # Wants an older mr-alpha: with mr-alpha==2.0 pinned there is no solution.
    ("mr-gamma", "1.0", {"mr_gamma/__init__.py": "OK = True\n"}, ["mr-alpha<2"]),
    ("mr-solo", "1.0", {"mr_solo/__init__.py": "import time\ntime.sleep(0)\nNAME = 'solo'\n"},
     []),
    ("mr-flowpkg", "3.1", {"mr_flowpkg/__init__.py": "def double(x):\n    return 2 * x\n"}, []),
    # `import yaml` is the distribution PyYAML: this one tells that it came from this index.
    ("PyYAML", "6.0.1", {"yaml/__init__.py": "FROM_TEST_INDEX = True\n\n"
                                             "def safe_load(text):\n    return {'loaded': text}\n"},
     []),
]


def _canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(folder, name, version, files, requires):
    dist = re.sub(r"[-_.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    entries = dict(files)
    entries[f"{info}/METADATA"] = metadata
    entries[f"{info}/WHEEL"] = ("Wheel-Version: 1.0\nGenerator: millrace-tests\n"
                                "Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = "".join(f"{path},{_record_hash(text.encode())},{len(text.encode())}\n"
                     for path, text in entries.items())
    entries[f"{info}/RECORD"] = record + f"{info}/RECORD,,\n"
    filename = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(folder, filename), "w") as z:
        for path, text in entries.items():
            z.writestr(path, text)
    return filename


class PackageIndex:
    """Builds every wheel of PACKAGES into a temporary folder and serves it on loopback:
    url is the index's /simple/ address (for PIP_INDEX_URL)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="millrace-index-")
        os.chmod(self.dir, 0o755)
        files = os.path.join(self.dir, "files")
        os.makedirs(files)
        projects = {}
        for name, version, sources, requires in PACKAGES:
            wheel = build_wheel(files, name, version, sources, requires)
            with open(os.path.join(files, wheel), "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            projects.setdefault(_canonical(name), []).append((wheel, digest))
        simple = os.path.join(self.dir, "simple")
        os.makedirs(simple)
        with open(os.path.join(simple, "index.html"), "w") as f:
            f.write("<html><body>" + "".join(f'<a href="{p}/">{p}</a>' for p in projects)
                    + "</body></html>")
        for project, wheels in projects.items():
            os.makedirs(os.path.join(simple, project))
            with open(os.path.join(simple, project, "index.html"), "w") as f:
                f.write("<html><body>" + "".join(
                    f'<a href="../../files/{w}#sha256={d}">{w}</a>' for w, d in wheels)
                    + "</body></html>")
        handler = lambda *a, **kw: _QuietHandler(*a, directory=self.dir, **kw)  # noqa: E731
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.requests = self.httpd.requests = []
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/simple/"

    def env(self):
        """The server settings that make pip use this index only."""
        return {"PIP_INDEX_URL": self.url, "PIP_TRUSTED_HOST": "127.0.0.1"}

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        self.server.requests.append(self.path)
